"""The headless core of the CRM dashboard: importable and testable without Streamlit."""
