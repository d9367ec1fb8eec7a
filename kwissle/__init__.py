"""Kwissle: real-time head-to-head quiz battles."""

__version__ = "0.1.0"
