"""Benchmarks: `python -m bench --scale M|L` (see bench/run.py)."""
