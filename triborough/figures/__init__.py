"""Plotly figures drawn from frames: charts and maps. They take data and words; they never query.
"""
