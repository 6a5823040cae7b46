"""The faster queries behind `make bench` give the same figures as the straightforward ones.

progress.compute_progress adds the province up from per-regency groups and finds each
regency's latest month with a window; source_breakdown does the same for running totals;
selectors.overview_page computes the overview's cards and scorecard from one progress table.
Each is checked here against the plain formulation on a small random data set.
"""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db.models import Sum

from programs import progress
from programs.dashboards import selectors
from programs.models import FundingSource, Indicator, MonthlyReport, Program
from regencies.models import Regency
from tests.factories import MonthlyReportFactory, RealizationFactory

YEAR = 2024
TODAY = dt.date(2024, 9, 20)
REGENCIES = ["16.01", "16.02", "16.07", "16.71", "16.74"]
STATUSES = [MonthlyReport.Status.VERIFIED] * 3 + [
    MonthlyReport.Status.SUBMITTED,
    MonthlyReport.Status.DRAFT,
    MonthlyReport.Status.RETURNED,
]


@pytest.fixture
def random_reports(reference_data):
    """Six months of GBRSS, GPSTSS, GSMP and GPISS reports with random statuses, funding
    sources and gaps (an indicator left out of a report), plus province GPISS entries."""
    rng = random.Random(20241)
    sources = list(FundingSource.objects.all())
    for slug in ["gbrss", "gpstss", "gsmp", "gpiss"]:
        program = Program.objects.get(slug=slug)
        indicators = list(program.indicators.all())
        places = [None] if slug == "gpiss" else []
        places += [Regency.objects.get(code=code) for code in REGENCIES]
        for regency in places:
            for month in range(1, 7):
                if rng.random() < 0.15:
                    continue
                status = rng.choice(STATUSES)
                verified = status == MonthlyReport.Status.VERIFIED
                report = MonthlyReportFactory(
                    program=program,
                    regency=regency,
                    year=YEAR,
                    month=month,
                    status=status,
                    first_submitted_at=dt.datetime(
                        YEAR, month + 1, rng.randint(1, 20), tzinfo=dt.UTC
                    ),
                    verified_at=dt.datetime(YEAR, month + 1, 25, tzinfo=dt.UTC)
                    if verified
                    else None,
                    return_reason="Periksa lagi" if status == MonthlyReport.Status.RETURNED else "",
                )
                for indicator in indicators:
                    if len(indicators) > 1 and rng.random() < 0.2:
                        continue
                    for source in rng.sample(sources, rng.randint(1, 3)):
                        if indicator.measure == Indicator.Measure.RATIO:
                            den = Decimal(rng.randint(50, 400))
                            num = Decimal(rng.randint(0, int(den)))
                            values = {"value": None, "numerator": num, "denominator": den}
                        else:
                            values = {"value": Decimal(rng.randint(0, 900)) / 4}
                        RealizationFactory(
                            report=report, indicator=indicator, funding_source=source, **values
                        )


def _old_groups(indicators, *, month, statuses, codes):
    """compute_progress's groups as the plain queries give them: regency rows scoped to
    `codes`, province rows aggregated again over all regencies (latest months through a
    correlated subquery)."""
    Measure = Indicator.Measure
    increment = [i.pk for i in indicators if i.measure == Measure.INCREMENT]
    latest = [i.pk for i in indicators if i.measure != Measure.INCREMENT]
    summed = [i.pk for i in indicators if i.measure != Measure.LEVEL]
    level = [i.pk for i in indicators if i.measure == Measure.LEVEL]
    groups = {}

    def collect(queryset, regency_field):
        fields = ["indicator_id"] + ([regency_field] if regency_field else [])
        for row in queryset.values(*fields).annotate(**progress._aggregates()):
            key = (row["indicator_id"], row[regency_field] if regency_field else None)
            groups[key] = {k: row[k] for k in ("total", "num", "den", "last", "provisional")}

    def scoped(queryset):
        return queryset if codes is None else queryset.filter(report__regency_id__in=codes)

    def base(ids):
        return progress.counted_realizations(
            indicator_ids=ids, year=YEAR, month=month, statuses=statuses
        )

    if increment:
        rows = base(increment).filter(report__regency__isnull=False)
        collect(scoped(rows), "report__regency_id")
        collect(rows, None)
    if latest:
        rows = progress.latest_month_rows(base(latest), regency_null=False)
        collect(scoped(rows), "report__regency_id")
        collect(rows.filter(indicator_id__in=summed), None)
    if level:
        collect(progress.latest_month_rows(base(level), regency_null=True), None)
    return groups


