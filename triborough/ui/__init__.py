"""Streamlit: the blocks every page shares, sign-in, the URL state, the clipboard and the
workbench's editor and blocks.
"""
