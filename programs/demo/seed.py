"""Demo data: allocations, monthly reports and accounts for development and load tests.

Used by `manage.py seed_demo` and `manage.py bootstrap_demo` (see DESIGN.md, "Commands").
Everything written here is labelled: `is_demo=True` on targets and reports, target source
notes start with "DEMO:", synthetic regencies are `is_synthetic=True` with codes 99.xx.
Nothing here is a real figure except what is read from the fixtures and from
`regencies/data/sumsel_kabkota_stats.csv`, which is only the *basis* of the demo
allocations (RTLH counts and SKI 2023 stunting prevalence per kabupaten/kota).

Design notes:

- Rows are written with `bulk_create` in batches, never one by one: 500 regencies x 5
  years is about 140,000 reports and half a million realizations. `bulk_create` sends no
  signals, so the history rows django-simple-history would write for each save are
  written here, in bulk (`_write_history`): every report has the trail the services
  would have left (saved as a draft, submitted by the regency's operator, returned or
  verified by `verifikator`, at the report's own times), so the report page's history
  and an operator's first change ("7.000 → 7.413", not "– → 7.413") read as in use.
- A report has a life that does not depend on the day the demo is made (`ReportSpec`:
  `_regency_life`, `_province_life`): when it is saved, submitted, returned, corrected
  and verified, in office hours (08:00-16:00 WIB) on working days (a late submission may
  come at any hour of one). The demo made on a day holds the steps before that day began
  (`_cutoff`): last month's reports arrive, the queue fills and empties, a returned
  report is corrected, as days pass. Each month one report of every real regency (the
  story: `_story_programs`) is returned at once and corrected only after the next month
  locked, under a lock exception, so every operator meets a returned report in an open
  month and one in a locked month opened for correction on whatever day `make run` runs.
- Deterministic: every random draw comes from a `random.Random` seeded with
  (seed, year, regency, program), or (..., month) for a report's life, so the same
  options give the same data whatever the batch size, and adding synthetic regencies
  does not change the real ones.
- Idempotent: targets are created only where none exists; a regency that already has demo
  reports in a year is skipped for that year. `reset_demo_data` removes all of it.
- A live demo keeps up with the calendar: `top_up_demo` (run by `bootstrap_demo`, hence
  every `make run`) brings it to the day exactly as a fresh seed that day would make it:
  the months closed since get their reports, and the demo's reports that only the seed
  ever wrote move on with their lives, their history continued (`_settle`). What tells
  the seed's writes from a user's: the report's history is exactly the first steps of its
  life (times to the minute, users, reasons, statuses, versions), its conversation holds
  only the seed's return reasons, it has no attachment and its figures no change. A
  report any user touched stays as it is.
- Synthetic regencies get targets sized like a real regency of their population/RTLH
  (the same rates as the real allocations) *on top of* the province target: the real 17
  allocations keep summing to the province target, so on load-test databases the program
  page says "Alokasi melebihi target provinsi sebanyak ..." (the admin and the import
  refuse such allocations; `bulk_create` writes them past those rules on purpose).
"""

from __future__ import annotations

import calendar
import csv
import dataclasses
import datetime as dt
import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils import timezone

from programs.demo.holidays import DAYS_OFF
from programs.formats import month_year_label
from programs.models import (
    Attachment,
    Comment,
    FundingSource,
    Indicator,
    LockException,
    MonthlyReport,
    Program,
    Realization,
    Target,
)
from programs.reporting import deadlines
from programs.reporting.notifications import site_text
from programs.reporting.services import (
    HISTORY_PROVINCE_PUBLISHED,
    HISTORY_RETURNED,
    HISTORY_SAVED,
    HISTORY_SUBMITTED,
    HISTORY_VERIFIED,
    labelled_reason,
)
from regencies.models import Regency, UserScope

DEMO_PASSWORD = "sumsel-demo"  # noqa: S105 - documented demo password (DESIGN.md)
DEMO_NOTE_PREFIX = "DEMO:"
REFERENCE_YEAR = 2024  # the year of the sourced province targets (fixtures/targets_2024.json)
DEFAULT_SEED = 2024
FIXTURES = (
    "fixtures/regencies.json",
    "fixtures/programs.json",
    "fixtures/funding_sources.json",
    "fixtures/targets_2024.json",
    "fixtures/reporting_exemptions.json",
)
STATS_CSV = Path("regencies") / "data" / "sumsel_kabkota_stats.csv"

REGENCY_CHUNK = 50  # regencies generated and inserted together (bounds memory)
REPORT_BATCH = 2000
# PostgreSQL advisory lock key of a demo run (any number no other lock of the app uses:
# send_reminders has 0x5E4D_0001).
DEMO_LOCK = 0x5E4D_0002
# How long a demo run on SQLite waits for another to finish (a first seed takes a while
# on a busy machine; the connection's usual busy timeout is 20 seconds).
SQLITE_WAIT_MS = 10 * 60 * 1000
REALIZATION_BATCH = 5000

# BPS inflation (IHK) cities of Sumsel since 2024 (GPISS reports come only from these and
# the province; the others are exempt in fixtures/reporting_exemptions.json, sources in
# fixtures/REPORTING-OBLIGATIONS.md), with a demo offset from the province rate.
INFLATION_CITIES = {"16.71": 0.10, "16.73": -0.25, "16.03": 0.30, "16.02": 0.20}
INFLATION_START = 3.35  # Jan 2024 y-on-y, BPS (FACTS.md); the demo series starts here

# Where named partners operate (demo assumption used to place their contributions).
PARTNER_REGENCIES = {
    "ptba": {"16.03", "16.04", "16.12"},
    "pertamina": {"16.03", "16.06", "16.12", "16.71", "16.74"},
    "pusri": {"16.71", "16.07"},
    "semen-baturaja": {"16.01", "16.08", "16.71"},
}
EVERYWHERE_PARTNERS = {"bank-sumsel-babel", "pln", "bank-indonesia"}

Status = MonthlyReport.Status
MISSING = "missing"

# Why the verifier returns a report: what fits any program, what fits only a program
# reported per funding source (`_by_source`), and each program's own check.
RETURN_REASONS = (
    "Angka bulan ini berbeda dengan data OPD teknis kabupaten/kota; mohon konfirmasi.",
)
FUNDING_RETURN_REASONS = (
    "Rincian per sumber dana tidak sesuai dengan lampiran; mohon diperbaiki dan diajukan kembali.",
    "Kontribusi mitra CSR/BUMD belum dirinci per perusahaan.",
    "Dokumentasi (foto sebelum/sesudah) belum diunggah. Mohon dilengkapi.",
)
PROGRAM_RETURN_REASONS = {
    "gpstss": "Penyebut (jumlah balita diukur) tidak sama dengan bulan lalu tanpa penjelasan.",
    "gsmp": "Penyebut (jumlah desa/kelurahan) tidak sama dengan bulan lalu tanpa penjelasan.",
    "gpiss": "Angka inflasi tidak sama dengan rilis BPS kota ini; mohon dicek kembali.",
}
OTHER_RETURN_REASON = "Lokasi (desa/kelurahan) penerima belum dicantumkan pada keterangan."


# ---------------------------------------------------------------------------------------
# Small pure helpers


def largest_remainder(total: int, weights: list[float]) -> list[int]:
    """Split the integer `total` in proportion to `weights`; the parts sum to `total`.

    Hamilton's method: floor every quota, then give the leftover units to the largest
    fractional remainders (ties to the earlier item).
    """
    if total < 0:
        raise ValueError("total must not be negative")
    weight_sum = float(sum(weights))
    if not weights:
        return []
    if weight_sum <= 0:
        weights = [1.0] * len(weights)
        weight_sum = float(len(weights))
    quotas = [total * w / weight_sum for w in weights]
    parts = [math.floor(q) for q in quotas]
    leftover = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in order[:leftover]:
        parts[i] += 1
    return parts


def s_curve(fraction: float, *, steepness: float, midpoint: float) -> float:
    """Cumulative share (0..1) of the year's result reached at `fraction` (0..1) of the
    reporting period: a logistic ramp, slow start, fast middle, slow finish."""

    def logistic(x: float) -> float:
        return 1.0 / (1.0 + math.exp(-steepness * (x - midpoint)))

    low, high = logistic(0.0), logistic(1.0)
    return (logistic(fraction) - low) / (high - low)


def _dec(value, places: int = 0) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def _fmt(number) -> str:
    """8391 -> '8.391' (Indonesian thousands separator)."""
    return f"{int(number):,}".replace(",", ".")


def synthetic_code(index: int) -> str:
    """1 -> 99.01, 99 -> 99.99, 100 -> 98.01, ... (never 16.xx, Sumsel's own prefix)."""
    block, within = divmod(index - 1, 99)
    prefix = 99 - block
    if prefix <= 16:
        raise ValueError("too many synthetic regencies")
    return f"{prefix:02d}.{within + 1:02d}"


MAX_SYNTHETIC = 99 * (99 - 16)


def last_reportable_month(year: int, today: dt.date, until: tuple[int, int] | None = None) -> int:
    """12 for past years, the last completed month for the running year, 0 for the future;
    never beyond `until` (year, month) when given."""
    if year < today.year:
        limit = 12
    elif year == today.year:
        limit = today.month - 1
    else:
        limit = 0
    if until is not None:
        if year > until[0]:
            return 0
        if year == until[0]:
            limit = min(limit, until[1])
    return limit


def last_closed_month(today: dt.date) -> tuple[int, int]:
    """The last month that ended before `today` (the live demo reaches up to it)."""
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


def demo_years(today: dt.date, until: tuple[int, int] | None = None) -> list[int]:
    """Every year from the programs' launch (the reference year 2024) up to the end."""
    end = until or last_closed_month(today)
    end = min(end, last_closed_month(today))
    return list(range(REFERENCE_YEAR, max(end[0], REFERENCE_YEAR) + 1))


def first_month(program: Program, year: int) -> int:
    """No reports before a program's launch month (GSMP has no launch date: January).

    Years before the launch year (load-test years) are treated as full years.
    """
    launch = program.launch_date
    return launch.month if launch is not None and launch.year == year else 1


# ---------------------------------------------------------------------------------------
# Regency statistics (the basis of allocations)