def _new_groups(indicators, *, month, statuses, codes):
    """The groups compute_progress builds its table from, read back from the table."""
    table = progress.compute_progress(
        indicators=indicators,
        year=YEAR,
        month=month,
        regency_codes=codes,
        verified_only=statuses == (MonthlyReport.Status.VERIFIED,),
        today=TODAY,
    )
    return {
        key: {
            "total": None if p.measure == Indicator.Measure.RATIO else p.realization,
            "num": p.numerator,
            "den": p.denominator,
            "last": p.latest_month,
            "provisional": p.provisional,
        }
        for key, p in table.items()
        if p.latest_month is not None
    }


def _comparable(groups):
    """Old groups in the shape read back from a Progress (ratios keep num/den only)."""
    ratio = set(Indicator.objects.filter(measure=Indicator.Measure.RATIO).values_list("pk", flat=1))
    return {
        key: {
            "total": None if key[0] in ratio else row["total"],
            "num": row["num"] if key[0] in ratio else None,
            "den": row["den"] if key[0] in ratio else None,
            "last": row["last"],
            "provisional": bool(row["provisional"]),
        }
        for key, row in groups.items()
    }


def test_compute_progress_groups_equal_the_plain_queries(random_reports):
    indicators = list(Indicator.objects.select_related("program"))
    for month in [1, 3, 6, 12]:
        for verified_only in [False, True]:
            for codes in [None, [], ["16.07"], ["16.01", "16.74", "99.99"]]:
                statuses = progress.counted_statuses(verified_only)
                old = _old_groups(indicators, month=month, statuses=statuses, codes=codes)
                new = _new_groups(indicators, month=month, statuses=statuses, codes=codes)
                assert new == _comparable(old), (month, verified_only, codes)


def test_running_total_sources_equal_the_plain_query(random_reports):
    indicator = Indicator.objects.get(code="balita-didampingi")
    for month in [2, 6]:
        for verified_only in [False, True]:
            rows = progress.counted_realizations(
                indicator_ids=[indicator.pk],
                year=YEAR,
                month=month,
                statuses=progress.counted_statuses(verified_only),
            )
            plain = (
                progress.latest_month_rows(rows, regency_null=False)
                .values("funding_source__name")
                .annotate(total=Sum("value"))
            )
            expected = {row["funding_source__name"]: row["total"] for row in plain}
            got = selectors.source_breakdown(
                indicator=indicator, year=YEAR, month=month, verified_only=verified_only
            )
            assert {s.label: s.value for s in got} == expected
            assert [s.value for s in got] == sorted((s.value for s in got), reverse=True)


def test_overview_equals_program_cards_and_scorecard(random_reports):
    for sort in [None, "gbrss", "-nama"]:
        for verified_only in [False, True]:
            kwargs = {"year": YEAR, "month": 6, "verified_only": verified_only, "today": TODAY}
            page = selectors.overview_page(sort=sort, **kwargs)
            assert repr(page.cards) == repr(selectors.program_cards(**kwargs))
            assert repr(page.board) == repr(selectors.scorecard(sort=sort, **kwargs))


def test_overview_completeness_reusing_the_scorecard_equals_the_standalone_summary(
    random_reports,
):
    """The overview page reads programs, regencies and exemptions once for its cards,
    scorecard and completeness summary: the same answers as each read alone, exemptions
    and synthetic load-test regencies included."""
    from programs.models import ReportingExemption
    from tests.factories import RegencyFactory

    ReportingExemption.objects.create(
        regency_id="16.07",
        program=Program.objects.get(slug="gsmp"),
        start=dt.date(YEAR, 1, 1),
        reason="Uji: tidak wajib",
    )
    RegencyFactory()  # synthetic: never counted in completeness
    for verified_only in [False, True]:
        page = selectors.overview_page(year=YEAR, month=6, verified_only=verified_only, today=TODAY)
        standalone = selectors.completeness_summary(year=YEAR, up_to=6, today=TODAY)
        assert (page.closed_month, page.completeness) == standalone
        gsmp = next(s for s in standalone[1] if s.program.slug == "gsmp")
        assert gsmp.expected == Regency.objects.real().count() - 1  # 16.07 exempt
