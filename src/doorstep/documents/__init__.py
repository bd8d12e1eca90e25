"""Printable documents (shipping labels, later manifests): pure rendering of plain data."""
