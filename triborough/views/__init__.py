"""Tables, figures and words shaped for a page, the committee pack or a download, each testable
without Streamlit.
"""
