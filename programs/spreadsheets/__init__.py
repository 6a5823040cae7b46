"""Spreadsheets: import of realizations and targets, CSV/XLSX exports of every table."""