@dataclass
class RegencyStats:
    code: str
    name: str
    kind: str
    population: int
    area_km2: float
    rtlh: int  # rumah tidak layak huni (Bappeda 2023/2024), the GBRSS allocation basis
    stunting_baseline: float  # SKI 2023 prevalence, %
    desa: int  # demo number of desa/kelurahan (invented, proportional to area)
    is_synthetic: bool
    from_csv: bool


def desa_count(area_km2: float) -> int:
    """An invented, plausible number of desa/kelurahan: 40 plus 3 per 100 km² (demo)."""
    return int(round(40 + 0.03 * area_km2))


def read_stats_csv() -> dict[str, dict[str, str]]:
    path = Path(settings.BASE_DIR) / STATS_CSV
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["kode_kemendagri"]: row for row in csv.DictReader(handle)}


def regency_stats(regencies: Iterable[Regency]) -> dict[str, RegencyStats]:
    """Per regency: real figures from the CSV (and the fixtures' population/area); for
    synthetic regencies (or any regency missing from the CSV) deterministic invented ones."""
    rows = read_stats_csv()
    stats = {}
    for regency in regencies:
        rng = random.Random(f"stats:{regency.code}")
        population = regency.population or rng.randint(150_000, 900_000)
        area = float(regency.area_km2) if regency.area_km2 else rng.uniform(300, 12_000)
        row = rows.get(regency.code) if not regency.is_synthetic else None
        if row:
            rtlh = int(row["rtlh_bappeda_2023_2024"])
            stunting = float(row["stunting_ski2023_pct"])
        else:
            rtlh = int(population * rng.uniform(0.003, 0.03))
            stunting = round(rng.uniform(8.0, 33.0), 1)
        stats[regency.code] = RegencyStats(
            code=regency.code,
            name=regency.name,
            kind=regency.kind,
            population=int(population),
            area_km2=area,
            rtlh=max(rtlh, 1),
            stunting_baseline=stunting,
            desa=desa_count(area),
            is_synthetic=regency.is_synthetic,
            from_csv=bool(row),
        )
    return stats


# ---------------------------------------------------------------------------------------
# Summary


@dataclass
class SeedSummary:
    years: list[int] = field(default_factory=list)
    fixtures_loaded: bool = False
    deleted: dict[str, int] = field(default_factory=dict)
    regencies_real: int = 0
    regencies_synthetic: int = 0
    synthetic_created: int = 0
    users_created: int = 0
    province_targets: int = 0
    regency_targets: int = 0
    reports: Counter = field(default_factory=Counter)
    settled: Counter = field(default_factory=Counter)  # demo reports moved on (top-up)
    realizations: int = 0
    lock_exceptions: int = 0
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def made(self) -> int:
        """Reports written (a month without one writes nothing)."""
        return self.reports.total() - self.reports[MISSING]

    @property
    def changed(self) -> bool:
        """Whether anything was written."""
        targets = self.province_targets + self.regency_targets
        return bool(self.made or self.settled.total() or self.lock_exceptions or targets)

    def lines(self) -> list[str]:
        statuses = self.reports
        created = sum(v for k, v in statuses.items() if k != MISSING)
        out = ["DATA DEMO — bukan data resmi (demo data, not official figures)."]
        if self.fixtures_loaded:
            out.append("Data referensi (fixtures) dimuat.")
        if self.deleted:
            parts = ", ".join(f"{k} {v}" for k, v in self.deleted.items())
            out.append(f"Dihapus (--reset): {parts}.")
        out += [
            f"Tahun: {', '.join(str(y) for y in self.years)}",
            f"Wilayah: {self.regencies_real} nyata + {self.regencies_synthetic} sintetis "
            f"(baru dibuat: {self.synthetic_created})",
            f"Akun demo baru: {self.users_created} (kata sandi: {DEMO_PASSWORD})",
            f"Target demo dibuat: {self.province_targets} provinsi, "
            f"{self.regency_targets} kabupaten/kota",
            f"Laporan bulanan dibuat: {created} (terverifikasi "
            f"{statuses[Status.VERIFIED]}, diajukan {statuses[Status.SUBMITTED]}, "
            f"dikembalikan {statuses[Status.RETURNED]}, draf {statuses[Status.DRAFT]}); "
            f"bulan tanpa laporan: {statuses[MISSING]}",
            f"Realisasi dibuat: {self.realizations}",
            *(
                [
                    f"Laporan demo yang berlanjut sesuai kalender: {self.settled.total()} "
                    f"(kini terverifikasi {self.settled[Status.VERIFIED]}, diajukan "
                    f"{self.settled[Status.SUBMITTED]}, dikembalikan "
                    f"{self.settled[Status.RETURNED]}, draf {self.settled[Status.DRAFT]})"
                ]
                if self.settled
                else []
            ),
            f"Pengecualian kunci (laporan dikembalikan di bulan terkunci): {self.lock_exceptions}",
        ]
        out += [f"Dilewati: {item}" for item in self.skipped]
        out.append(f"Selesai dalam {self.seconds:.1f} detik.")
        return out


# ---------------------------------------------------------------------------------------
# Reference data, accounts, synthetic regencies


def reference_data_missing() -> bool:
    return not Regency.objects.filter(is_synthetic=False).exists() or not Program.objects.exists()


def load_reference_fixtures() -> None:
    base = Path(settings.BASE_DIR)
    call_command("loaddata", *(str(base / path) for path in FIXTURES), verbosity=0)


def demo_accounts(regencies: Iterable[Regency]) -> list[tuple]:
    """(username, first name, role, regency, superuser) of each demo account. A demo
    account is known by its username *and* its "(demo)" first name, as seed_demo made
    it: a real user who happens to be called "verifikator" is not one."""
    wanted = [
        ("admin", "Admin (demo)", UserScope.Role.ADMIN, None, True),
        ("pimpinan", "Pimpinan (demo)", UserScope.Role.PIMPINAN, None, False),
        ("verifikator", "Verifikator Provinsi (demo)", UserScope.Role.VERIFIKATOR, None, False),
    ]
    for regency in regencies:
        if regency.is_synthetic:
            continue
        wanted.append(
            (
                f"operator-{regency.code.replace('.', '')}",
                f"Operator {regency.name} (demo)"[:150],
                UserScope.Role.OPERATOR,
                regency,
                False,
            )
        )
    return wanted


def ensure_demo_accounts(regencies: Iterable[Regency]) -> tuple[int, list[str]]:
    """Create the demo accounts that do not exist yet; existing demo accounts are left
    alone (their password is never reset), but a missing scope is added. A real user
    with a demo account's username is not touched: no scope, no password; it is named
    in the second value, the lines the command prints as skipped."""
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)  # hashed once, shared by all demo accounts
    wanted = demo_accounts(regencies)
    usernames = [username for username, *_rest in wanted]
    existing = {user.username: user for user in User.objects.filter(username__in=usernames)}
    real = sorted(
        username
        for username, first_name, *_rest in wanted
        if username in existing and existing[username].first_name != first_name
    )
    wanted = [account for account in wanted if account[0] not in real]
    new_users = [
        User(
            username=username,
            first_name=first_name,
            password=password,
            is_staff=superuser,
            is_superuser=superuser,
            is_active=True,
        )
        for username, first_name, _role, _regency, superuser in wanted
        if username not in existing
    ]
    for user in new_users:
        user.save()  # a handful of rows; save() keeps any user-model signals working
        existing[user.username] = user
    scoped = set(
        UserScope.objects.filter(user__in=[existing[u] for u, *_rest in wanted]).values_list(
            "user_id", flat=True
        )
    )
    UserScope.objects.bulk_create(
        [
            UserScope(user=existing[username], role=role, regency=regency)
            for username, _name, role, regency, _superuser in wanted
            if existing[username].pk not in scoped
        ]
    )
    skipped = [
        f"akun “{username}” sudah ada dan bukan akun demo: cakupan dan kata sandinya "
        "tidak diubah, dan data demo tidak dicatat atas namanya."
        for username in real
    ]
    return len(new_users), skipped


def ensure_synthetic_regencies(count: int) -> int:
    """Make sure synthetic regencies 1..count exist (99.01, 99.02, ...)."""
    if count <= 0:
        return 0
    if count > MAX_SYNTHETIC:
        raise ValueError(f"at most {MAX_SYNTHETIC} synthetic regencies")
    codes = [synthetic_code(i) for i in range(1, count + 1)]
    existing = set(Regency.objects.filter(code__in=codes).values_list("code", flat=True))
    used_bps = set(Regency.objects.values_list("bps_code", flat=True))
    new = []
    for index, code in enumerate(codes, start=1):
        if code in existing:
            continue
        rng = random.Random(f"synthetic:{code}")
        is_city = index % 5 == 0
        bps = code.replace(".", "")
        if bps in used_bps:  # taken by a regency an admin added: the highest free code
            bps = next(f"{n:04d}" for n in range(9999, 0, -1) if f"{n:04d}" not in used_bps)
        used_bps.add(bps)
        new.append(
            Regency(
                code=code,
                bps_code=bps,
                name=f"Wilayah Sintetis {index:03d}",
                kind=Regency.Kind.KOTA if is_city else Regency.Kind.KABUPATEN,
                capital=f"Ibu Kota Sintetis {index:03d}",
                area_km2=_dec(rng.uniform(150, 800) if is_city else rng.uniform(1500, 15000), 3),
                population=rng.randint(120_000, 1_200_000),
                population_year=2025,
                is_synthetic=True,
                source_note=(
                    f"{DEMO_NOTE_PREFIX} wilayah sintetis untuk uji beban; bukan wilayah nyata."
                ),
            )
        )
    Regency.objects.bulk_create(new, batch_size=REPORT_BATCH)
    return len(new)


# ---------------------------------------------------------------------------------------
# Reset


