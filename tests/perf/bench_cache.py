"""Page cache measurements for `make bench` (called by bench.py at each scale).

- cold: the page with the cache emptied before every request (server time, in-process),
  next to the raw SQL that reads the same figures from the realizations (interleaved,
  medians); goal: cold <= 3x raw SQL. Beside them the same page served from the cache
  (hit): a miss does all a hit does (data version, cache lookup, middleware) and runs its
  SQL, so (hit + raw SQL) / raw SQL is the lowest ratio any miss can reach (floor).
- after a write: a realization rewritten the way the services do it (its transaction
  bumps the data version and rebuilds the year-to-date slice), then the first view of
  the page; goal: <= cold. Compared with a cold view after the same write (cold+w: the
  write, the cache emptied, the page), since a write's own work slows whatever request
  follows it: the page does the same queries after a write as cold.
- bytes on the wire: the page's HTML as rendered and as sent gzip-compressed; the
  JavaScript and CSS it links, raw and brotli-compressed (whitenoise serves .br files).

Warm throughput (requests/s as a share of /healthz) is load.py's table: gunicorn + wrk
with the page cache in Redis.
"""

from __future__ import annotations

import gzip
import re
import statistics
import time
from dataclasses import dataclass

PERIOD_YEAR, PERIOD_MONTH = 2024, 12
PAGES = [
    ("overview", f"/?tahun={PERIOD_YEAR}&bulan={PERIOD_MONTH}"),
    ("program gbrss", f"/program/gbrss/?tahun={PERIOD_YEAR}&bulan={PERIOD_MONTH}"),
    ("wilayah 16.07", f"/wilayah/16.07/?tahun={PERIOD_YEAR}&bulan={PERIOD_MONTH}"),
    ("kelengkapan gbrss", f"/kelengkapan/?tahun={PERIOD_YEAR}&bulan={PERIOD_MONTH}&program=gbrss"),
]
COUNTED = "('submitted', 'verified')"
VERIFIED = "('verified')"  # anonymous visitors: verified figures only


@dataclass(frozen=True)
class CacheTiming:
    label: str
    cold_ms: float
    raw_sql_ms: float
    hit_ms: float
    after_write_ms: float
    cold_after_write_ms: float  # the cache emptied right after the same write
    write_ms: float
    html_bytes: int
    html_gzip_bytes: int
    assets_bytes: int
    assets_br_bytes: int

    @property
    def cold_ratio(self) -> float:
        return self.cold_ms / self.raw_sql_ms if self.raw_sql_ms else float("inf")

    @property
    def floor_ratio(self) -> float:
        """The ratio of a miss that cost no more than a hit plus the raw SQL."""
        if not self.raw_sql_ms:
            return float("inf")
        return (self.hit_ms + self.raw_sql_ms) / self.raw_sql_ms


# --- The raw SQL of each page's figures ------------------------------------------------


def _ids(values) -> str:
    return ",".join(str(int(v)) for v in values) or "0"


def _progress_sql(cursor, indicator_ids, *, regency: str | None = None) -> None:
    """Year-to-date groups per (indicator, regency): sums and each regency's latest month."""
    where = (
        f"m.year = {PERIOD_YEAR} AND m.month <= {PERIOD_MONTH} AND m.status IN {VERIFIED} "
        f"AND r.indicator_id IN ({_ids(indicator_ids)})"
    )
    params = []
    if regency:
        where += " AND m.regency_id = %s"
        params = [regency]
    join = "programs_realization r JOIN programs_monthlyreport m ON m.id = r.report_id"
    cursor.execute(
        f"SELECT r.indicator_id, m.regency_id, SUM(r.value), SUM(r.numerator), "  # noqa: S608
        f"SUM(r.denominator), MAX(m.month) FROM {join} WHERE {where} "
        "GROUP BY r.indicator_id, m.regency_id",
        params,
    )
    cursor.fetchall()
    cursor.execute(
        "SELECT indicator_id, regency_id, SUM(value), SUM(numerator), SUM(denominator) FROM ("  # noqa: S608
        " SELECT r.indicator_id, m.regency_id, m.month, r.value, r.numerator, r.denominator,"
        "  MAX(m.month) OVER (PARTITION BY r.indicator_id, m.regency_id) AS latest"
        f" FROM {join} WHERE {where}) t WHERE month = latest GROUP BY indicator_id, regency_id",
        params,
    )
    cursor.fetchall()
    cursor.execute(
        "SELECT indicator_id, regency_id, value, baseline, due_date FROM programs_target "  # noqa: S608
        f"WHERE year = {PERIOD_YEAR} AND indicator_id IN ({_ids(indicator_ids)})"
    )
    cursor.fetchall()


def _exemptions_sql(cursor) -> None:
    """The "tidak wajib" cells and the rates that leave them out (reporting obligations)."""
    cursor.execute(
        'SELECT regency_id, program_id, indicator_id, start, "end" FROM programs_reportingexemption'
    )
    cursor.fetchall()


