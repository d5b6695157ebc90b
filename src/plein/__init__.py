"""Plein: the open-source platform on which Dutch municipalities build a service once and all use it."""

__version__ = "0.1.0"