def _delete_rows(queryset) -> int:
    """Delete without loading rows into Python when nothing else points at them.

    The ORM's delete() would fetch every row and write a history row per object (the
    models are tracked by django-simple-history); for a million demo realizations that
    takes many minutes. When another model refers to the rows (say a split under a demo
    target), fall back to the ORM delete, which cascades and enforces PROTECT.
    """
    model = queryset.model
    # Hidden relations too (related_name="+", as a notification's report): left out of
    # `related_objects`, a raw delete orphaned them and the transaction failed on the
    # foreign key at commit.
    relations = (
        field
        for field in model._meta.get_fields(include_hidden=True)
        if isinstance(field, ForeignObjectRel)
    )
    for rel in relations:
        if rel.on_delete is models.DO_NOTHING:
            continue  # history tables: no database constraint
        manager = rel.related_model._base_manager
        if manager.filter(**{f"{rel.field.name}__in": queryset.values("pk")}).exists():
            return queryset.delete()[0]
    return queryset._raw_delete(queryset.db)


def reset_demo_data() -> dict[str, int]:
    """Remove every demo report (with realizations), demo target and synthetic regency.

    Demo accounts stay. History rows of demo objects (written when someone edited demo
    data in the app) go too.
    """
    demo_reports = MonthlyReport.objects.filter(is_demo=True)
    deleted = {}
    Realization.history.model.objects.filter(report_id__in=demo_reports.values("pk")).delete()
    deleted["realisasi"] = _delete_rows(
        Realization.objects.filter(report__in=demo_reports.values("pk"))
    )
    # The verifier's return reasons in the reports' threads (and anything said there since):
    # deleted first, so that the reports below go without loading them row by row.
    deleted["komentar"] = Comment.objects.filter(report__in=demo_reports.values("pk")).delete()[0]
    deleted["pengecualian kunci"] = LockException.objects.filter(
        reason__startswith=DEMO_NOTE_PREFIX
    ).delete()[0]
    deleted["laporan"] = _delete_rows(MonthlyReport.objects.filter(is_demo=True))
    deleted["target"] = _delete_rows(Target.objects.filter(is_demo=True))
    deleted["wilayah sintetis"] = _delete_rows(Regency.objects.filter(is_synthetic=True))
    # After the deletes: an ORM fallback delete writes history rows of its own.
    MonthlyReport.history.model.objects.filter(is_demo=True).delete()
    Target.history.model.objects.filter(is_demo=True).delete()
    return deleted


# ---------------------------------------------------------------------------------------
# Targets


ALLOCATION_RULES = {
    # (program slug, indicator code): (basis, share of the province target allocated)
    ("gbrss", "rumah-dibedah"): ("rtlh", Decimal(1)),
    ("gpsss", "unit-sanitasi"): ("population", Decimal("0.97")),
    ("gpstss", "balita-didampingi"): ("population", Decimal(1)),
}
STUNTING_KEY = ("gpstss", "prevalensi-stunting")
STUNTING_REDUCTION = 0.75  # demo regency target = SKI 2023 baseline x 0.75
INFLATION_KEY = ("gpiss", "inflasi-yoy")
DESA_KEY = ("gsmp", "desa-gsmp")

BASIS_UNIT = {"rtlh": "RTLH", "population": "penduduk"}
BASIS_LABEL = {
    "rtlh": "jumlah RTLH per kabupaten/kota (Bappeda 2023/2024)",
    "population": "jumlah penduduk per kabupaten/kota (Kepmendagri 2025)",
}


def _indicator_key(indicator: Indicator) -> tuple[str, str]:
    return (indicator.program.slug, indicator.code)


def _copy_province_targets(year: int) -> int:
    source = Target.objects.filter(year=REFERENCE_YEAR, regency__isnull=True).select_related(
        "indicator__program"
    )
    copies = []
    for target in source:
        due = None
        if target.due_date:
            last = calendar.monthrange(year, target.due_date.month)[1]
            due = dt.date(year, target.due_date.month, min(target.due_date.day, last))
        copies.append(
            Target(
                indicator=target.indicator,
                regency=None,
                year=year,
                value=target.value,
                baseline=target.baseline,
                due_date=due,
                source_note=(
                    f"{DEMO_NOTE_PREFIX} salinan target provinsi {REFERENCE_YEAR} untuk tahun "
                    f"{year} (data demo/uji beban), bukan target resmi."
                ),
                is_demo=True,
            )
        )
    Target.objects.bulk_create(copies, batch_size=REPORT_BATCH)
    return len(copies)


def ensure_targets(
    year: int, regencies: list[Regency], stats: dict[str, RegencyStats], summary: SeedSummary
) -> None:
    """Demo province targets for years without any, and regency targets (allocations of
    counts, rates for ratio/level indicators) wherever none exists yet."""
    has_province = Target.objects.filter(year=year, regency__isnull=True).exists()
    if not has_province and year != REFERENCE_YEAR:
        summary.province_targets += _copy_province_targets(year)
    province = list(
        Target.objects.filter(year=year, regency__isnull=True).select_related("indicator__program")
    )
    existing = set(
        Target.objects.filter(year=year, regency__isnull=False).values_list(
            "indicator_id", "regency_id"
        )
    )
    real = [r for r in regencies if not r.is_synthetic]
    synthetic = [r for r in regencies if r.is_synthetic]
    new: list[Target] = []

    def add(indicator, regency, value, note, baseline=None, due_date=None):
        if (indicator.pk, regency.code) in existing:
            return
        new.append(
            Target(
                indicator=indicator,
                regency=regency,
                year=year,
                value=value,
                baseline=baseline,
                due_date=due_date,
                source_note=note,
                is_demo=True,
            )
        )

    for target in province:
        indicator = target.indicator
        key = _indicator_key(indicator)
        if key in ALLOCATION_RULES:
            basis, share = ALLOCATION_RULES[key]
            total = int((target.value * share).to_integral_value(rounding="ROUND_FLOOR"))
            real_weights = [float(getattr(stats[r.code], basis)) for r in real]
            parts = largest_remainder(total, real_weights)
            share_text = (
                ""
                if share == 1
                else f" ({int(share * 100)}% dialokasikan; sisanya sengaja belum dialokasikan)"
            )
            note = (
                f"{DEMO_NOTE_PREFIX} alokasi rekaan dari target provinsi "
                f"{_fmt(target.value)} {indicator.unit}{share_text}, dibagi menurut "
                f"{BASIS_LABEL[basis]} dengan metode sisa terbesar; sumber dasar: "
                f"{STATS_CSV.as_posix()}. Bukan alokasi resmi."
            )
            for regency, part in zip(real, parts, strict=True):
                add(indicator, regency, Decimal(part), note, due_date=target.due_date)
            # Synthetic regencies: the same rate per RTLH/inhabitant, on top of the
            # province target (see module docstring).
            weight_sum = sum(real_weights) or 1.0
            for regency in synthetic:
                weight = float(getattr(stats[regency.code], basis))
                value = max(1, round(total * weight / weight_sum))
                add(
                    indicator,
                    regency,
                    Decimal(value),
                    f"{DEMO_NOTE_PREFIX} target wilayah sintetis (uji beban) dengan tarif yang "
                    f"sama per {BASIS_UNIT[basis]} seperti alokasi kabupaten/kota nyata; di luar "
                    "alokasi target provinsi.",
                    due_date=target.due_date,
                )
        elif key == STUNTING_KEY:
            for regency in regencies:
                baseline = stats[regency.code].stunting_baseline
                note = (
                    f"{DEMO_NOTE_PREFIX} target rekaan = baseline x {STUNTING_REDUCTION}; baseline "
                    + (
                        f"= prevalensi SKI 2023 kabupaten/kota ini ({STATS_CSV.as_posix()})."
                        if stats[regency.code].from_csv
                        else "rekaan (wilayah sintetis)."
                    )
                )
                add(
                    indicator,
                    regency,
                    _dec(baseline * STUNTING_REDUCTION, 2),
                    note,
                    baseline=_dec(baseline, 2),
                    due_date=target.due_date,
                )
        elif key == INFLATION_KEY:
            for regency in regencies:
                if regency.code in INFLATION_CITIES:
                    add(
                        indicator,
                        regency,
                        target.value,
                        f"{DEMO_NOTE_PREFIX} target inflasi kota IHK (BPS) sama dengan target "
                        "provinsi; baseline = inflasi provinsi Januari 2024.",
                        baseline=target.baseline
                        if target.baseline is not None
                        else _dec(INFLATION_START, 2),
                        due_date=target.due_date,
                    )
        elif key == DESA_KEY:
            for regency in regencies:
                add(
                    indicator,
                    regency,
                    target.value,
                    f"{DEMO_NOTE_PREFIX} target persentase desa/kelurahan sama dengan target "
                    "provinsi; bukan target resmi kabupaten/kota.",
                    due_date=target.due_date,
                )
    Target.objects.bulk_create(new, batch_size=REPORT_BATCH)
    summary.regency_targets += len(new)


# ---------------------------------------------------------------------------------------
# Funding-source profiles: (code, weight, probability of appearing in a given month)

GBRSS_SOURCES = (
    # Planned split (Kompas, 23 Feb 2024): APBD 3,666 (here 60% province, 40% regency),
    # APBN 1,345, Dana Desa 1,293, Baznas 345, CSR 75; the other 1,667 not itemised, of
    # which a part is credited to named partners.
    ("apbd-prov", 2200, 0.9),
    ("apbd-kabkota", 1466, 0.85),
    ("apbn", 1345, 0.7),
    ("dana-desa", 1293, 0.75),
    ("baznas-prov", 140, 0.35),
    ("baznas-kabkota", 205, 0.4),
    ("csr", 75, 0.2),
    ("tidak-dirinci", 1150, 0.5),
    ("bank-sumsel-babel", 120, 0.2),
    ("pln", 60, 0.12),
    ("ptba", 120, 0.4),
    ("pertamina", 100, 0.35),
    ("pusri", 80, 0.35),
    ("semen-baturaja", 80, 0.35),
)
GPSSS_SOURCES = (
    ("apbd-kabkota", 30, 0.8),
    ("apbd-prov", 20, 0.7),
    ("dana-desa", 20, 0.7),
    ("apbn", 15, 0.5),
    ("baznas-kabkota", 3, 0.2),
    ("csr", 4, 0.25),
    ("swadaya", 5, 0.3),
    ("tidak-dirinci", 8, 0.4),
    ("bank-sumsel-babel", 2, 0.15),
    ("pertamina", 3, 0.3),
    ("ptba", 3, 0.3),
    ("pusri", 3, 0.3),
)
GPMSS_SOURCES = (
    ("apbd-prov", 35, 0.9),
    ("apbd-kabkota", 30, 0.8),
    ("bank-indonesia", 10, 0.4),
    ("bank-sumsel-babel", 8, 0.35),
    ("pusri", 5, 0.3),
    ("pertamina", 5, 0.3),
    ("baznas-prov", 4, 0.2),
    ("csr", 3, 0.15),
)
GSMP_HOUSEHOLD_SOURCES = (
    ("apbd-prov", 45, 0.9),
    ("apbd-kabkota", 20, 0.6),
    ("dana-desa", 15, 0.5),
    ("bank-indonesia", 8, 0.3),
    ("csr", 5, 0.2),
    ("pusri", 4, 0.3),
)


