"""Pydantic schemas of the HTTP API: the JSON shapes of API_CONTRACT, validated at the edge."""
