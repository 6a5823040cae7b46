"""Demo data: synthetic but plausible reports for the 17 regencies, and demo accounts."""