# ---------------------------------------------------------------------------------------
# Report generation


@dataclass
class Context:
    year: int
    seed: int
    today: dt.date
    cutoff: dt.datetime  # the demo shows what happened before this instant (`_cutoff`)
    started_at: dt.datetime
    tz: dt.tzinfo
    month_limit: int
    stats: dict[str, RegencyStats]
    programs: list[Program]
    indicators: dict[tuple[str, str], Indicator]
    targets: dict[tuple[int, str | None], Target]
    sources: dict[str, int]
    default_source: int
    users: dict[str, int]
    inflation: dict[int, float]
    reasons: dict[str, str] = field(default_factory=dict)  # history reasons, site language
    # Days nobody works besides weekends: national holidays and collective leave. A demo
    # made before they were (`_settle`) has lives drawn with none.
    days_off: frozenset[dt.date] = DAYS_OFF

    def locked(self, month: int) -> bool:
        """Past the lock date (operators can no longer edit without an exception)."""
        return self.today > deadlines.lock_date(self.year, month)


@dataclass
class ReportSpec:
    """One slot (regency or province, program, month) as the demo imagines it: the whole
    life of its report, every write the app would record from the first save to the
    verification (None: never reported), and its figures. Neither depends on the day the
    demo is made: that day only decides how much of the life has happened (`written`)."""

    regency: str | None
    program: Program
    month: int
    life: list[Step] | None
    rows: list[tuple]  # (indicator id, source id, value, numerator, denominator, note)
    # The lock exception of a report still returned when its month locked: when the
    # verifier granted it, and until when it runs (`_regency_life`).
    opened: tuple[dt.datetime, dt.date] | None = None
    # The life drawn in another context (its `days_off`): (life, opened).
    relive: Callable[[Context], tuple[list[Step] | None, tuple | None]] | None = field(
        default=None, repr=False, compare=False
    )

    def written(self, cutoff: dt.datetime) -> list[Step]:
        """The steps that happened before `cutoff` (none: no report yet)."""
        return [step for step in self.life or () if step.when < cutoff]

    def before_holidays(self, ctx: Context) -> ReportSpec | None:
        """This slot as a demo made before national holidays and collective leave were
        days off (weekends only) imagined it: the same figures, its life drawn without
        them."""
        if self.relive is None:
            return None
        life, opened = self.relive(dataclasses.replace(ctx, days_off=frozenset()))
        return dataclasses.replace(self, life=life, opened=opened)


def _source_profile(rng: random.Random, profile, regency: RegencyStats, ctx: Context):
    """This regency's weights and monthly probabilities for a program's sources."""
    result = []
    for code, weight, probability in profile:
        if code not in ctx.sources:
            continue
        if code == "dana-desa" and regency.kind == Regency.Kind.KOTA:
            continue  # cities have kelurahan, not desa: no Dana Desa
        if code in PARTNER_REGENCIES:
            if regency.is_synthetic:
                present = rng.random() < 0.3
            else:
                present = regency.code in PARTNER_REGENCIES[code]
            if not present:
                continue
        weight = weight * rng.uniform(0.6, 1.4)
        # Divide by the chance of appearing so that the expected share follows `weight`.
        result.append((ctx.sources[code], weight / probability, probability))
    if not result:
        result.append((ctx.default_source, 1.0, 1.0))
    return result


def _split_by_source(rng: random.Random, value: int, profile) -> list[tuple[int, int]]:
    """Split a month's count over the sources that contributed that month."""
    chosen = [(source, weight) for source, weight, p in profile if rng.random() < p]
    if not chosen:
        source, weight, _p = max(profile, key=lambda item: item[1])
        chosen = [(source, weight)]
    parts = largest_remainder(value, [w * rng.uniform(0.6, 1.4) for _s, w in chosen])
    rows = [(source, part) for (source, _w), part in zip(chosen, parts, strict=True) if part]
    return rows or [(chosen[0][0], 0)]


def _cumulative_plan(
    rng: random.Random, total: float, months: list[int], start: int
) -> dict[int, int]:
    """Planned cumulative result at the end of each month (non-decreasing integers),
    reaching `total` in December along an S-curve with some month-to-month noise."""
    steepness = rng.uniform(5.0, 9.0)
    midpoint = rng.uniform(0.4, 0.65)
    span = 12 - start + 1
    plan, previous = {}, 0
    for month in months:
        fraction = (month - start + 1) / span
        share = s_curve(fraction, steepness=steepness, midpoint=midpoint)
        if month < 12:
            share *= rng.uniform(0.94, 1.06)
        value = max(previous, min(round(total * share), round(total)))
        plan[month] = value
        previous = value
    return plan


def _achievement(rng: random.Random, performance: float) -> float:
    """Share of its target a regency reaches by December: between 0.5 and 1.1."""
    return min(1.1, max(0.5, performance * 0.6 + rng.uniform(0.05, 0.55)))


def _target_of(ctx: Context, indicator: Indicator, code: str | None) -> Target | None:
    return ctx.targets.get((indicator.pk, code))


def _increment_builder(profile, *, base_per_year: Callable[[RegencyStats, random.Random], float]):
    """Increment indicators with a target (S-curve towards a share of the target); without
    a target, a seasonal monthly flow sized by `base_per_year`."""

    def build(rng, regency, ctx, indicator, months, start, performance):
        sources = _source_profile(rng, profile, regency, ctx)
        target = _target_of(ctx, indicator, regency.code)
        if target is not None:
            plan = _cumulative_plan(
                rng, float(target.value) * _achievement(rng, performance), months, start
            )
        else:
            per_month = base_per_year(regency, rng) / 12
            plan, running = {}, 0
            for month in months:
                season = 1.6 if month in (3, 4) else 1.3 if month == 12 else 1.0
                running += max(0, round(per_month * season * rng.uniform(0.6, 1.4)))
                plan[month] = running
        reported = {"total": 0}

        def month_rows(month, status):
            if status == MISSING:
                if target is None:  # a recurring flow: the month's activity goes unreported
                    reported["total"] = plan[month]
                return []  # with a target, what was done is reported next month
            value = plan[month] - reported["total"]
            reported["total"] = plan[month]
            return [
                (indicator.pk, source, Decimal(part), None, None, "")
                for source, part in _split_by_source(rng, value, sources)
            ]

        return month_rows

    build.by_source = True  # a row per funding source (`_by_source`)
    return build


def _running_total_builder(rng, regency, ctx, indicator, months, start, performance):
    target = _target_of(ctx, indicator, regency.code)
    total = (
        float(target.value) * _achievement(rng, performance)
        if target is not None
        else regency.population * 0.004
    )
    plan = _cumulative_plan(rng, total, months, start)

    def month_rows(month, status):
        if status == MISSING:
            return []
        return [(indicator.pk, ctx.default_source, Decimal(plan[month]), None, None, "")]

    return month_rows


def _stunting_builder(rng, regency, ctx, indicator, months, start, performance):
    target = _target_of(ctx, indicator, regency.code)
    baseline = regency.stunting_baseline
    goal = float(target.value) if target is not None else baseline * STUNTING_REDUCTION
    if target is not None and target.baseline is not None:
        baseline = float(target.baseline)
    final = baseline - _achievement(rng, performance) * (baseline - goal)
    coverage = rng.uniform(0.55, 0.9)
    steepness, midpoint = rng.uniform(3.0, 6.0), rng.uniform(0.3, 0.6)
    span = 12 - start + 1

    def month_rows(month, status):
        if status == MISSING:
            return []
        share = s_curve((month - start + 1) / span, steepness=steepness, midpoint=midpoint)
        prevalence = max(0.5, baseline - (baseline - final) * share + rng.uniform(-0.3, 0.3))
        denominator = max(1, round(regency.population * 0.08 * coverage * rng.uniform(0.93, 1.05)))
        numerator = min(denominator, round(denominator * prevalence / 100))
        return [
            (indicator.pk, ctx.default_source, None, Decimal(numerator), Decimal(denominator), "")
        ]

    return month_rows


DESA_NOTE = f"{DEMO_NOTE_PREFIX} jumlah desa/kelurahan rekaan (sebanding luas wilayah)."


def _desa_builder(rng, regency, ctx, indicator, months, start, performance):
    target = _target_of(ctx, indicator, regency.code)
    goal = float(target.value) if target is not None else 90.0
    final = min(100.0, goal * _achievement(rng, performance))
    initial = min(final, rng.uniform(30.0, 70.0))
    plan = _cumulative_plan(rng, 1.0e6, months, start)  # shape only, in millionths
    denominator = regency.desa

    def month_rows(month, status):
        if status == MISSING:
            return []
        percent = initial + (final - initial) * plan[month] / 1.0e6
        numerator = min(denominator, round(denominator * percent / 100))
        return [
            (
                indicator.pk,
                ctx.default_source,
                None,
                Decimal(numerator),
                Decimal(denominator),
                DESA_NOTE,
            )
        ]

    return month_rows


def _inflation_builder(rng, regency, ctx, indicator, months, start, performance):
    offset = INFLATION_CITIES.get(regency.code, 0.0)

    def month_rows(month, status):
        if status == MISSING:
            return []
        value = max(0.0, ctx.inflation[month] + offset + rng.uniform(-0.15, 0.15))
        return [(indicator.pk, ctx.default_source, _dec(value, 2), None, None, "")]

    return month_rows


