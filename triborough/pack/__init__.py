"""The committee pack: its content, the PDF and Word documents, and the chart images in them.
"""
