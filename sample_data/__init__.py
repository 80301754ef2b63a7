"""Seeded demo data with planted truth (see sample_data/generate.py)."""