BUILDERS = {
    ("gpiss", "inflasi-yoy"): _inflation_builder,
    ("gpmss", "pasar-murah"): _increment_builder(
        GPMSS_SOURCES, base_per_year=lambda r, rng: r.population / 100_000 * rng.uniform(10, 25)
    ),
    ("gpsss", "unit-sanitasi"): _increment_builder(
        GPSSS_SOURCES, base_per_year=lambda r, rng: r.population * 0.0005
    ),
    ("gpstss", "prevalensi-stunting"): _stunting_builder,
    ("gpstss", "balita-didampingi"): _running_total_builder,
    ("gbrss", "rumah-dibedah"): _increment_builder(
        GBRSS_SOURCES, base_per_year=lambda r, rng: r.rtlh * 0.1
    ),
    ("gsmp", "desa-gsmp"): _desa_builder,
    ("gsmp", "rumah-tangga-penerima"): _increment_builder(
        GSMP_HOUSEHOLD_SOURCES,
        base_per_year=lambda r, rng: r.population * 0.0011 * rng.uniform(0.6, 1.4),
    ),
}


def _province_inflation(seed: int, year: int) -> dict[int, float]:
    """The province's monthly y-on-y inflation: 3.35 % in January drifting to 2.5-3.0 %."""
    rng = random.Random(f"{seed}:{year}:inflasi-provinsi")
    end = rng.uniform(2.5, 3.0)
    series = {1: INFLATION_START}
    for month in range(2, 13):
        trend = INFLATION_START + (end - INFLATION_START) * (month - 1) / 11
        series[month] = round(max(0.0, trend + rng.uniform(-0.12, 0.12)), 2)
    return series


def _province_reports(ctx: Context) -> list[ReportSpec]:
    """GPISS province-level reports (regency empty) carrying the province's inflation."""
    program = next((p for p in ctx.programs if p.slug == "gpiss"), None)
    indicator = ctx.indicators.get(INFLATION_KEY)
    if program is None or indicator is None:
        return []
    specs = []
    for month in range(first_month(program, ctx.year), ctx.month_limit + 1):
        life = _province_life(ctx, program, month)
        row = (indicator.pk, ctx.default_source, _dec(ctx.inflation[month], 2), None, None, "")
        specs.append(
            ReportSpec(
                None,
                program,
                month,
                life,
                [] if life is None else [row],
                relive=lambda other, month=month: (_province_life(other, program, month), None),
            )
        )
    return specs


# ---------------------------------------------------------------------------------------
# History: the audit trail the services write for every step of a report


@dataclass
class Step:
    """One write of a report as the services make it (`programs/reporting/services.py`):
    when, by whom (a user id), the history's reason, and the report's fields after it."""

    when: dt.datetime
    user: int | None
    reason: str
    fields: dict


UNSUBMITTED = {
    "status": Status.DRAFT,
    "submitted_at": None,
    "submitted_by_id": None,
    "first_submitted_at": None,
    "verified_at": None,
    "verified_by_id": None,
    "returned_at": None,
    "returned_by_id": None,
    "return_reason": "",
}


# ---------------------------------------------------------------------------------------
# A report's life: when its operator saves and submits it and when the verifier returns
# or verifies it, in working days (Monday to Friday, not a national holiday nor a day of
# collective leave: `holidays.DAYS_OFF`) and office hours, Jakarta time.

DRAFT_FIRST = 0.6  # share of operators who save a draft before submitting
MISSING_SHARE = 0.05  # months never reported, times the regency's diligence factor
RETURN_SHARE = 0.08  # reports returned once, corrected and submitted again before the lock
VERIFY_LAG = (2, 20)  # working days from a submission to its verification
CLEARED_BY = 25  # day of the second month after a report's month: the verifier is done
PUBLISH_LAG = (0, 3)  # working days from the province's figure entered to it published
PROVINCE_MISSING = 0.015  # months whose province figure was never entered
OFFICE_HOURS = (8, 15)  # an action starts between 08:00 and 15:59 WIB
LATE_HOURS = (6, 22)  # a submission after the due day: any hour of a working day
WEEK = dt.timedelta(days=7)


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _off(day: dt.date, days_off: frozenset[dt.date]) -> bool:
    """A weekend, a national holiday or a day of collective leave (`days_off`)."""
    return day.weekday() >= 5 or day in days_off


def _working_day(day: dt.date, days_off: frozenset[dt.date], *, back: bool = False) -> dt.date:
    """`day`, or the next (`back`: the previous) working day when it is a day off."""
    step = dt.timedelta(days=-1 if back else 1)
    while _off(day, days_off):
        day += step
    return day


def _add_working_days(day: dt.date, count: int, days_off: frozenset[dt.date]) -> dt.date:
    """The `count`-th working day after `day` (0: `day` itself, or the next working day)."""
    day = _working_day(day, days_off)
    while count > 0:
        day += dt.timedelta(days=1)
        if not _off(day, days_off):
            count -= 1
    return day


def _working_days(first: dt.date, last: dt.date, days_off: frozenset[dt.date]) -> list[dt.date]:
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    return [day for day in days if not _off(day, days_off)]


def _at(rng: random.Random, day: dt.date, tz: dt.tzinfo, hours=OFFICE_HOURS) -> dt.datetime:
    """A time of `day` within `hours` (first and last hour an action may start in)."""
    return dt.datetime.combine(day, dt.time(rng.randint(*hours), rng.randint(0, 59)), tz)


def _by_source(program: Program, ctx: Context) -> bool:
    """Whether the program is reported per funding source (a row per source): one of its
    indicators is split by source (`_increment_builder`), not only "tidak dirinci"."""
    return any(
        getattr(BUILDERS[key], "by_source", False)
        for key in ctx.indicators
        if key[0] == program.slug
    )


def _return_reason(rng: random.Random, program: Program, ctx: Context) -> str:
    """Why a verifier returns a report of `program` (one draw of `rng`): never a question
    about funding sources of a program that has none to break down."""
    own = PROGRAM_RETURN_REASONS.get(program.slug, OTHER_RETURN_REASON)
    funding = FUNDING_RETURN_REASONS if _by_source(program, ctx) else ()
    return rng.choice((*RETURN_REASONS, *funding, own))


class _Trail:
    """A report's steps as the services write them: each with the fields after it."""

    def __init__(self):
        self.state = dict(UNSUBMITTED)
        self.steps: list[Step] = []

    def __call__(self, when: dt.datetime, user: int | None, reason: str, **changes) -> None:
        self.state.update(changes)
        self.steps.append(Step(when, user, reason, dict(self.state)))

    def submitted(self, when, user, reasons, *, first: bool = False) -> None:
        changes = {"first_submitted_at": when} if first else {}
        self(
            when,
            user,
            reasons["submitted"],
            status=Status.SUBMITTED,
            submitted_at=when,
            submitted_by_id=user,
            **changes,
        )

    def returned(self, when, user, reason: str) -> None:
        self(
            when,
            user,
            labelled_reason(HISTORY_RETURNED, reason),
            status=Status.RETURNED,
            returned_at=when,
            returned_by_id=user,
            return_reason=reason,
        )

    def verified(self, when, user, reason: str) -> None:
        self(when, user, reason, status=Status.VERIFIED, verified_at=when, verified_by_id=user)


def _regency_life(
    ctx: Context,
    regency: RegencyStats,
    program: Program,
    month: int,
    *,
    diligence: float,
    lateness: float,
    story: bool,
) -> tuple[list[Step] | None, tuple[dt.datetime, dt.date] | None]:
    """The life of a regency's report (None: never reported), and for the story's report
    its lock exception (granted when, until when). Drawn from the slot's own random
    stream, so it is the same whatever the day the demo is made or topped up.

    The operator submits by the due day in office hours, or late (any hour of a working
    day), some after saving a draft; the verifier returns some once (corrected and
    submitted again before the month locks) and verifies every report within a few
    weeks, all of a month by the 25th of the second month after it.

    The story (`story`, one program a month for every real regency: `_story_programs`):
    submitted in the month's first working days, returned the next working day, and
    corrected only after the *next* month locked, under a lock exception. So on any day
    each operator has a returned report in a month still open (last month's, or the one
    before in a month's first days) and one in a month already locked, opened for
    correction."""
    rng = random.Random(f"{ctx.seed}:life:{ctx.year}:{regency.code}:{program.slug}:{month}")
    off = ctx.days_off
    never = rng.random() < MISSING_SHARE * diligence
    if never and not story:
        return None, None
    operator, verifier = ctx.users.get(regency.code), ctx.users.get("verifikator")
    opens = dt.date(*_next_month(ctx.year, month), 1)
    due = deadlines.due_date(ctx.year, month)
    lock = deadlines.lock_date(ctx.year, month)
    on_time = _working_days(opens, due, off) or [_working_day(due, off)]
    if story:
        first = _at(rng, rng.choice(on_time[:3]), ctx.tz)
    elif rng.random() < lateness:
        first = _at(
            rng, _working_day(due + dt.timedelta(days=rng.randint(1, 20)), off), ctx.tz, LATE_HOURS
        )
    else:
        first = _at(rng, rng.choice(on_time), ctx.tz)
    trail = _Trail()
    if rng.random() < DRAFT_FIRST:
        day = _working_day(max(first.date() - dt.timedelta(days=rng.randint(0, 4)), opens), off)
        saved = _at(rng, day, ctx.tz)
        if saved < first - dt.timedelta(minutes=10):
            trail(saved, operator, ctx.reasons["saved"])
    trail.submitted(first, operator, ctx.reasons, first=True)
    if story:
        returned = _at(rng, _add_working_days(first.date(), 1, off), ctx.tz)
        trail.returned(returned, verifier, _return_reason(rng, program, ctx))
        next_lock = deadlines.lock_date(*_next_month(ctx.year, month))
        fixed = rng.choice(
            # A week of holidays and leave (Idulfitri): the first working day after it.
            _working_days(next_lock + dt.timedelta(days=1), next_lock + WEEK, off)
            or [_working_day(next_lock + WEEK, off)]
        )
        trail.submitted(_at(rng, fixed, ctx.tz), operator, ctx.reasons)
        verified = _at(rng, _add_working_days(fixed, rng.randint(1, 2), off), ctx.tz)
        trail.verified(verified, verifier, ctx.reasons["verified"])
        granted = _at(rng, _add_working_days(lock, 1, off), ctx.tz)  # the day after the lock
        return trail.steps, (granted, next_lock + WEEK)
    if rng.random() < RETURN_SHARE:
        returned = _at(rng, _add_working_days(first.date(), rng.randint(1, 5), off), ctx.tz)
        again = _at(rng, _add_working_days(returned.date(), rng.randint(1, 4), off), ctx.tz)
        reason = _return_reason(rng, program, ctx)
        if again.date() <= lock:  # corrected while the month is open
            trail.returned(returned, verifier, reason)
            trail.submitted(again, operator, ctx.reasons)
    last = trail.steps[-1].when.date()
    cleared_by = dt.date(*_next_month(*_next_month(ctx.year, month)), CLEARED_BY)
    cleared_by = _working_day(cleared_by, off, back=True)
    day = _add_working_days(last, rng.randint(*VERIFY_LAG), off)
    if day > cleared_by:
        day = max(cleared_by, _add_working_days(last, 1, off))
    trail.verified(_at(rng, day, ctx.tz), verifier, ctx.reasons["verified"])
    return trail.steps, None