def raw_sql(label: str, ids: dict) -> None:
    """The figures each page shows, read with plain SQL. Besides the progress groups:
    the overview's milestones and reporting counts, the program page's last-year series
    (the "same month last year" figure and line) and planned split, the regency page's
    reporting matrix, and on every page the exemptions behind "tidak wajib"."""
    from django.db import connection

    with connection.cursor() as cursor:
        _exemptions_sql(cursor)
        if label == "overview":
            _progress_sql(cursor, ids["headline"])
            cursor.execute(
                "SELECT program_id, regency_id, month, status, first_submitted_at "  # noqa: S608
                f"FROM programs_monthlyreport WHERE year = {PERIOD_YEAR}"
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT m.target_id, m.label, m.due_date, m.value FROM programs_targetmilestone m "  # noqa: S608
                f"JOIN programs_target t ON t.id = m.target_id WHERE t.year = {PERIOD_YEAR} "
                f"AND t.regency_id IS NULL AND t.indicator_id IN ({_ids(ids['headline'])})"
            )
            cursor.fetchall()
        elif label == "program gbrss":
            _progress_sql(cursor, [ids["houses"]])
            join = "programs_realization r JOIN programs_monthlyreport m ON m.id = r.report_id"
            base = (
                f"m.year = {PERIOD_YEAR} AND m.status IN {VERIFIED} "
                f"AND r.indicator_id = {ids['houses']}"
            )
            for group in ("m.month", "r.funding_source_id"):
                cursor.execute(f"SELECT {group}, SUM(r.value) FROM {join} WHERE {base} GROUP BY 1")  # noqa: S608
                cursor.fetchall()
            last_year = base.replace(f"m.year = {PERIOD_YEAR}", f"m.year = {PERIOD_YEAR - 1}")
            cursor.execute(f"SELECT m.month, SUM(r.value) FROM {join} WHERE {last_year} GROUP BY 1")  # noqa: S608
            cursor.fetchall()
            cursor.execute(
                'SELECT s."group", s.value FROM programs_targetsplit s JOIN programs_target t '  # noqa: S608
                f"ON t.id = s.target_id WHERE t.indicator_id = {ids['houses']} "
                f"AND t.year = {PERIOD_YEAR} AND t.regency_id IS NULL"
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT regency_id, MAX(month) FROM programs_monthlyreport "  # noqa: S608
                f"WHERE program_id = {ids['gbrss']} AND year = {PERIOD_YEAR} GROUP BY regency_id"
            )
            cursor.fetchall()
        elif label == "wilayah 16.07":
            _progress_sql(cursor, ids["all"], regency="16.07")
            _progress_sql(cursor, ids["all"])  # the province beside it
            cursor.execute(
                "SELECT r.indicator_id, m.month, SUM(r.value), SUM(r.numerator), "  # noqa: S608
                "SUM(r.denominator) FROM programs_realization r JOIN programs_monthlyreport m "
                f"ON m.id = r.report_id WHERE m.year = {PERIOD_YEAR} AND m.status IN {VERIFIED} "
                "AND m.regency_id = '16.07' GROUP BY 1, 2"
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT program_id, month, status, first_submitted_at FROM "  # noqa: S608
                f"programs_monthlyreport WHERE year = {PERIOD_YEAR} AND regency_id = '16.07'"
            )
            cursor.fetchall()
        elif label == "kelengkapan gbrss":
            cursor.execute(
                "SELECT regency_id, month, status, first_submitted_at FROM "  # noqa: S608
                f"programs_monthlyreport WHERE program_id = {ids['gbrss']} AND year = {PERIOD_YEAR}"
            )
            cursor.fetchall()
            cursor.execute("SELECT code, name FROM regencies_regency")
            cursor.fetchall()


# --- Measuring -------------------------------------------------------------------------


def _asset_sizes(html: str) -> tuple[int, int]:
    import brotli
    from django.contrib.staticfiles import finders

    raw = packed = 0
    for url in set(re.findall(r'(?:src|href)="/static/([^"]+\.(?:js|css))"', html)):
        path = finders.find(url)
        if not path:
            continue
        data = open(path, "rb").read()  # noqa: SIM115
        raw += len(data)
        packed += len(brotli.compress(data, quality=11))
    return raw, packed


def _write(realization_id: int) -> float:
    """A realization rewritten as the services write: in a transaction that bumps the data
    version and rebuilds the year-to-date slice it touches. Its time in ms."""
    from django.db import transaction
    from django.db.models import F

    from programs import ytd
    from programs.models import Realization

    started = time.perf_counter()
    with transaction.atomic():
        Realization.objects.filter(pk=realization_id).update(value=F("value"))
        ytd.flush()
    return (time.perf_counter() - started) * 1000


