"""Reads for pages: every number a page shows comes from here (or from progress)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, Prefetch
from django.utils import timezone

from programs.models import Indicator, MonthlyReport, Program, Target
from programs.progress import Progress, as_of_date, compute_progress


def default_year(*, today: dt.date | None = None) -> int:
    """The latest year that has targets or counted reports; the current year if none."""
    today = today or timezone.localdate()
    years = [
        Target.objects.aggregate(y=Max("year"))["y"],
        MonthlyReport.objects.filter(status__in=MonthlyReport.COUNTED_STATUSES).aggregate(
            y=Max("year")
        )["y"],
    ]
    years = [y for y in years if y is not None and y <= today.year]
    return max(years) if years else today.year


def default_month(*, year: int, today: dt.date | None = None) -> int:
    """The running month for the current year; otherwise the latest month with data."""
    today = today or timezone.localdate()
    if year == today.year:
        return today.month
    latest = MonthlyReport.objects.filter(
        year=year, status__in=MonthlyReport.COUNTED_STATUSES
    ).aggregate(m=Max("month"))["m"]
    return latest or 12


@dataclass(frozen=True)
class Milestone:
    label: str
    due_date: dt.date
    value: object
    days_left: int


@dataclass(frozen=True)
class ProgramCard:
    program: Program
    indicator: Indicator | None
    progress: Progress | None
    milestones: list[Milestone]


def program_cards(
    *, year: int, month: int = 12, verified_only: bool, today: dt.date | None = None
) -> list[ProgramCard]:
    """One card per active program: its headline indicator's province progress."""
    today = today or timezone.localdate()
    headline = Indicator.objects.filter(is_headline=True).select_related("program")
    programs = list(
        Program.objects.filter(active=True).prefetch_related(
            Prefetch("indicators", queryset=headline, to_attr="headline_indicators")
        )
    )
    indicators = [p.headline_indicators[0] for p in programs if p.headline_indicators]
    table = compute_progress(
        indicators=indicators,
        year=year,
        month=month,
        regency_codes=[],
        verified_only=verified_only,
        today=today,
    )
    milestones_of: dict[int, list[Milestone]] = {}
    for target in Target.objects.filter(
        indicator__in=indicators, regency__isnull=True, year=year
    ).prefetch_related("milestones"):
        milestones_of[target.indicator_id] = [
            Milestone(m.label, m.due_date, m.value, (m.due_date - today).days)
            for m in target.milestones.all()
        ]
    cards = []
    for program in programs:
        indicator = program.headline_indicators[0] if program.headline_indicators else None
        cards.append(
            ProgramCard(
                program=program,
                indicator=indicator,
                progress=table.province(indicator.pk) if indicator else None,
                milestones=milestones_of.get(indicator.pk, []) if indicator else [],
            )
        )
    return cards


__all__ = ["as_of_date", "default_month", "default_year", "program_cards"]