def _province_life(ctx: Context, program: Program, month: int) -> list[Step] | None:
    """The province's own report (no operator, no verification queue): an admin enters
    the figure in the admin in the month's first week (BPS publishes inflation on the
    first working day), and the verifier publishes it (`services.province_reports_publish`:
    submitted and verified at once) a few working days later. A draft until then, listed
    in the admin; never "submitted", which no page lists for a province report."""
    rng = random.Random(f"{ctx.seed}:life:{ctx.year}:provinsi:{program.slug}:{month}")
    off = ctx.days_off
    if rng.random() < PROVINCE_MISSING:
        return None
    admin, verifier = ctx.users.get("admin"), ctx.users.get("verifikator")
    opens = dt.date(*_next_month(ctx.year, month), 1)
    entered_on = _working_days(opens, opens + WEEK, off) or [_working_day(opens + WEEK, off)]
    entered = _at(rng, rng.choice(entered_on), ctx.tz)
    published = _at(rng, _add_working_days(entered.date(), rng.randint(*PUBLISH_LAG), off), ctx.tz)
    if published < entered + dt.timedelta(minutes=10):
        published = _at(rng, _add_working_days(entered.date(), 1, off), ctx.tz)
    trail = _Trail()
    trail(entered, admin, ctx.reasons["saved"])
    trail(
        published,
        verifier,
        ctx.reasons["published"],
        status=Status.VERIFIED,
        submitted_at=published,
        submitted_by_id=verifier,
        first_submitted_at=published,
        verified_at=published,
        verified_by_id=verifier,
    )
    return trail.steps


def _story_programs(ctx: Context, regency: RegencyStats) -> dict[int, Program]:
    """Per month, the program of the report the regency's operator gets back and corrects
    only after the next month locked (`_regency_life`): a returned report in an open
    month and one in a locked month on any day after `make run`. Real regencies only
    (synthetic ones have no operator account)."""
    if regency.is_synthetic:
        return {}
    chosen = {}
    for month in range(1, ctx.month_limit + 1):
        programs = sorted(
            (
                p
                for p in ctx.programs
                if (p.slug != "gpiss" or regency.code in INFLATION_CITIES)
                and first_month(p, ctx.year) <= month
            ),
            key=lambda p: p.slug,
        )
        if programs:
            rng = random.Random(f"{ctx.seed}:story:{ctx.year}:{regency.code}:{month}")
            chosen[month] = rng.choice(programs)
    return chosen


def _regency_reports(regency: RegencyStats, ctx: Context) -> list[ReportSpec]:
    """Every demo report of one regency in one year (up to `ctx.month_limit`)."""
    base = random.Random(f"{ctx.seed}:{ctx.year}:{regency.code}")
    diligence = base.uniform(0.3, 2.0)  # scales the chance of a missing report
    lateness = base.uniform(0.03, 0.35)  # chance of submitting after the due day
    performance = base.uniform(0.55, 1.0)  # shared part of this regency's achievement
    story = _story_programs(ctx, regency)
    specs = []
    for program in ctx.programs:
        if program.slug == "gpiss" and regency.code not in INFLATION_CITIES:
            continue  # inflation is measured only in the BPS cities (and the province)
        start = first_month(program, ctx.year)
        if start > ctx.month_limit:
            continue
        rng = random.Random(f"{ctx.seed}:{ctx.year}:{regency.code}:{program.slug}")
        # The whole year's plan, whatever the day: a month's figures stay the same when
        # the demo is made later.
        year_months = list(range(start, 13))
        builders = []
        for key, builder in BUILDERS.items():
            indicator = ctx.indicators.get(key)
            if key[0] == program.slug and indicator is not None:
                builders.append(
                    builder(rng, regency, ctx, indicator, year_months, start, performance)
                )
        if not builders:
            continue
        for month in range(start, ctx.month_limit + 1):

            def relive(other, program=program, month=month):
                return _regency_life(
                    other,
                    regency,
                    program,
                    month,
                    diligence=diligence,
                    lateness=lateness,
                    story=story.get(month) == program,
                )

            life, opened = relive(ctx)
            rows = []
            for build in builders:  # called for missing months too: they carry state
                rows.extend(build(month, MISSING if life is None else Status.SUBMITTED))
            specs.append(ReportSpec(regency.code, program, month, life, rows, opened, relive))
    return specs


def _write_history(entries, ctx: Context) -> None:
    """The history of reports this run wrote or moved on. For each entry (report, steps,
    start, realizations): the rows of django-simple-history's own history model for
    steps[start:] (one row per step, in bulk, as the services' `bulk_create_with_history`
    would have written them), the verifier's return reasons as entries of the report's
    conversation, and the first records of a new report's realizations."""
    History = MonthlyReport.history.model
    RowHistory = Realization.history.model
    tracked = [f.attname for f in History.tracked_fields]
    row_tracked = [f.attname for f in RowHistory.tracked_fields]
    records, row_records, comments = [], [], []
    for report, steps, start, realizations in entries:
        stored = {name: getattr(report, name) for name in tracked}
        for index in range(start, len(steps)):
            step = steps[index]
            records.append(
                History(
                    **{
                        **stored,
                        **step.fields,
                        "version": index + 1,
                        "created_at": steps[0].when,
                        "updated_at": step.when,
                    },
                    history_date=step.when,
                    history_user_id=step.user,
                    history_change_reason=step.reason,
                    history_type="~" if index else "+",
                )
            )
            if step.fields["status"] == Status.RETURNED:  # the reason opens the thread
                comment = Comment(
                    report_id=report.pk,
                    author_id=step.user,
                    kind=Comment.Kind.RETURN,
                    text=step.fields["return_reason"],
                )
                comments.append((comment, step.when))
        # The values came with the report's first write (a draft or a direct submission).
        row_records.extend(
            RowHistory(
                **{name: getattr(realization, name) for name in row_tracked},
                history_date=steps[0].when,
                history_user_id=steps[0].user,
                history_change_reason=steps[0].reason,
                history_type="+",
            )
            for realization in realizations
        )
    History.objects.bulk_create(records, batch_size=REPORT_BATCH)
    RowHistory.objects.bulk_create(row_records, batch_size=REALIZATION_BATCH)
    Comment.objects.bulk_create([comment for comment, _when in comments], batch_size=REPORT_BATCH)
    for comment, when in comments:  # bulk_create stamped them now (auto_now_add)
        comment.created_at = when
    Comment.objects.bulk_update(
        [comment for comment, _when in comments], ["created_at"], batch_size=REPORT_BATCH
    )


Written = tuple[ReportSpec, list[Step]]  # a slot and the steps its report holds now


def _insert(
    specs: list[ReportSpec], ctx: Context, occupied: set, summary: SeedSummary
) -> list[Written]:
    """Write the reports of `specs` that have begun (their steps before the cutoff), their
    realizations and the history of both, in batches; slots in `occupied` are left alone."""
    reports, inserted = [], []
    for spec in specs:
        written = spec.written(ctx.cutoff)
        if not written:
            summary.reports[MISSING] += 1
            continue
        if (spec.regency, spec.program.pk, spec.month) in occupied:
            continue  # a report exists for this slot (a real one, or one a user edited)
        reports.append(
            MonthlyReport(
                regency_id=spec.regency,
                program=spec.program,
                year=ctx.year,
                month=spec.month,
                created_by_id=written[0].user,
                version=len(written),
                is_demo=True,
                **written[-1].fields,
            )
        )
        inserted.append((spec, written))
        summary.reports[written[-1].fields["status"]] += 1
    MonthlyReport.objects.bulk_create(reports, batch_size=REPORT_BATCH)
    realization_lists = [
        [
            Realization(
                report_id=report.pk,
                indicator_id=indicator_id,
                funding_source_id=source_id,
                value=value,
                numerator=numerator,
                denominator=denominator,
                note=note,
            )
            for indicator_id, source_id, value, numerator, denominator, note in spec.rows
        ]
        for report, (spec, _written) in zip(reports, inserted, strict=True)
    ]
    realizations = [r for rows in realization_lists for r in rows]
    Realization.objects.bulk_create(realizations, batch_size=REALIZATION_BATCH)
    summary.realizations += len(realizations)
    _write_history(
        [
            (report, written, 0, rows)
            for report, (_spec, written), rows in zip(
                reports, inserted, realization_lists, strict=True
            )
        ],
        ctx,
    )
    return inserted


