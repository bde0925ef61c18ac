"""What the figures mean and how they are said: boroughs, periods, units, the metric catalogue,
contracts, the schema, named colours and number formats. Imports nothing else from the package
but settings; no warehouse, no Streamlit.
"""
