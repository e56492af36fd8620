"""reports layer: the quarterly Excel report (季度报告). Imports fundtrack only (docs/report.md)."""