@dataclass
class _Traces:
    """What is recorded of some demo reports, to tell the seed's writes from a user's."""

    records: dict[int, list[tuple]]  # report id -> (date, user, reason, status, version, type)
    comments: dict[int, Counter]  # report id -> (author, kind, text, date)
    rows: dict[int, set]  # report id -> {(type, date, user)} of its realizations' history
    attached: set[int]  # reports with an attachment

    @classmethod
    def load(cls, reports: list[MonthlyReport]) -> _Traces:
        ids = [report.pk for report in reports]
        records, comments, rows = defaultdict(list), defaultdict(Counter), defaultdict(set)
        for report_id, *record in (
            MonthlyReport.history.filter(id__in=ids)
            .order_by("history_date", "history_id")
            .values_list(
                "id",
                "history_date",
                "history_user_id",
                "history_change_reason",
                "status",
                "version",
                "history_type",
            )
        ):
            records[report_id].append(tuple(record))
        for report_id, *comment in Comment.objects.filter(report_id__in=ids).values_list(
            "report_id", "author_id", "kind", "text", "created_at"
        ):
            comments[report_id][tuple(comment)] += 1
        for report_id, *record in Realization.history.filter(report_id__in=ids).values_list(
            "report_id", "history_type", "history_date", "history_user_id"
        ):
            rows[report_id].add(tuple(record))
        attached = set(
            Attachment.objects.filter(report_id__in=ids).values_list("report_id", flat=True)
        )
        return cls(records, comments, rows, attached)

    def unrecorded(self, report: MonthlyReport) -> bool:
        """Whether nothing at all is recorded of `report`: no history record, comment,
        attachment or history of its figures. The seed wrote no history before 1 December
        2026, and a user cannot touch a report without leaving one of these (a save, a
        decision or an edit in the admin writes a history record)."""
        return not (
            self.records.get(report.pk)
            or self.comments.get(report.pk)
            or self.rows.get(report.pk)
            or report.pk in self.attached
        )

    def only_seed(self, report: MonthlyReport, written: list[Step]) -> bool:
        """Whether everything recorded of `report` is what the demo wrote (the first
        `report.version` steps of its life, exactly: times, users, reasons, statuses and
        the return reasons in its conversation), nothing a user did: no other history
        record (a save, a submission, a verification in the app, an edit in the admin),
        comment, attachment or change to its figures."""
        count = report.version
        records = self.records.get(report.pk, [])
        if not 0 < count == len(records) <= len(written) or report.pk in self.attached:
            return False
        steps = written[:count]
        for index, (record, step) in enumerate(zip(records, steps, strict=True)):
            expected = (
                step.when,
                step.user,
                step.reason,
                step.fields["status"],
                index + 1,
                "~" if index else "+",
            )
            if record != expected:
                return False
        if any(getattr(report, name) != value for name, value in steps[-1].fields.items()):
            return False
        returns = Counter(
            (step.user, Comment.Kind.RETURN.value, step.fields["return_reason"], step.when)
            for step in steps
            if step.fields["status"] == Status.RETURNED
        )
        first = steps[0]
        return self.comments.get(report.pk, Counter()) == returns and self.rows.get(
            report.pk, set()
        ) <= {("+", first.when, first.user)}


def _settle(specs: list[ReportSpec], ctx: Context, summary: SeedSummary) -> list[Written]:
    """Bring the slots of `specs` up to the cutoff (`top_up_demo`), as a fresh seed that
    day would leave them: a slot without a report gets it (unless a report there was
    deleted); a demo report only the seed ever wrote moves on with its life, its history
    continued with the steps since (a draft submitted, a submission verified, a returned
    report corrected). A report a user touched, and every report of a user's own, stays
    exactly as it is. Returns the slots whose report is the seed's alone."""
    if not specs:
        return []
    first = min(spec.month for spec in specs)
    codes = {spec.regency for spec in specs}
    place = Q(regency_id__in=[code for code in codes if code is not None])
    if None in codes:
        place |= Q(regency__isnull=True)
    existing = {
        (r.regency_id, r.program_id, r.month): r
        for r in MonthlyReport.objects.filter(place, year=ctx.year, month__gte=first)
    }
    deleted = set(
        MonthlyReport.history.filter(
            place, year=ctx.year, month__gte=first, history_type="-"
        ).values_list("regency_id", "program_id", "month")
    )
    traces = _Traces.load([report for report in existing.values() if report.is_demo])
    new, moved, kept, adopted = [], [], [], []
    for spec in specs:
        key = (spec.regency, spec.program.pk, spec.month)
        report = existing.get(key)
        if report is None:
            if key not in deleted:
                new.append(spec)
            continue
        if not report.is_demo:
            continue
        written = spec.written(ctx.cutoff)
        if traces.unrecorded(report):
            # A demo made before the seed wrote history (29-30 November 2026): its reports
            # took lives drawn otherwise, and nothing tells which step each one is at.
            # Untouched, such a report takes its slot's life as a fresh seed writes it,
            # history included, unless that life has not yet come as far (a verified
            # report never goes back to the queue).
            if written and _progress(written[-1].fields["status"]) >= _progress(report.status):
                adopted.append((report, written))
                kept.append((spec, written))
            continue
        if not traces.only_seed(report, written):
            # A demo made before holidays and collective leave were days off: its
            # reports go on with the lives they began (weekends only), so a report in
            # the queue is still verified, a returned one still corrected.
            spec = spec.before_holidays(ctx)
            written = [] if spec is None else spec.written(ctx.cutoff)
            if spec is None or not traces.only_seed(report, written):
                continue
        if report.version < len(written):
            moved.append((report, written))
        kept.append((spec, written))
    entries = []
    for report, written in moved:
        start = report.version
        for name, value in written[-1].fields.items():
            setattr(report, name, value)
        report.version, report.updated_at = len(written), written[-1].when
        entries.append((report, written, start, []))
        summary.settled[written[-1].fields["status"]] += 1
    figures = defaultdict(list)  # their figures get the first history records too
    for realization in Realization.objects.filter(
        report_id__in=[report.pk for report, _written in adopted]
    ).order_by("pk"):
        figures[realization.report_id].append(realization)
    for report, written in adopted:
        for name, value in written[-1].fields.items():
            setattr(report, name, value)
        report.version, report.created_at = len(written), written[0].when
        report.updated_at = written[-1].when
        entries.append((report, written, 0, figures[report.pk]))
        summary.settled[written[-1].fields["status"]] += 1
    MonthlyReport.objects.bulk_update(
        [report for report, *_rest in entries],
        [*UNSUBMITTED, "version", "created_at", "updated_at"],
        batch_size=REPORT_BATCH,
    )
    _write_history(entries, ctx)
    return _insert(new, ctx, set(), summary) + kept


def _progress(status: str) -> int:
    """How far a report has come: a draft, then in the verifier's hands (submitted or
    returned), then verified."""
    return {Status.DRAFT: 0, Status.VERIFIED: 2}.get(status, 1)


def _lock_exceptions(written: list[Written], ctx: Context) -> int:
    """The lock exceptions of the demo's reports (new, or the seed's alone): the story's
    report, still returned when its month locked, was opened for correction by the
    verifier the day after (`_regency_life`), and keeps that exception once corrected;
    any other report returned in a locked month is opened until REPORT_CORRECTION_DAYS
    from today. Nobody is stuck. A slot with an exception already (granted in the admin,
    or by an earlier run) keeps it."""
    correction = dt.timedelta(days=int(getattr(settings, "REPORT_CORRECTION_DAYS", 14)))
    wanted = {}
    for spec, steps in written:
        if spec.regency is None or not ctx.locked(spec.month):
            continue
        if spec.opened is not None:
            wanted[(spec.regency, spec.program.pk, spec.month)] = spec.opened
        elif steps[-1].fields["status"] == Status.RETURNED:
            wanted[(spec.regency, spec.program.pk, spec.month)] = (None, ctx.today + correction)
    if not wanted:
        return 0
    existing = set(
        LockException.objects.filter(
            year=ctx.year, regency_id__in={regency for regency, _p, _m in wanted}
        ).values_list("regency_id", "program_id", "month")
    )
    new = [
        (
            LockException(
                regency_id=regency,
                program_id=program,
                year=ctx.year,
                month=month,
                until=until,
                reason=f"{DEMO_NOTE_PREFIX} laporan yang dikembalikan belum diperbaiki ketika "
                "bulannya terkunci; dibuka untuk perbaikan sampai tanggal ini.",
                granted_by_id=ctx.users.get("verifikator"),
            ),
            granted,
        )
        for (regency, program, month), (granted, until) in sorted(wanted.items())
        if (regency, program, month) not in existing
    ]
    LockException.objects.bulk_create([exception for exception, _granted in new])
    dated = []
    for exception, granted in new:  # bulk_create stamped them now (auto_now_add)
        if granted is not None:
            exception.granted_at = granted
            dated.append(exception)
    LockException.objects.bulk_update(dated, ["granted_at"], batch_size=REPORT_BATCH)
    return len(new)


def _fix_report_dates(ctx: Context) -> None:
    """bulk_create stamps created_at/updated_at with now: give the rows inserted by this
    run (stamped after it started) the times of their first and last history records (two
    set-based updates per year, no per-row queries)."""
    if connection.vendor == "postgresql":
        # The rows were inserted in this same transaction, after the last autovacuum: with
        # statistics that still describe near-empty tables the planner scanned the whole
        # history table once per report (over 10 minutes at 500 regencies x 5 years).
        history_table = MonthlyReport.history.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {MonthlyReport._meta.db_table}, {history_table}")
    records = MonthlyReport.history.model.objects.filter(id=OuterRef("pk"))
    MonthlyReport.objects.filter(
        year=ctx.year, is_demo=True, created_at__gte=ctx.started_at
    ).update(
        created_at=Subquery(
            records.order_by("history_date", "history_id").values("history_date")[:1]
        ),
        updated_at=Subquery(
            records.order_by("-history_date", "-history_id").values("history_date")[:1]
        ),
    )


def _context(year: int, seed: int, today: dt.date, stats, users, until=None) -> Context:
    indicators = {
        _indicator_key(indicator): indicator
        for indicator in Indicator.objects.select_related("program").filter(program__active=True)
        if _indicator_key(indicator) in BUILDERS
    }
    program_ids = {indicator.program_id for indicator in indicators.values()}
    programs = [program for program in Program.objects.filter(pk__in=program_ids)]
    # Active sources only: a retired one is never chosen anew (rules.retired_source_refusal).
    sources = dict(FundingSource.objects.filter(active=True).values_list("code", "pk"))
    default_source = sources.get("tidak-dirinci") or next(iter(sources.values()), None)
    targets = {
        (target.indicator_id, target.regency_id): target
        for target in Target.objects.filter(year=year, indicator__in=list(indicators.values()))
    }
    return Context(
        year=year,
        seed=seed,
        today=today,
        cutoff=_cutoff(today),
        started_at=timezone.now(),
        tz=timezone.get_default_timezone(),
        month_limit=last_reportable_month(year, today, until),
        stats=stats,
        programs=programs,
        indicators=indicators,
        targets=targets,
        sources=sources,
        default_source=default_source,
        users=users,
        inflation=_province_inflation(seed, year),
        days_off=DAYS_OFF,
        reasons={
            "saved": site_text(HISTORY_SAVED),
            "submitted": site_text(HISTORY_SUBMITTED),
            "verified": site_text(HISTORY_VERIFIED),
            "published": site_text(HISTORY_PROVINCE_PUBLISHED),
        },
    )


