"""Doorstep: a self-hostable last-mile delivery platform."""

__version__ = "0.1.0"
