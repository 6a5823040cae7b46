"""Dashboards: the overview, program, regency and completeness pages and their charts."""
