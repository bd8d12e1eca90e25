"""Pydantic schemas of the HTTP API: the JSON shapes in docs/api.md, validated at the edge."""
