"""Tri-borough Insight: published service metrics for three London councils, side by side."""

__version__ = "0.1.0"