def seed_reports(
    year: int,
    regencies: list[Regency],
    stats: dict[str, RegencyStats],
    users: dict[str, int],
    summary: SeedSummary,
    *,
    seed: int,
    today: dt.date,
    until: tuple[int, int] | None = None,
    from_month: tuple[int, int] | None = None,
) -> None:
    """The demo reports of `year` as of `today`: for regencies without demo reports in it;
    or, with `from_month` (the (year, month) a top-up looks at from: `top_up_demo`), every
    slot from that month on, for every regency and the province (`_settle`). Either way, a
    report is what a fresh seed on `today` makes of its slot."""
    ctx = _context(year, seed, today, stats, users, until)
    if ctx.default_source is None or not ctx.programs:
        summary.skipped.append(f"{year}: tidak ada sumber dana atau indikator yang dikenal")
        return
    if ctx.month_limit == 0:
        summary.skipped.append(f"{year}: belum ada bulan yang selesai (hanya target)")
        return
    made_before = summary.made
    if from_month is None:
        demo_in_year = MonthlyReport.objects.filter(year=year, is_demo=True)
        seeded = set(
            demo_in_year.filter(regency__isnull=False)
            .values_list("regency_id", flat=True)
            .distinct()
        )
        occupied = set(
            MonthlyReport.objects.filter(year=year, is_demo=False).values_list(
                "regency_id", "program_id", "month"
            )
        )
        pending = [r for r in regencies if r.code not in seeded]
        if seeded:
            summary.skipped.append(
                f"{year}: {len(seeded)} wilayah sudah punya laporan demo (pakai --reset untuk "
                "membuat ulang)"
            )
        with_province = not demo_in_year.filter(regency__isnull=True).exists()
        first_month_in_year = 1

        def write(specs):
            return _insert(specs, ctx, occupied, summary)

    else:
        pending, with_province = regencies, True
        first_month_in_year = from_month[1] if year == from_month[0] else 1

        def write(specs):
            return _settle(specs, ctx, summary)

    def window(specs):
        return [spec for spec in specs if spec.month >= first_month_in_year]

    written = []
    for index in range(0, len(pending), REGENCY_CHUNK):
        chunk = pending[index : index + REGENCY_CHUNK]
        specs = []
        for regency in chunk:
            specs.extend(_regency_reports(stats[regency.code], ctx))
        written += write(window(specs))
    if with_province:
        written += write(window(_province_reports(ctx)))
    if summary.made > made_before:  # no statement at all otherwise (a data version bump)
        _fix_report_dates(ctx)
    summary.lock_exceptions += _lock_exceptions(written, ctx)


# ---------------------------------------------------------------------------------------
# Entry point


@contextmanager
def one_demo_run_at_a_time():
    """A transaction that no other demo run (seed, top-up, bootstrap) shares: two `make
    run`s, or two containers starting together on one database, each found no reports
    and seeded, and the second stopped on an IntegrityError. PostgreSQL: an advisory lock
    held until commit, taken before anything is read; the second run then finds the
    first's demo and tops it up (nothing new that day). SQLite takes its write lock when
    the transaction begins (settings: IMMEDIATE); the run waits for it longer than a
    request would. Runs nested in one another take it once."""
    if connection.in_atomic_block:
        with transaction.atomic():
            if connection.vendor == "postgresql":  # re-entrant within the session
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DEMO_LOCK])
            yield
        return
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            usual = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_WAIT_MS}")
        try:
            with transaction.atomic():
                yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {int(usual)}")
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DEMO_LOCK])
        yield


def seed_demo(
    *,
    years: list[int] | None = None,
    synthetic_regencies: int = 0,
    reset: bool = False,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    until: tuple[int, int] | None = None,
) -> SeedSummary:
    """Create (or complete) the demo data set; see the module docstring.

    Without `years`, every year from the programs' launch up to the last closed month
    before today (or up to `until`, a (year, month) that pins the end for tests).
    """
    started = time.monotonic()
    today = today or timezone.localdate()
    years = sorted(set(years or demo_years(today, until)))
    summary = SeedSummary(years=years)
    with one_demo_run_at_a_time():
        if reference_data_missing():
            load_reference_fixtures()
            summary.fixtures_loaded = True
        if reset:
            summary.deleted = reset_demo_data()
        summary.synthetic_created = ensure_synthetic_regencies(synthetic_regencies)
        regencies = list(Regency.objects.order_by("code"))
        summary.regencies_real = sum(1 for r in regencies if not r.is_synthetic)
        summary.regencies_synthetic = len(regencies) - summary.regencies_real
        summary.users_created, skipped_accounts = ensure_demo_accounts(regencies)
        summary.skipped += skipped_accounts
        users = _demo_user_ids(regencies)
        stats = regency_stats(regencies)
        for year in years:
            ensure_targets(year, regencies, stats, summary)
            seed_reports(
                year, regencies, stats, users, summary, seed=seed, today=today, until=until
            )
    summary.seconds = time.monotonic() - started
    return summary


def _demo_user_ids(regencies: list[Regency]) -> dict[str, int]:
    """User ids by role name, and operators by regency code (for who/when fields)."""
    User = get_user_model()
    names = {"admin": "admin", "verifikator": "verifikator"}
    for regency in regencies:
        if not regency.is_synthetic:
            names[regency.code] = f"operator-{regency.code.replace('.', '')}"
    # Demo accounts only (`demo_accounts`): a real user with such a username is nobody's
    # who in the demo history.
    accounts = Q()
    for username, first_name, *_rest in demo_accounts(regencies):
        if username in names.values():
            accounts |= Q(username=username, first_name=first_name)
    ids = dict(User.objects.filter(accounts).values_list("username", "pk"))
    return {key: ids.get(username) for key, username in names.items()}


def _cutoff(today: dt.date) -> dt.datetime:
    """The demo made on `today` holds what happened before it began (midnight, Jakarta):
    made again, or topped up, later the same day, it finds nothing new."""
    return dt.datetime.combine(today, dt.time(0), timezone.get_default_timezone())


def demo_reach() -> tuple[int, int] | None:
    """The last month the demo data reaches (its latest regency report), None without
    demo reports."""
    return (
        MonthlyReport.objects.filter(is_demo=True, regency__isnull=False)
        .order_by("-year", "-month")
        .values_list("year", "month")
        .first()
    )


# A report's life ends within four months after its month (the story's report, corrected
# after the next month locked: `_regency_life`): a top-up looks back one month more.
SETTLE_MONTHS = 5


def top_up_demo(*, today: dt.date | None = None, seed: int = DEFAULT_SEED) -> SeedSummary | None:
    """Bring a live demo up to `today`, as a fresh seed that day would leave it: the
    months closed since it was made (or last topped up) get their reports, for every
    regency, program and the province, with their history, and a new year its demo
    targets; the demo's own reports of the months before, that no user touched, move on
    (submitted, verified, returned, corrected: `_settle`), their history continued. A
    report a user touched (a save, a decision, a comment, an attachment, an edit in the
    admin), a user's own report, a target, an account and a lock exception stay as they
    are. None when nothing changed (no demo data, or run again the same day)."""
    started = time.monotonic()
    today = today or timezone.localdate()
    reach = demo_reach()
    if reach is None:
        return None
    end = last_closed_month(today)
    back = reach[0] * 12 + reach[1] - 1 - SETTLE_MONTHS
    from_month = (back // 12, back % 12 + 1)
    years = list(range(from_month[0], end[0] + 1))
    summary = SeedSummary(years=[year for year in years if year >= reach[0]])
    with one_demo_run_at_a_time():
        regencies = list(Regency.objects.order_by("code"))
        summary.regencies_real = sum(1 for r in regencies if not r.is_synthetic)
        summary.regencies_synthetic = len(regencies) - summary.regencies_real
        users = _demo_user_ids(regencies)
        stats = regency_stats(regencies)
        for year in years:
            if year > reach[0]:  # a year the demo has not begun: its targets first
                ensure_targets(year, regencies, stats, summary)
            seed_reports(
                year,
                regencies,
                stats,
                users,
                summary,
                seed=seed,
                today=today,
                from_month=from_month,
            )
    summary.seconds = time.monotonic() - started
    return summary if summary.changed else None


def bootstrap_demo(*, today: dt.date | None = None) -> list[str]:
    """For `make run`: reference data if the database has none; demo data if it has no
    reports; on a demo database (one with demo reports), what happened since the demo
    was made (`top_up_demo`). Returns what was done, line by line. One run at a time
    (`one_demo_run_at_a_time`): a second started meanwhile waits, then finds the first's
    demo."""
    with one_demo_run_at_a_time():
        return _bootstrap_demo(today)


def _bootstrap_demo(today: dt.date | None) -> list[str]:
    done = []
    if not Regency.objects.exists() or not Program.objects.exists():
        load_reference_fixtures()
        done.append("Data referensi (fixtures) dimuat.")
    else:
        done.append("Data referensi sudah ada.")
    if not MonthlyReport.objects.exists():
        summary = seed_demo(today=today)
        done.append("Data demo dibuat:")
        done.extend(f"  {line}" for line in summary.lines())
    elif demo_reach() is None:
        done.append("Laporan bulanan sudah ada; data demo tidak dibuat.")
    else:
        summary = top_up_demo(today=today)
        reach = month_year_label(*demo_reach())
        if summary is None:
            done.append(f"Data demo sudah ada sampai {reach}; tidak ada yang baru.")
        else:
            done.append(f"Data demo dilanjutkan sampai {reach} (yang terjadi sejak dibuat):")
            done.extend(f"  {line}" for line in summary.lines())
    return done
