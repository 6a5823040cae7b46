"""Reporting: monthly entry, workflow, verifier queue, deadlines and reminders."""
