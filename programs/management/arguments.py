"""Command-line arguments shared by the management commands."""

from django.core.management.base import CommandError

MAX_DAYS = 3660  # ten years: more is a typing slip, and past Python's date range soon


def day_count(name: str, value: int) -> int:
    """`value` of the option `name` (--hari) as a number of days, 0..MAX_DAYS. A negative
    one would reach into the future (prune_imports deleted the batch an operator was
    previewing that minute) and a huge one stopped the command with an OverflowError."""
    if not 0 <= value <= MAX_DAYS:
        raise CommandError(f"{name} harus 0..{MAX_DAYS} hari. / {name} must be 0..{MAX_DAYS} days.")
    return value