def measure(*, iterations: int = 15) -> list[CacheTiming]:
    from django.core.cache import caches
    from django.test import Client

    from programs import ytd
    from programs.models import Indicator, Program, Realization

    gbrss = Program.objects.get(slug="gbrss")
    houses = Indicator.objects.get(code="rumah-dibedah")
    ids = {
        "gbrss": gbrss.pk,
        "houses": houses.pk,
        "headline": list(Indicator.objects.filter(is_headline=True).values_list("pk", flat=True)),
        "all": list(Indicator.objects.values_list("pk", flat=True)),
    }
    victim = (
        Realization.objects.filter(
            indicator=houses, report__regency_id="16.07", report__year=PERIOD_YEAR
        )
        .values_list("pk", flat=True)
        .first()
    )
    cache = caches["default"]
    client = Client()
    ytd.flush()
    results = []
    for label, url in PAGES:
        client.get(url)  # warm the code paths
        cold, raw, hits, after, writes, cold_after_write = [], [], [], [], [], []
        for _ in range(iterations):
            cache.clear()
            started = time.perf_counter()
            client.get(url)
            cold.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            raw_sql(label, ids)
            raw.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            response = client.get(url)  # cached again
            hits.append((time.perf_counter() - started) * 1000)
            assert response["X-Page-Cache"] == "hit", url
            writes.append(_write(victim))
            started = time.perf_counter()
            response = client.get(url)
            after.append((time.perf_counter() - started) * 1000)
            assert response["X-Page-Cache"] == "miss", url
            # The same write, then the cache emptied: a cold view after the same work,
            # the like-for-like time for the first view after a write (a write's Python
            # and database work leaves the next request slower whatever the cache holds).
            _write(victim)
            cache.clear()
            started = time.perf_counter()
            response = client.get(url)
            cold_after_write.append((time.perf_counter() - started) * 1000)
            assert response["X-Page-Cache"] == "miss", url
        html = client.get(url).content
        packed = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert packed["Content-Encoding"] == "gzip"
        assert gzip.decompress(packed.content) == html
        assets, assets_br = _asset_sizes(html.decode())
        results.append(
            CacheTiming(
                label=label,
                cold_ms=statistics.median(cold),
                raw_sql_ms=statistics.median(raw),
                hit_ms=statistics.median(hits),
                after_write_ms=statistics.median(after),
                cold_after_write_ms=statistics.median(cold_after_write),
                write_ms=statistics.median(writes),
                html_bytes=len(html),
                html_gzip_bytes=len(packed.content),
                assets_bytes=assets,
                assets_br_bytes=assets_br,
            )
        )
    return results


def format_tables(by_scale: dict[str, list[CacheTiming]]) -> str:
    lines = [
        "Cold (cache empty) vs raw SQL, first view after a write (anonymous, in-process, "
        "medians in ms)",
    ]
    header = (
        f"{'scale':<7} | {'page':<18} | {'cold':>7} | {'raw SQL':>7} | {'ratio':>6} | "
        f"{'goal <=3x':>9} | {'extra':>6} | {'hit':>5} | {'floor':>6} | {'write':>6} | "
        f"{'after write':>11} | {'cold+w':>6} | {'<= cold+w?':>10}"
    )
    lines += [header, "-" * len(header)]
    for scale, rows in by_scale.items():
        for r in rows:
            lines.append(
                f"{scale:<7} | {r.label:<18} | {r.cold_ms:>7.1f} | {r.raw_sql_ms:>7.1f} | "
                f"{r.cold_ratio:>5.1f}x | {'ok' if r.cold_ratio <= 3 else 'OVER':>9} | "
                f"{r.cold_ms - r.raw_sql_ms:>6.1f} | {r.hit_ms:>5.1f} | {r.floor_ratio:>5.1f}x | "
                f"{r.write_ms:>6.1f} | {r.after_write_ms:>11.1f} | "
                f"{r.cold_after_write_ms:>6.1f} | "
                f"{'ok' if r.after_write_ms <= r.cold_after_write_ms * 1.05 else 'OVER':>10}"
            )
    lines.append(
        "extra = cold - raw SQL: what the page costs beyond reading its figures (request "
        "cycle, the page's other reads, rendering, compressing and storing it). "
        "hit = the same page from the page cache; floor = (hit + raw SQL) / raw SQL, the "
        "ratio of a miss that did nothing but a hit's work and the raw SQL. "
        "write = a realization rewritten in a transaction with the year-to-date rebuild of its "
        "slice, as the services do; after write = the next view of the page (cache miss); "
        "cold+w = the same write, then the cache emptied, then the page: a cold view after "
        "the same work (the write's own work slows the next request by itself); <= cold+w?: "
        "after write ok up to 5 % over it (both are misses after the same write, medians of "
        "interleaved runs)."
    )
    lines.append("")
    lines.append("Bytes on the wire per page (anonymous)")
    header = (
        f"{'scale':<7} | {'page':<18} | {'HTML':>9} | {'HTML gzip':>9} | {'JS+CSS':>9} | "
        f"{'JS+CSS br':>9}"
    )
    lines += [header, "-" * len(header)]
    for scale, rows in by_scale.items():
        for r in rows:
            lines.append(
                f"{scale:<7} | {r.label:<18} | {r.html_bytes:>9,} | {r.html_gzip_bytes:>9,} | "
                f"{r.assets_bytes:>9,} | {r.assets_br_bytes:>9,}"
            )
    lines.append(
        "HTML gzip: as the page cache sends it; JS+CSS br: whitenoise's precompressed files "
        "(brotli quality 11), htmx included."
    )
    return "\n".join(lines)
