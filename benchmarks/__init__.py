"""Reproducible performance runs: `python -m benchmarks.NAME ... --json OUT`."""
