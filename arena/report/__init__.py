"""Reports of results: terminal tables, JSON and CSV files, plots."""
