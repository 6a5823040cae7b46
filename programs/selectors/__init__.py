"""Reads for the JSON API."""
