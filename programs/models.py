"""Programs, indicators, targets, monthly reports and realizations.

Every indicator carries an explicit `measure` that fixes how its numbers aggregate over
months and over regencies; `programs.progress` holds the rules that apply it.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programs.vocabulary import data_word, in_reader_language
from regencies.models import Regency

# The years anything can be reported, targeted or asked for: the one range every form,
# URL, import, filter and command checks.
MIN_YEAR, MAX_YEAR = 2000, 2100
DUE_DATE_OUTSIDE_YEAR = _(
    "Batas waktu harus jatuh pada tahun target (%(year)s) atau tahun berikutnya."
)
BASELINE_NEGATIVE = _("Nilai dasar (baseline) tidak boleh negatif.")
# A year before the program existed is a typing slip (2004 for 2024): its figures are never
# reported (nothing is owed before the launch) nor shown.
TARGET_BEFORE_LAUNCH = _(
    "Program %(program)s diluncurkan %(launch)s: target paling awal untuk tahun %(earliest)s. "
    "Periksa tahunnya."
)
# Messages of database constraints shared by several models.
MONTH_1_12 = _("Bulan harus antara 1 dan 12.")
REASON_REQUIRED = _("Isi alasannya.")
NEGATIVE_ONLY_FOR_LEVEL = _(
    "Hanya indikator dengan cara agregasi 'nilai tingkat' yang boleh negatif: penambahan, "
    "kumulatif dan rasio tidak pernah di bawah nol."
)
UNSPECIFIED_SOURCE_FIXED = _(
    'Sumber dana "Tidak dirinci" dipakai untuk indikator rasio dan tingkat serta baris '
    "tanpa sumber: kodenya tidak dapat diubah dan sumber ini tidak dapat dinonaktifkan."
)
SOURCE_CODE_LOCKED = _(
    "Kode tidak dapat diubah setelah sumber dana ini dipakai realisasi (%(n)s baris): "
    "formulir isian, templat dan berkas impor mengenali sumber dana dari kodenya "
    "(%(code)s). Ubah namanya saja bila perlu."
)
# A lock exception that would change nothing, or open a month for good (LockException.clean).
LOCK_EXCEPTION_FUTURE = _("Bulan ini belum berjalan: belum ada yang dikunci.")
LOCK_EXCEPTION_TOO_LONG = _(
    "Paling lambat %(date)s (satu tahun dari hari ini): pengecualian membuka bulan untuk "
    "sementara, bukan selamanya."
)
LOCK_EXCEPTION_UNTIL_HELP = _(
    "Operator dapat mengubah laporan bulan itu sampai akhir tanggal ini. Paling lambat "
    "%(date)s (satu tahun dari hari ini)."
)


def lock_exception_longest(today: dt.date) -> dt.date:
    """The last day a lock exception granted on `today` may run to: the same day a year
    later (29 February: the 28th). It was 366 days on, a day past a year in most years
    ("s.d. 2 Desember 2027" on 1 December 2026)."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


LOCK_EXCEPTION_NOT_REQUIRED = _(
    "Kabupaten/kota ini tidak wajib melaporkan program ini untuk bulan itu (program belum "
    "diluncurkan, atau wilayah ini dibebaskan) dan belum ada laporannya: tidak ada yang "
    "perlu dibuka."
)
LOCK_EXCEPTION_PAST = _("Tanggal ini sudah lewat: pengecualian tidak akan berlaku.")
LOCK_EXCEPTION_USELESS = _(
    "Bulan ini masih dapat diubah operator sampai %(date)s tanpa pengecualian: pilih tanggal "
    "sesudahnya."
)


def is_valid_period(year: int, month: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12


class ProgramManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def worked_on_by(self, user) -> models.QuerySet:
        """Active programs a user reports on or verifies (the rule: `permissions`)."""
        from programs import permissions

        return permissions.programs_for(user)


LAUNCH_YEAR_UNLIKELY = _(
    "Tahun peluncuran antara %(earliest)s dan %(latest)s: periksa tahunnya (bulan sebelum "
    "peluncuran tidak wajib dilaporkan)."
)
LAUNCH_AFTER_REPORTS = _(
    "Program ini sudah punya laporan sejak %(month)s: tanggal peluncuran paling lambat bulan "
    "itu. Bulan sebelum peluncuran tidak wajib dilaporkan, jadi bulan yang belum "
    "dilaporkan akan hilang dari kelengkapan dan pengingat."
)
LAUNCH_AFTER_EXEMPTIONS = _(
    "Dengan peluncuran %(launch)s, pengecualian kewajiban lapor berikut seluruhnya jatuh "
    "sebelum %(first)s dan tidak lagi mengecualikan apa pun: %(exemptions)s. Hapus "
    "pengecualian itu dahulu (Pengecualian kewajiban lapor), lalu simpan tanggal peluncuran "
    "ini."
)


class Program(models.Model):
    slug = models.SlugField(_("kode (slug)"), max_length=40, unique=True)
    acronym = models.CharField(
        _("singkatan"),
        max_length=20,
        null=True,
        blank=True,
        help_text=_("Kosongkan bila tidak ada singkatan resmi; jangan mengarang."),
    )
    name = models.CharField(_("nama"), max_length=200)
    # The name English pages show (`display_name`); blank: the Indonesian one.
    name_en = models.CharField(
        _("nama (Inggris)"), max_length=200, blank=True, help_text=_("kosongkan bila sama")
    )
    description = models.TextField(_("deskripsi"), blank=True)
    lead_agency = models.CharField(_("OPD penanggung jawab"), max_length=200, blank=True)
    lead_agency_en = models.CharField(
        _("OPD penanggung jawab (Inggris)"),
        max_length=200,
        blank=True,
        help_text=_("kosongkan bila sama"),
    )
    launch_date = models.DateField(_("tanggal peluncuran"), null=True, blank=True)
    launch_note = models.CharField(
        _("keterangan peluncuran"),
        max_length=200,
        blank=True,
        help_text=_("Bila tanggal pasti tidak diketahui, mis. 'Sejak 2021'."),
    )
    launch_note_en = models.CharField(
        _("keterangan peluncuran (Inggris)"),
        max_length=200,
        blank=True,
        help_text=_("kosongkan bila sama"),
    )
    colour = models.CharField(
        _("warna"),
        max_length=7,
        default="#1f5f8b",
        help_text=_("Kode warna heksadesimal, mis. #1f5f8b."),
    )
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    active = models.BooleanField(_("aktif"), default=True)
    source_note = models.TextField(_("catatan sumber"), blank=True)

    objects = ProgramManager()

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = pgettext_lazy("jamak", "program")
        ordering = ["order", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(colour__regex=r"^#[0-9A-Fa-f]{6}$"),
                name="program_colour_hex",
                violation_error_message=_("Warna harus berformat #RRGGBB."),
            ),
        ]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("programs:program", args=[self.slug])

    def clean(self):
        """The launch date decides from which month every regency owes reports: a year
        typed wrong (2204 for 2024, 0024) or a date after months already reported would
        silently make the months not yet reported "tidak wajib", off completeness and
        reminders. A program starting next year can be entered ahead. Checked when the
        date is set or changed."""
        super().clean()
        launch = self.launch_date
        if launch is None:
            return
        stored = Program.objects.filter(pk=self.pk).values_list("launch_date", flat=True)
        if self.pk is not None and stored.first() == launch:
            return  # unchanged: other fields are saved as before
        latest = timezone.localdate().year + 1
        if not MIN_YEAR <= launch.year <= latest:
            params = {"earliest": MIN_YEAR, "latest": latest}
            raise ValidationError({"launch_date": LAUNCH_YEAR_UNLIKELY % params})
        if self.pk is None:
            return
        first = (
            MonthlyReport.objects.filter(program_id=self.pk)
            .order_by("year", "month")
            .values_list("year", "month")
            .first()
        )
        if first is not None and first < (launch.year, launch.month):
            from programs.formats import month_year_label

            month = month_year_label(*first)
            raise ValidationError({"launch_date": LAUNCH_AFTER_REPORTS % {"month": month}})
        self._clean_exemptions_before(launch, stored.first())

    def _clean_exemptions_before(self, launch: dt.date, stored: dt.date | None) -> None:
        """A launch moved later (or set) would leave exemptions wholly before it: they
        exempt nothing then, the exemption's own rule refuses them (`ReportingExemption.
        lies_before_launch`), so the admin could no longer edit them, only delete them.
        Refused, naming them, rather than saved with a warning: deleting them first
        is one step, and no row is left that the admin reads as a regency let off.
        Exemptions already before the stored launch (older than that rule) are not this
        change's doing and do not stop it."""
        stranded = [
            exemption
            for exemption in ReportingExemption.objects.filter(program_id=self.pk)
            .select_related("regency", "program", "indicator")
            .order_by("regency_id", "start")
            if exemption.lies_before_launch(launch)
            and not (stored is not None and exemption.lies_before_launch(stored))
        ]
        if not stranded:
            return
        from programs.formats import date_label, month_year_label

        listed = "; ".join(f"{e} ({e.period_label()})" for e in stranded)
        params = {
            "launch": date_label(launch),
            "first": month_year_label(launch.year, launch.month),
            "exemptions": listed,
        }
        raise ValidationError({"launch_date": LAUNCH_AFTER_EXEMPTIONS % params})

    def natural_key(self):
        return (self.slug,)

    @property
    def label(self) -> str:
        """The acronym, else the stored name: the API's and the admin's label."""
        return self.label_of(self.acronym, self.name)

    @property
    def display_name(self) -> str:
        """The name as pages and downloads show it: in English on an English page where
        an English name is given, else the Indonesian one."""
        return in_reader_language(self.name, self.name_en)

    @property
    def display_label(self) -> str:
        """`label` as pages and downloads show it (the acronym, else `display_name`)."""
        return self.acronym or self.display_name

    @property
    def display_launch_note(self) -> str:
        return in_reader_language(self.launch_note, self.launch_note_en)

    @property
    def display_lead_agency(self) -> str:
        return in_reader_language(self.lead_agency, self.lead_agency_en)

    @staticmethod
    def label_of(acronym: str, name: str) -> str:
        """The acronym where one is published, otherwise the full name (for rows read as
        values, without an instance)."""
        return acronym or name


class IndicatorManager(models.Manager):
    def get_by_natural_key(self, program_slug, code):
        return self.get(program__slug=program_slug, code=code)


class Indicator(models.Model):
    class Measure(models.TextChoices):
        INCREMENT = "increment", _("Penambahan per bulan (dijumlah)")
        RUNNING_TOTAL = "running_total", _("Kumulatif s.d. bulan ini")
        RATIO = "ratio", _("Rasio (pembilang/penyebut)")
        LEVEL = "level", _("Nilai tingkat (tidak dijumlah)")

    class Direction(models.TextChoices):
        UP = "up", _("Makin tinggi makin baik")
        DOWN = "down", _("Makin rendah makin baik")

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("program")
    )
    code = models.SlugField(_("kode"), max_length=60)
    name = models.CharField(_("nama"), max_length=250)
    # The name English pages show (`display_name`); blank: the Indonesian one.
    name_en = models.CharField(
        _("nama (Inggris)"), max_length=250, blank=True, help_text=_("kosongkan bila sama")
    )
    unit = models.CharField(_("satuan"), max_length=40)
    decimals = models.PositiveSmallIntegerField(
        _("jumlah desimal"), default=0, validators=[MaxValueValidator(4)]
    )
    direction = models.CharField(
        _("arah"), max_length=4, choices=Direction.choices, default=Direction.UP
    )
    measure = models.CharField(_("cara agregasi"), max_length=14, choices=Measure.choices)
    is_headline = models.BooleanField(_("indikator utama"), default=False)
    numerator_label = models.CharField(
        _("label pembilang"),
        max_length=80,
        blank=True,
        help_text=_("Untuk rasio: apa yang dihitung di pembilang, mis. 'balita stunting'."),
    )
    numerator_label_en = models.CharField(
        _("label pembilang (Inggris)"),
        max_length=80,
        blank=True,
        help_text=_("kosongkan bila sama"),
    )
    denominator_label = models.CharField(
        _("label penyebut"),
        max_length=80,
        blank=True,
        help_text=_("Untuk rasio: apa yang dihitung di penyebut, mis. 'balita diukur'."),
    )
    denominator_label_en = models.CharField(
        _("label penyebut (Inggris)"), max_length=80, blank=True, help_text=_("kosongkan bila sama")
    )
    requires_evidence = models.BooleanField(
        _("wajib bukti"),
        default=False,
        help_text=_("Laporan tidak dapat diajukan tanpa lampiran untuk indikator ini."),
    )
    allows_negative = models.BooleanField(
        _("boleh negatif"),
        default=False,
        help_text=_(
            "Untuk nilai tingkat yang dapat di bawah nol, mis. inflasi tahunan: deflasi "
            "ditulis -0,09. Hanya untuk cara agregasi 'nilai tingkat': jumlah, kumulatif "
            "dan rasio tidak pernah negatif."
        ),
    )
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    description = models.TextField(_("definisi"), blank=True)
    source_note = models.TextField(_("catatan sumber"), blank=True)

    objects = IndicatorManager()

    class Meta:
        verbose_name = _("indikator")
        verbose_name_plural = pgettext_lazy("jamak", "indikator")
        ordering = ["program__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "code"],
                name="indicator_code_unique_per_program",
                violation_error_message=_("Kode indikator sudah dipakai di program ini."),
            ),
            models.UniqueConstraint(
                fields=["program"],
                condition=Q(is_headline=True),
                name="one_headline_indicator_per_program",
                violation_error_message=_("Satu program hanya boleh punya satu indikator utama."),
            ),
            models.CheckConstraint(
                condition=Q(measure__in=["increment", "running_total", "ratio", "level"]),
                name="indicator_measure_valid",
                violation_error_message=_("Ukuran indikator tidak dikenal."),
            ),
            models.CheckConstraint(
                condition=Q(direction__in=["up", "down"]),
                name="indicator_direction_valid",
                violation_error_message=_("Arah indikator tidak dikenal."),
            ),
            models.CheckConstraint(
                condition=Q(allows_negative=False) | Q(measure="level"),
                name="indicator_negative_only_for_level",
                violation_error_message=NEGATIVE_ONLY_FOR_LEVEL,
            ),
        ]

    def __str__(self):
        return f"{self.program.label}: {self.name}"

    @property
    def display_name(self) -> str:
        """The name as shown: its English name on an English page where one is given,
        else the Indonesian one."""
        return self.display_name_of(self.name, self.name_en)

    @staticmethod
    def display_name_of(name: str, name_en: str, language: str | None = None) -> str:
        """`display_name` for rows read as values, without an instance; in `language`
        where given (rows written after the request's language is gone), else the
        active one."""
        return in_reader_language(name, name_en, language)

    @property
    def display_numerator_label(self) -> str:
        """A ratio's numerator label as shown ("balita stunting"), as `display_name`."""
        return in_reader_language(self.numerator_label, self.numerator_label_en)

    @property
    def display_denominator_label(self) -> str:
        return in_reader_language(self.denominator_label, self.denominator_label_en)

    @property
    def unit_label(self) -> str:
        """The unit as shown: in the reader's language when it is a word of the reference
        data ("rumah": "houses" in English), else as stored."""
        return data_word(self.unit)

    def natural_key(self):
        return (*self.program.natural_key(), self.code)

    natural_key.dependencies = ["programs.program"]

    def clean(self):
        super().clean()
        if self.allows_negative and self.measure != self.Measure.LEVEL:
            raise ValidationError({"allows_negative": NEGATIVE_ONLY_FOR_LEVEL})

    @property
    def may_be_negative(self) -> bool:
        """Whether a value of this indicator may be below zero (a realization's value, a
        target's baseline): a level that allows it. The rule of the entry rules
        (rules.allows_negative), the target forms and import, and the database's
        triggers (programs/guards.py); it holds even for a row saved around the setting."""
        return self.allows_negative and self.measure == self.Measure.LEVEL


class FundingSourceManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class FundingSource(models.Model):
    """Where the money for an achievement came from; named partners are sources too."""

    class Category(models.TextChoices):
        APBN = "apbn", _("APBN")
        APBD_PROV = "apbd_prov", _("APBD Provinsi")
        APBD_KAB = "apbd_kab", _("APBD Kabupaten/Kota")
        DANA_DESA = "dana_desa", _("Dana Desa")
        BAZNAS = "baznas", _("Baznas")
        CSR = "csr", _("CSR perusahaan")
        BUMN_BUMD = "bumn_bumd", _("BUMN/BUMD")
        SWADAYA = "swadaya", _("Swadaya masyarakat")
        LAINNYA = "lainnya", _("Lainnya")
        TIDAK_DIRINCI = "tidak_dirinci", _("Tidak dirinci")

    code = models.SlugField(_("kode"), max_length=60, unique=True)
    category = models.CharField(_("kategori"), max_length=16, choices=Category.choices)
    name = models.CharField(_("nama"), max_length=200)
    is_partner = models.BooleanField(
        _("mitra bernama"),
        default=False,
        help_text=_("Perusahaan, BUMD atau lembaga tertentu di dalam kategorinya."),
    )
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    active = models.BooleanField(_("aktif"), default=True)
    source_note = models.TextField(_("catatan sumber"), blank=True)

    # The source of every rate and level (they are not broken down by source) and of a
    # row entered without one: the entry form, the import and the templates rely on it.
    UNSPECIFIED = "tidak-dirinci"

    objects = FundingSourceManager()

    class Meta:
        verbose_name = _("sumber dana / mitra")
        verbose_name_plural = pgettext_lazy("jamak", "sumber dana / mitra")
        ordering = ["order", "category", "name"]

    def __str__(self):
        # A generic source ("Tidak dirinci") in the reader's language; names as stored.
        return data_word(self.name)

    def natural_key(self):
        return (self.code,)

    def clean(self):
        """ "Tidak dirinci" stays as it is: retired or renamed, no rate or level could be
        entered any more. Another source keeps its code once realizations use it: the
        entry form posts it, and templates and files already downloaded name it (renamed,
        their rows were refused as an unknown source)."""
        if self.pk is None:
            return
        stored = FundingSource.objects.filter(pk=self.pk).values_list("code", flat=True).first()
        if stored == self.UNSPECIFIED and (self.code != stored or not self.active):
            raise ValidationError(UNSPECIFIED_SOURCE_FIXED)
        if stored is not None and self.code != stored:
            used = Realization.objects.filter(funding_source_id=self.pk).count()
            if used:
                from programs.formats import number

                params = {"n": number(used, 0), "code": stored}
                raise ValidationError({"code": SOURCE_CODE_LOCKED % params})


# Planned splits of a target are stated in coarser groups than funding categories: the
# press gives "APBD" without separating the province's and the regencies' budgets.
SPLIT_GROUP_OF_CATEGORY = {
    FundingSource.Category.APBN: "apbn",
    FundingSource.Category.APBD_PROV: "apbd",
    FundingSource.Category.APBD_KAB: "apbd",
    FundingSource.Category.DANA_DESA: "dana_desa",
    FundingSource.Category.BAZNAS: "baznas",
    FundingSource.Category.CSR: "csr",
    FundingSource.Category.BUMN_BUMD: "bumn_bumd",
    FundingSource.Category.SWADAYA: "swadaya",
    FundingSource.Category.LAINNYA: "lainnya",
    FundingSource.Category.TIDAK_DIRINCI: "tidak_dirinci",
}


class TargetManager(models.Manager):
    def get_by_natural_key(self, program_slug, indicator_code, regency_code, year):
        return self.get(
            indicator__program__slug=program_slug,
            indicator__code=indicator_code,
            regency_id=regency_code,
            year=year,
        )


class Target(models.Model):
    """A year's target for an indicator, for one regency or (regency empty) the province."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="targets", verbose_name=_("indikator")
    )
    regency = models.ForeignKey(
        Regency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("kabupaten/kota"),
        help_text=_("Kosong = target provinsi secara keseluruhan."),
    )
    year = models.PositiveSmallIntegerField(
        _("tahun"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    value = models.DecimalField(
        _("nilai target"),
        max_digits=16,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0))],
    )
    baseline = models.DecimalField(
        _("nilai dasar (baseline)"),
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Untuk indikator 'makin rendah makin baik', rasio dan tingkat."),
    )
    # Negative only where the indicator allows it (Indicator.may_be_negative: a deflation
    # as the year's starting point), which a check constraint cannot see: `clean` refuses
    # it with a message (the admin's forms, the target import), triggers in the database
    # (programs/guards.py). The target value itself is never negative.
    due_date = models.DateField(
        _("batas waktu"), null=True, blank=True, help_text=_("Kosong = 31 Desember.")
    )
    source_note = models.TextField(_("catatan sumber"), blank=True)
    source_url = models.URLField(_("tautan sumber"), blank=True, max_length=500)
    is_demo = models.BooleanField(_("data demo"), default=False)

    history = HistoricalRecords(excluded_fields=[])
    objects = TargetManager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = pgettext_lazy("jamak", "target")
        ordering = ["year", "indicator__program__order", "indicator__order", "regency_id"]
        # The year list on every page probes this once per year instead of reading
        # every target (12,550 at 500 regencies x 5 years: 5 ms a page).
        indexes = [models.Index(fields=["year"], name="target_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "regency", "year"],
                condition=Q(regency__isnull=False),
                name="target_unique_per_regency",
                violation_error_message=_(
                    "Target untuk indikator, kabupaten/kota dan tahun ini sudah ada."
                ),
            ),
            models.UniqueConstraint(
                fields=["indicator", "year"],
                condition=Q(regency__isnull=True),
                name="target_unique_per_province",
                violation_error_message=_(
                    "Target provinsi untuk indikator dan tahun ini sudah ada."
                ),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="target_value_non_negative",
                violation_error_message=_("Nilai target tidak boleh negatif."),
            ),
        ]

    def __str__(self):
        where = self.regency.name if self.regency_id else _("Provinsi")
        return f"{self.indicator} — {where} {self.year}"

    def natural_key(self):
        return (*self.indicator.natural_key(), self.regency_id, self.year)

    natural_key.dependencies = ["programs.indicator", "regencies.regency"]

    @property
    def effective_due_date(self) -> dt.date:
        return self.due_date or dt.date(self.year, 12, 31)

    @staticmethod
    def due_date_fits(year: int | None, due: dt.date | None) -> bool:
        """A target of `year` falls due within that year or the next (the trajectory
        and "days left" are drawn to it; 0001-01-01 or 9999-12-31 are typing slips)."""
        return due is None or year is None or year <= due.year <= year + 1

    def clean(self):
        super().clean()
        errors = {}
        if not self.due_date_fits(self.year, self.due_date):
            errors["due_date"] = DUE_DATE_OUTSIDE_YEAR % {"year": self.year}
        if refused := self.before_launch_refusal():
            errors["year"] = refused
        if not self.baseline_fits(self.indicator if self.indicator_id else None, self.baseline):
            errors["baseline"] = BASELINE_NEGATIVE
        if errors:
            raise ValidationError(errors)

    def before_launch_refusal(self) -> str | None:
        """What to say of a year before the year preceding the program's launch (the
        slack `ReportingExemption.earliest_start` leaves for a launch date corrected
        later); None when the year fits or the program has no launch date."""
        from programs.formats import date_label

        program = self.indicator.program if self.indicator_id else None
        launch = program.launch_date if program is not None else None
        if launch is None or self.year is None or self.year >= launch.year - 1:
            return None
        return TARGET_BEFORE_LAUNCH % {
            "program": program.label,
            "launch": date_label(launch),
            "earliest": launch.year - 1,
        }

    @staticmethod
    def baseline_fits(indicator: Indicator | None, baseline: Decimal | None) -> bool:
        """A baseline below zero only for an indicator that may be negative (a deflation
        as the starting point of GPISS's inflation)."""
        if baseline is None or baseline >= 0:
            return True
        return indicator is not None and indicator.may_be_negative


class TargetSplitManager(models.Manager):
    def get_by_natural_key(self, program_slug, indicator_code, regency_code, year, group):
        return self.get(
            target=Target.objects.get_by_natural_key(
                program_slug, indicator_code, regency_code, year
            ),
            group=group,
        )


class TargetSplit(models.Model):
    """The planned part of a target per funding group (APBD, APBN, Dana Desa, ...)."""

    class Group(models.TextChoices):
        APBN = "apbn", _("APBN")
        APBD = "apbd", _("APBD (provinsi dan kab/kota)")
        DANA_DESA = "dana_desa", _("Dana Desa")
        BAZNAS = "baznas", _("Baznas")
        CSR = "csr", _("CSR perusahaan")
        BUMN_BUMD = "bumn_bumd", _("BUMN/BUMD")
        SWADAYA = "swadaya", _("Swadaya masyarakat")
        LAINNYA = "lainnya", _("Lainnya")
        TIDAK_DIRINCI = "tidak_dirinci", _("Tidak dirinci")

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="splits", verbose_name=_("target")
    )
    group = models.CharField(_("kelompok sumber dana"), max_length=16, choices=Group.choices)
    value = models.DecimalField(
        _("nilai rencana"),
        max_digits=16,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0))],
    )
    source_note = models.TextField(_("catatan sumber"), blank=True)

    objects = TargetSplitManager()

    class Meta:
        verbose_name = _("rencana per sumber dana")
        verbose_name_plural = pgettext_lazy("jamak", "rencana per sumber dana")
        constraints = [
            models.UniqueConstraint(fields=["target", "group"], name="target_split_unique"),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="target_split_non_negative",
                violation_error_message=_("Nilai tidak boleh negatif."),
            ),
        ]

    def __str__(self):
        return f"{self.target}: {self.get_group_display()}"

    def natural_key(self):
        return (*self.target.natural_key(), self.group)

    natural_key.dependencies = ["programs.target"]


class TargetMilestoneManager(models.Manager):
    def get_by_natural_key(self, program_slug, indicator_code, regency_code, year, due_date):
        return self.get(
            target=Target.objects.get_by_natural_key(
                program_slug, indicator_code, regency_code, year
            ),
            due_date=due_date,
        )


class TargetMilestone(models.Model):
    """An intermediate deadline inside a target (1,778 houses by HUT Sumsel, 15 May)."""

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("target")
    )
    label = models.CharField(_("nama tahapan"), max_length=200)
    # The name English pages show (`display_label`); blank: the Indonesian one.
    label_en = models.CharField(
        _("nama tahapan (Inggris)"), max_length=200, blank=True, help_text=_("kosongkan bila sama")
    )
    due_date = models.DateField(_("batas waktu"))
    value = models.DecimalField(
        _("nilai"), max_digits=16, decimal_places=4, validators=[MinValueValidator(Decimal(0))]
    )
    source_note = models.TextField(_("catatan sumber"), blank=True)

    objects = TargetMilestoneManager()

    class Meta:
        verbose_name = _("tahapan target")
        verbose_name_plural = pgettext_lazy("jamak", "tahapan target")
        ordering = ["due_date"]
        constraints = [
            models.UniqueConstraint(fields=["target", "due_date"], name="milestone_unique"),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="milestone_non_negative",
                violation_error_message=_("Nilai tidak boleh negatif."),
            ),
        ]

    def __str__(self):
        return f"{self.label} ({self.due_date:%d-%m-%Y})"

    @property
    def display_label(self) -> str:
        """The milestone's name as shown: in English on an English page where given."""
        return in_reader_language(self.label, self.label_en)

    def natural_key(self):
        return (*self.target.natural_key(), self.due_date.isoformat())

    natural_key.dependencies = ["programs.target"]


class MonthlyReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MonthlyReportQuerySet":
        """The reports a user may read in raw form (the rule: `permissions`)."""
        from programs import permissions

        return permissions.reports_visible_to(user, self)


class MonthlyReport(models.Model):
    """One regency's report for one program and month: submitted, verified, locked.

    A report without regency is the province's own (for `level` indicators such as the
    provincial inflation rate, which is measured, not added up).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Diajukan")
        VERIFIED = "verified", _("Terverifikasi")
        RETURNED = "returned", _("Dikembalikan")

    COUNTED_STATUSES = (Status.SUBMITTED, Status.VERIFIED)

    regency = models.ForeignKey(
        Regency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("kabupaten/kota"),
    )
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="reports", verbose_name=_("program")
    )
    year = models.PositiveSmallIntegerField(
        _("tahun"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    month = models.PositiveSmallIntegerField(
        _("bulan"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dibuat oleh"),
    )
    submitted_at = models.DateTimeField(_("diajukan pada"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diajukan oleh"),
    )
    first_submitted_at = models.DateTimeField(
        _("pertama diajukan pada"),
        null=True,
        blank=True,
        help_text=_("Dasar penilaian ketepatan waktu."),
    )
    verified_at = models.DateTimeField(_("diverifikasi pada"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diverifikasi oleh"),
    )
    returned_at = models.DateTimeField(_("dikembalikan pada"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dikembalikan oleh"),
    )
    return_reason = models.TextField(_("alasan dikembalikan"), blank=True)
    version = models.PositiveIntegerField(_("versi"), default=1)
    is_demo = models.BooleanField(_("data demo"), default=False)

    objects = MonthlyReportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("laporan bulanan")
        verbose_name_plural = pgettext_lazy("jamak", "laporan bulanan")
        ordering = ["-year", "-month", "program__order", "regency_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["regency", "program", "year", "month"],
                condition=Q(regency__isnull=False),
                name="report_unique_per_regency_month",
                violation_error_message=_(
                    "Laporan bulan ini untuk wilayah dan program ini sudah ada."
                ),
            ),
            models.UniqueConstraint(
                fields=["program", "year", "month"],
                condition=Q(regency__isnull=True),
                name="report_unique_per_province_month",
                violation_error_message=_(
                    "Laporan provinsi bulan ini untuk program ini sudah ada."
                ),
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12),
                name="report_month_1_12",
                violation_error_message=MONTH_1_12,
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "verified", "returned"]),
                name="report_status_valid",
                violation_error_message=_("Status laporan tidak dikenal."),
            ),
            models.CheckConstraint(
                condition=~Q(status="verified") | Q(verified_at__isnull=False),
                name="report_verified_has_time",
                violation_error_message=_("Laporan terverifikasi harus punya waktu verifikasi."),
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""),
                name="report_returned_has_reason",
                violation_error_message=_("Laporan yang dikembalikan harus punya alasan."),
            ),
        ]
        indexes = [
            models.Index(fields=["program", "year", "month", "status"], name="report_prog_period"),
            models.Index(fields=["regency", "year", "month"], name="report_regency_period"),
            # Dashboards filter by year and month across all regencies (benchmark: 10-20 %
            # faster program and regency pages at 500 regencies x 5 years).
            models.Index(fields=["year", "month"], name="report_period"),
        ]

    def __str__(self):
        where = self.regency.name if self.regency_id else _("Provinsi")
        return f"{self.program.display_label} — {where} — {self.period_label}"

    def get_absolute_url(self):
        if self.regency_id is None:  # the province's own entries are kept in the admin
            return reverse("admin:programs_monthlyreport_change", args=[self.pk])
        return reverse(
            "programs:report_entry",
            args=[self.regency_id, self.program.slug, (self.year, self.month)],
        )

    @property
    def period(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def period_label(self) -> str:
        from programs.formats import month_year_label

        return month_year_label(self.year, self.month)


class Realization(models.Model):
    """What a report says was achieved for one indicator from one funding source."""

    report = models.ForeignKey(
        MonthlyReport,
        on_delete=models.CASCADE,
        related_name="realizations",
        verbose_name=_("laporan"),
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="realizations",
        verbose_name=_("indikator"),
    )
    funding_source = models.ForeignKey(
        FundingSource,
        on_delete=models.PROTECT,
        related_name="realizations",
        verbose_name=_("sumber dana"),
    )
    # Negative only where the indicator allows it (Indicator.allows_negative: a deflation,
    # -0,09 %), which neither a field validator nor a check constraint can see: the entry
    # rules (rules.check_value) refuse it with a message at every entry point, and
    # triggers (programs/guards.py) in the database. Numerators and denominators keep
    # their check constraints below.
    value = models.DecimalField(
        _("nilai"),
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
    )
    numerator = models.DecimalField(
        _("pembilang"),
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    denominator = models.DecimalField(
        _("penyebut"),
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    note = models.TextField(_("catatan"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("realisasi")
        verbose_name_plural = pgettext_lazy("jamak", "realisasi")
        ordering = ["indicator__order", "funding_source__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "indicator", "funding_source"],
                name="realization_unique_per_source",
                violation_error_message=_("Sumber dana ini sudah diisi untuk indikator ini."),
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True) | Q(numerator__gte=0),
                name="realization_numerator_non_negative",
                violation_error_message=_("Pembilang tidak boleh negatif."),
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="realization_denominator_positive",
                violation_error_message=_("Penyebut harus lebih dari 0."),
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True)
                | Q(denominator__isnull=True)
                | Q(numerator__lte=F("denominator")),
                name="realization_numerator_le_denominator",
                violation_error_message=_("Pembilang tidak boleh lebih besar dari penyebut."),
            ),
            models.CheckConstraint(
                condition=(Q(value__isnull=False) & Q(numerator__isnull=True))
                | (
                    Q(value__isnull=True)
                    & Q(numerator__isnull=False)
                    & Q(denominator__isnull=False)
                ),
                name="realization_value_or_ratio",
                violation_error_message=_("Isi nilai, atau pembilang dan penyebut."),
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "report"], name="realization_ind_report"),
        ]

    def __str__(self):
        return f"{self.indicator.code} / {self.funding_source.code}"


class LockExceptionQuerySet(models.QuerySet):
    def running(self, today: dt.date) -> "LockExceptionQuerySet":
        """Exceptions still in force on `today`."""
        return self.filter(until__gte=today)


class LockException(models.Model):
    """An admin's permission for a regency to edit a locked month of a program."""

    regency = models.ForeignKey(
        Regency,
        on_delete=models.CASCADE,
        related_name="lock_exceptions",
        verbose_name=_("kabupaten/kota"),
    )
    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="lock_exceptions",
        verbose_name=_("program"),
    )
    year = models.PositiveSmallIntegerField(
        _("tahun"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    month = models.PositiveSmallIntegerField(
        _("bulan"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    until = models.DateField(_("berlaku sampai"))
    reason = models.TextField(_("alasan"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diberikan oleh"),
    )
    granted_at = models.DateTimeField(_("diberikan pada"), auto_now_add=True)

    objects = LockExceptionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pengecualian kunci laporan")
        verbose_name_plural = pgettext_lazy("jamak", "pengecualian kunci laporan")
        ordering = ["-year", "-month", "regency_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["regency", "program", "year", "month"],
                name="lock_exception_unique",
                violation_error_message=_("Pengecualian untuk laporan ini sudah ada; ubah saja."),
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12),
                name="lock_exception_month",
                violation_error_message=MONTH_1_12,
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="lock_exception_has_reason",
                violation_error_message=REASON_REQUIRED,
            ),
        ]

    def __str__(self):
        return f"{self.regency.name} — {self.program.label} — {self.month:02d}/{self.year}"

    def clean(self):
        """An exception that would change nothing is refused, so that an admin never
        believes a month open that is not: a month not begun yet, a date already past
        (unless an existing exception keeps its date while its reason is fixed), a month
        the regency does not have to report (before the launch, or exempt) and has no
        report of, or a date the month stays open until anyway (its ordinary lock date).
        Nor is a month opened for more than a year: an exception is not an unlock."""
        from programs.formats import date_label
        from programs.reporting import deadlines

        if not (self.until and self.year and self.month and 1 <= self.month <= 12):
            return  # the field errors say what is missing
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            return
        unchanged = (
            self.pk is not None
            and LockException.objects.filter(pk=self.pk, until=self.until).exists()
        )
        from programs.obligations import Obligations
        from programs.permissions import is_future

        today = timezone.localdate()
        if is_future(self.year, self.month, today):
            raise ValidationError({"month": LOCK_EXCEPTION_FUTURE})
        if not unchanged and self.until < today:
            raise ValidationError({"until": LOCK_EXCEPTION_PAST})
        longest = lock_exception_longest(today)
        if not unchanged and self.until > longest:
            raise ValidationError(
                {"until": LOCK_EXCEPTION_TOO_LONG % {"date": date_label(longest)}}
            )
        if self.regency_id and self.program_id:
            reported = MonthlyReport.objects.filter(
                regency_id=self.regency_id,
                program_id=self.program_id,
                year=self.year,
                month=self.month,
            ).exists()
            obligations = Obligations.load(programs=[self.program], regency_codes=[self.regency_id])
            if not obligations.required(
                self.regency_id, self.program_id, self.year, self.month, reported=reported
            ):
                raise ValidationError(LOCK_EXCEPTION_NOT_REQUIRED)
        lock = deadlines.lock_date(self.year, self.month)
        if self.until <= lock:
            raise ValidationError({"until": LOCK_EXCEPTION_USELESS % {"date": date_label(lock)}})


class ReportingExemptionManager(models.Manager):
    def get_by_natural_key(self, regency_code, program_slug, indicator_code, start):
        return self.get(
            regency_id=regency_code,
            program__slug=program_slug,
            indicator__code=indicator_code,
            start=start,
        )


EXEMPTION_EXISTS = _("Pengecualian ini sudah ada; ubah saja.")
# Earliest: January of the year before the program's launch (ReportingExemption.clean).
EXEMPTION_TOO_EARLY = _("Bulan mulai paling awal Januari %(year)s: periksa tahunnya.")
EXEMPTION_BEFORE_LAUNCH = _(
    "%(program)s diluncurkan %(launch)s: bulan sebelum %(first)s memang belum wajib "
    "dilaporkan, jadi tidak ada yang perlu dikecualikan pada %(period)s. Periksa tahunnya, "
    "atau buat pengecualian yang berlaku sejak %(first)s."
)
# An exemption stored before that rule, or before its launch date was moved later: shown
# when it is opened in the admin and when a save would leave it so.
EXEMPTION_STORED_BEFORE_LAUNCH = _(
    "%(program)s diluncurkan %(launch)s: bulan sebelum %(first)s memang belum wajib "
    "dilaporkan, jadi pengecualian ini (%(period)s) tidak mengecualikan apa pun. Hapus "
    "pengecualian ini, atau ubah bulannya agar berlaku sampai %(first)s atau sesudahnya."
)
EXEMPTION_TOO_LATE = _("Paling lambat Desember %(year)s: periksa tahunnya.")
EXEMPTION_OVER_REPORTS = _(
    "%(months)s sudah dilaporkan (diajukan, dikembalikan untuk perbaikan, atau "
    "terverifikasi): bulan itu tidak bisa dikecualikan. Mulai pengecualian sesudahnya."
)
EXEMPTION_EVERY_INDICATOR = _(
    "Dengan pengecualian ini tidak ada lagi indikator %(program)s yang wajib dilaporkan "
    "wilayah ini untuk %(month)s: buat satu pengecualian untuk seluruh program "
    "(kosongkan indikatornya)."
)
EXEMPTION_OVERLAPS = _(
    "Bertumpang tindih dengan pengecualian lain untuk kabupaten/kota, program dan indikator "
    "yang sama: %(other)s, %(period)s. Ubah pengecualian itu saja, atau pilih bulan lain."
)
EXEMPTION_ONGOING = _("%(start)s dan seterusnya")
EXEMPTION_BETWEEN = _("%(start)s s.d. %(end)s")


class ReportingExemption(models.Model):
    """Who does not have to report what, from when: every regency reports every active
    program from its launch unless a row here exempts it, for the whole program or one
    indicator, from a month on (and until a month, or open-ended). A regency exempted for
    a month is shown as "tidak wajib" and left out of completeness and timeliness rates.

    Example (fixtures/reporting_exemptions.json): BPS measures consumer-price inflation
    only in four cities of the province, so the other regencies do not report GPISS.
    """

    regency = models.ForeignKey(
        Regency,
        on_delete=models.CASCADE,
        related_name="reporting_exemptions",
        verbose_name=_("kabupaten/kota"),
    )
    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="reporting_exemptions",
        verbose_name=_("program"),
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reporting_exemptions",
        verbose_name=_("indikator"),
        help_text=_("Kosong = seluruh program tidak wajib dilaporkan."),
    )
    # Months, kept as their first day (`clean`).
    start = models.DateField(
        _("tidak wajib mulai bulan"),
        # The forms a month is typed in follow (`admin_numbers.month_forms`).
        help_text=_("Bulan pertama yang dikecualikan."),
    )
    end = models.DateField(
        _("sampai bulan"),
        null=True,
        blank=True,
        help_text=_("Bulan terakhir yang dikecualikan. Kosong = sampai diubah."),
    )
    reason = models.TextField(_("alasan"))
    source_url = models.URLField(_("tautan sumber"), blank=True, max_length=500)

    history = HistoricalRecords()
    objects = ReportingExemptionManager()

    class Meta:
        verbose_name = _("pengecualian kewajiban lapor")
        verbose_name_plural = pgettext_lazy("jamak", "pengecualian kewajiban lapor")
        ordering = ["program__order", "regency_id", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["regency", "program", "indicator", "start"],
                name="reporting_exemption_unique",
                violation_error_message=EXEMPTION_EXISTS,
            ),
            # A whole-program exemption has no indicator, and NULLs never collide in the
            # constraint above: without this one it could be saved any number of times.
            models.UniqueConstraint(
                fields=["regency", "program", "start"],
                condition=Q(indicator__isnull=True),
                name="reporting_exemption_unique_program",
                violation_error_message=EXEMPTION_EXISTS,
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="reporting_exemption_has_reason",
                violation_error_message=REASON_REQUIRED,
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="reporting_exemption_end_after_start",
                violation_error_message=_("Bulan akhir tidak boleh sebelum bulan mulai."),
            ),
        ]

    def __str__(self):
        what = self.indicator.name if self.indicator_id else self.program.label
        return f"{self.regency.name} — {what}"

    def natural_key(self):
        code = self.indicator.code if self.indicator_id else None
        return (self.regency_id, self.program.slug, code, self.start.isoformat())

    natural_key.dependencies = ["programs.program", "programs.indicator", "regencies.regency"]

    def clean(self):
        self.__dict__.pop("_stored_row", None)  # read afresh for each check (`_stored`)
        if self.start:
            self.start = self.start.replace(day=1)
        if self.end:
            self.end = self.end.replace(day=1)
        self._clean_years()
        if self.indicator_id and self.program_id and self.indicator.program_id != self.program_id:
            raise ValidationError(
                {"indicator": _("Indikator ini bukan bagian dari program yang dipilih.")}
            )
        self._clean_before_launch()
        if self.regency_id and self.program_id and self.start:
            self._lock_programs()
            self._clean_overlap()
            self._clean_reported_months()
            self._clean_leaves_an_indicator()

    def _lock_programs(self) -> None:
        """Inside a transaction (the admin's save), take the program's row lock, the one an
        operator's save or submit and an import take first (`ytd.lock_programs`), before
        reading its reports and exemptions: an exemption saved at the same moment as a
        submit of one of its months was checked against the reports committed so far, the
        submit against the exemptions committed so far, and both were kept, the month
        shown as "tidak wajib" beside figures that count. Now one waits for the other and
        is refused by its rule. A program changed in this save: both, in `ytd`'s order."""
        from django.db import transaction

        from programs import ytd

        if not transaction.get_connection().in_atomic_block:
            return
        stored = self._stored()
        ytd.lock_programs([self.program_id, *([stored.program_id] if stored else [])])
        self.__dict__.pop("_stored_row", None)  # read again, now that it cannot change

    def period_label(self) -> str:
        """'Januari 2024 dan seterusnya', 'Januari 2024 s.d. Desember 2025'."""
        from programs.formats import month_year_label

        start = month_year_label(self.start.year, self.start.month)
        if self.end is None:
            return EXEMPTION_ONGOING % {"start": start}
        return EXEMPTION_BETWEEN % {
            "start": start,
            "end": month_year_label(self.end.year, self.end.month),
        }

    def _same_subject(self):
        """The other exemptions of this regency, program and indicator (or whole program)."""
        others = ReportingExemption.objects.filter(
            regency_id=self.regency_id, program_id=self.program_id
        ).exclude(pk=self.pk)
        if self.indicator_id:
            return others.filter(indicator_id=self.indicator_id)
        return others.filter(indicator__isnull=True)

    def _clean_overlap(self) -> None:
        """Two exemptions of the same months would leave one of them meaningless (and a
        change to one would not end the exemption): one range per regency and subject.
        The same start is the unique constraint's message, not this one."""
        overlapping = self._same_subject().exclude(start=self.start).filter(start__gte=self.start)
        if self.end is not None:
            overlapping = overlapping.filter(start__lte=self.end)
        before = self._same_subject().filter(start__lt=self.start)
        before = before.filter(Q(end__isnull=True) | Q(end__gte=self.start))
        other = (before.order_by("-start").first()) or overlapping.order_by("start").first()
        if other is not None:
            raise ValidationError(
                EXEMPTION_OVERLAPS % {"other": other, "period": other.period_label()},
                code="overlap",
            )

    def _clean_reported_months(self) -> None:
        """A month already submitted or verified stays counted in the province's totals:
        exempting it would show the regency as "tidak wajib" beside figures that count.
        Only the months this save adds are checked (an exemption stored over a reported
        month, before this rule, can still have its reason corrected)."""
        # A returned report was submitted and waits for its correction: exempting its
        # month would leave it returned for ever, in the verifier's queue, with nothing
        # the operator may fill in.
        reports = MonthlyReport.objects.filter(
            regency_id=self.regency_id,
            program_id=self.program_id,
            status__in=[*MonthlyReport.COUNTED_STATUSES, MonthlyReport.Status.RETURNED],
        ).filter(Q(year__gt=self.start.year) | Q(year=self.start.year, month__gte=self.start.month))
        if self.end is not None:
            reports = reports.filter(
                Q(year__lt=self.end.year) | Q(year=self.end.year, month__lte=self.end.month)
            )
        if self.indicator_id:
            reports = reports.filter(realizations__indicator_id=self.indicator_id)
        months = sorted(set(reports.values_list("year", "month")))
        stored = self._stored()
        if stored is not None and (stored.regency_id, stored.program_id, stored.indicator_id) == (
            self.regency_id,
            self.program_id,
            self.indicator_id,
        ):
            months = [(year, month) for year, month in months if not stored.covers(year, month)]
        if months:
            from programs.formats import month_year_label

            listed = ", ".join(month_year_label(year, month) for year, month in months)
            raise ValidationError(
                {"start": EXEMPTION_OVER_REPORTS % {"months": listed}}, code="reported"
            )

    def _clean_leaves_an_indicator(self) -> None:
        """Indicator by indicator, every indicator of a program could be exempted: the
        report page then had nothing to fill in, while the to-do list, the reminders and
        the completeness page (which ask about the program) still counted the month as
        owed. A month without a required indicator is a whole-program exemption: refused
        here, naming the first such month."""
        if not self.indicator_id:
            return
        from programs.formats import month_year_label
        from programs.obligations import Obligations

        others = list(
            ReportingExemption.objects.filter(
                regency_id=self.regency_id, program_id=self.program_id
            ).exclude(pk=self.pk)
        )
        whole = [e for e in others if not e.indicator_id]
        with_this = Obligations.of([*others, self])
        # What is owed changes only where an exemption starts or the month after one ends.
        months = {(e.start.year, e.start.month) for e in [*others, self]}
        for e in [*others, self]:
            if e.end is not None:
                months.add(
                    (e.end.year + 1, 1) if e.end.month == 12 else (e.end.year, e.end.month + 1)
                )
        for year, month in sorted(months):
            if not self.covers(year, month) or any(e.covers(year, month) for e in whole):
                continue  # outside this exemption, or the whole program is exempt anyway
            if not with_this.required(self.regency_id, self.program_id, year, month):
                raise ValidationError(
                    {
                        "indicator": EXEMPTION_EVERY_INDICATOR
                        % {"program": self.program.label, "month": month_year_label(year, month)}
                    },
                    code="every_indicator",
                )

    def earliest_start(self) -> dt.date:
        """January of the year before the program's launch (1 January 2023 for a program
        launched in 2024; MIN_YEAR without a launch date). Nothing is due before the
        launch, so an earlier month is a typing slip (0024, 1924); the year of slack
        leaves room for a launch date corrected later."""
        launch = self.program.launch_date if self.program_id else None
        return dt.date(max(MIN_YEAR, launch.year - 1) if launch else MIN_YEAR, 1, 1)

    def _clean_before_launch(self) -> None:
        """Every month before the program's launch month is owed by no one already
        (obligations.Obligations.launched): an exemption ending before it exempts nothing
        that was due, reads in the admin as if the regency had been let off, and hid a
        draft kept from before the launch from the to-do list and completeness. Refused;
        one that runs into the launch (or on, open-ended) is kept as typed."""
        if not self.start or (self.end is not None and self.end < self.start):
            return  # an end before the start is its own error
        if not self.lies_before_launch():
            return
        stored = self._stored()
        if stored is not None and stored.lies_before_launch():
            # Stored so (before this rule, or before the launch moved later): the admin is
            # told it can be deleted, or kept by running into the launch.
            raise ValidationError(self.before_launch_message(), code="before_launch")
        raise ValidationError(EXEMPTION_BEFORE_LAUNCH % self._launch_params(), code="before_launch")

    def lies_before_launch(self, launch: dt.date | None = None) -> bool:
        """Whether every month of this exemption is before the launch month of its
        program (or `launch`): nothing it names was owed. Open-ended ones run into it."""
        if launch is None:
            launch = self.program.launch_date if self.program_id else None
        if launch is None or not self.start or self.end is None:
            return False
        return (self.end.year, self.end.month) < (launch.year, launch.month)

    def before_launch_message(self) -> str:
        """What an admin is told of a stored exemption that `lies_before_launch`."""
        return EXEMPTION_STORED_BEFORE_LAUNCH % self._launch_params()

    def _launch_params(self) -> dict:
        from programs.formats import date_label, month_year_label

        launch = self.program.launch_date
        return {
            "program": self.program.label,
            "launch": date_label(launch),
            "first": month_year_label(launch.year, launch.month),
            "period": self.period_label(),
        }

    def _stored(self) -> "ReportingExemption | None":
        """This exemption as stored, before the change being checked (None when new)."""
        if self.pk is None:
            return None
        if not hasattr(self, "_stored_row"):
            self._stored_row = (
                ReportingExemption.objects.select_related("program").filter(pk=self.pk).first()
            )
        return self._stored_row

    def _clean_years(self) -> None:
        errors = {}
        stored = self._stored()
        # A start typed now: one stored, earlier than this allows only because the launch
        # date was moved later since, is no slip and stays editable.
        typed = stored is None or (stored.start, stored.program_id) != (
            self.start,
            self.program_id,
        )
        if self.start and self.program_id and typed:
            earliest = self.earliest_start()
            if self.start < earliest:
                errors["start"] = EXEMPTION_TOO_EARLY % {"year": earliest.year}
        for name in ("start", "end"):
            value = getattr(self, name)
            if value and value.year > MAX_YEAR:
                errors[name] = EXEMPTION_TOO_LATE % {"year": MAX_YEAR}
        if errors:
            raise ValidationError(errors)

    def covers(self, year: int, month: int) -> bool:
        period = dt.date(year, month, 1)
        return self.start <= period and (self.end is None or period <= self.end)


class ImportBatch(models.Model):
    """A checked spreadsheet upload waiting to be applied (the preview's rows).

    Kept in the database, not on local disk, so any app server can apply it.
    """

    class Kind(models.TextChoices):
        REALIZATIONS = "realizations", _("Realisasi bulanan")
        TARGETS = "targets", _("Target")

    token = models.UUIDField(_("token"), unique=True)
    kind = models.CharField(_("jenis"), max_length=14, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("pengunggah"),
    )
    filename = models.CharField(_("nama berkas"), max_length=255)
    rows = models.JSONField(_("baris"))
    summary = models.JSONField(_("ringkasan"), default=dict)
    report_versions = models.JSONField(
        _("versi laporan saat pratinjau"),
        default=dict,
        blank=True,
        help_text=_("Impor dihentikan bila salah satu laporan berubah sejak pratinjau."),
    )
    created_at = models.DateTimeField(_("diunggah"), auto_now_add=True, db_index=True)
    applied_at = models.DateTimeField(_("diterapkan"), null=True, blank=True)

    class Meta:
        verbose_name = _("impor berkas")
        verbose_name_plural = pgettext_lazy("jamak", "impor berkas")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} ({self.get_kind_display()})"


# --- Derived data: the data version and the year-to-date table ------------------------
# Not edited by anyone: database triggers and programs.ytd maintain them. No admin, no
# verbose names (nobody sees them).


class DataVersion(models.Model):
    """One row (id 1) whose version changes with every write that can change a figure
    (programs.dataversion installs the triggers). The page cache keys on it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(default=0)
    epoch = models.CharField(max_length=32, default="0")

    def __str__(self):
        return f"{self.epoch}.{self.version}"


class ProgressYTD(models.Model):
    """Year-to-date aggregates of one indicator for one regency (regency_code "" = the
    province) as of the end of `month`, in one view (verified only or provisional), with
    the measure rules already applied: the group `compute_progress` would aggregate."""

    program_id = models.BigIntegerField()
    indicator_id = models.BigIntegerField()
    regency_code = models.CharField(max_length=10, blank=True)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    verified_only = models.BooleanField()
    total = models.DecimalField(max_digits=28, decimal_places=4, null=True)
    num = models.DecimalField(max_digits=28, decimal_places=4, null=True)
    den = models.DecimalField(max_digits=28, decimal_places=4, null=True)
    last = models.PositiveSmallIntegerField()
    provisional = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_id", "year", "month", "verified_only", "regency_code"],
                name="progress_ytd_unique",
            ),
        ]
        indexes = [models.Index(fields=["program_id", "year", "regency_code"])]

    def __str__(self):
        return f"{self.indicator_id} {self.regency_code or '-'} {self.year}-{self.month}"


class ProgressSourceYTD(models.Model):
    """Year to date per funding source of one indicator for one regency (counts only:
    increments sum their months, running totals take the regency's latest month)."""

    program_id = models.BigIntegerField()
    indicator_id = models.BigIntegerField()
    regency_code = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    verified_only = models.BooleanField()
    funding_source_id = models.BigIntegerField()
    total = models.DecimalField(max_digits=28, decimal_places=4, null=True)

    class Meta:
        indexes = [
            models.Index(fields=["indicator_id", "year", "month", "verified_only"]),
            models.Index(fields=["program_id", "year", "regency_code"]),
        ]

    def __str__(self):
        return f"{self.indicator_id} {self.regency_code} {self.year}-{self.month}"


class ProgressDirty(models.Model):
    """A (regency, program, year) slice whose year-to-date rows must be rebuilt; filled by
    database triggers on reports and realizations, emptied by programs.ytd.flush().
    regency_code "" is the province's own reports; "*" with year 0 means the whole
    program (an indicator changed)."""

    regency_code = models.CharField(max_length=10)
    program_id = models.BigIntegerField()
    year = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["regency_code", "program_id", "year"], name="progress_dirty_unique"
            ),
        ]

    def __str__(self):
        return f"{self.regency_code} {self.program_id} {self.year}"


def attachment_path(instance, filename: str) -> str:
    """Storage names never come from the uploader: a random name under the report."""
    return f"lampiran/{instance.report_id}/{filename}"


class Attachment(models.Model):
    """Evidence on a report: a re-encoded photo (EXIF stripped) or a checked PDF.

    Served only through scope-checked views (programs.reporting.evidence_views), never from a
    public media URL. Capture time and GPS position read from EXIF are kept here as data.
    """

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Foto")
        PDF = "pdf", _("Dokumen PDF")

    report = models.ForeignKey(
        MonthlyReport,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("laporan"),
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("indikator"),
    )
    kind = models.CharField(_("jenis"), max_length=5, choices=Kind.choices)
    file = models.FileField(_("berkas"), upload_to=attachment_path, max_length=200)
    thumbnail = models.FileField(
        _("gambar kecil"), upload_to=attachment_path, max_length=200, blank=True
    )
    content_type = models.CharField(_("tipe isi"), max_length=40)
    original_name = models.CharField(_("nama berkas asli"), max_length=120)
    caption = models.CharField(_("keterangan"), max_length=300, blank=True)
    size = models.PositiveIntegerField(_("ukuran (bita)"))
    width = models.PositiveIntegerField(_("lebar"), null=True, blank=True)
    height = models.PositiveIntegerField(_("tinggi"), null=True, blank=True)
    taken_at = models.DateTimeField(_("waktu pengambilan (EXIF)"), null=True, blank=True)
    latitude = models.DecimalField(
        _("lintang (EXIF)"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("bujur (EXIF)"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    sha256 = models.CharField(_("sidik SHA-256"), max_length=64)
    is_public = models.BooleanField(
        _("boleh tampil publik"),
        default=False,
        help_text=_("Ditandai verifikator; foto rumah warga dapat memuat data pribadi."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("diunggah oleh"),
    )
    uploaded_at = models.DateTimeField(_("diunggah pada"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lampiran")
        verbose_name_plural = pgettext_lazy("jamak", "lampiran")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["photo", "pdf"]),
                name="attachment_kind_valid",
                violation_error_message=_("Lampiran harus berupa foto atau PDF."),
            ),
            models.CheckConstraint(
                condition=Q(is_public=False) | Q(kind="photo"),
                name="attachment_public_only_photo",
                violation_error_message=_("Hanya foto yang dapat ditampilkan untuk umum."),
            ),
        ]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("programs:attachment", args=[self.pk])

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Comment(models.Model):
    """One entry of a report's thread; return and reopen reasons are entries too."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Komentar")
        RETURN = "return", _("Alasan dikembalikan")
        REOPEN = "reopen", _("Alasan dibuka kembali")

    MAX_LENGTH = 2000

    report = models.ForeignKey(
        MonthlyReport,
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("laporan"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("penulis"),
    )
    kind = models.CharField(_("jenis"), max_length=7, choices=Kind.choices, default=Kind.COMMENT)
    text = models.TextField(_("isi"), max_length=MAX_LENGTH)
    created_at = models.DateTimeField(_("ditulis pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("komentar")
        verbose_name_plural = pgettext_lazy("jamak", "komentar")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""),
                name="comment_not_empty",
                violation_error_message=_("Komentar tidak boleh kosong."),
            ),
        ]

    def __str__(self):
        return f"{self.author}: {self.text[:40]}"


class Notification(models.Model):
    """An in-app notification (the bell in the header); emails are sent beside it."""

    class Kind(models.TextChoices):
        RETURNED = "returned", _("Laporan dikembalikan")
        VERIFIED = "verified", _("Laporan diverifikasi")
        COMMENT = "comment", _("Komentar baru")
        SUBMITTED = "submitted", _("Laporan diajukan")
        DEADLINE = "deadline", _("Batas waktu dekat")
        EVIDENCE = "evidence", _("Lampiran ditambahkan")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("pengguna"),
    )
    kind = models.CharField(_("jenis"), max_length=9, choices=Kind.choices)
    report = models.ForeignKey(
        MonthlyReport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("laporan"),
    )
    # The sentence is built when it is read, in the reader's language (`display_text`):
    # `message` is its Indonesian source (gettext_noop), `params` what it names besides
    # the report and `text` (who commented, a count, a date), and `text` only what a
    # person typed (a return reason, a comment), never translated. Rows stored before
    # (no `message`) keep the whole sentence in `text`, in Indonesian, shown as stored.
    text = models.CharField(_("isi"), max_length=300, blank=True)
    message = models.CharField(_("kalimat"), max_length=200, blank=True)
    params = models.JSONField(_("rincian"), default=dict, blank=True)
    url = models.CharField(_("tautan"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)

    class Meta:
        verbose_name = _("notifikasi")
        verbose_name_plural = pgettext_lazy("jamak", "notifikasi")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
        ]

    def __str__(self):
        return self.display_text

    @property
    def display_text(self) -> str:
        """The sentence in the active language, around the report (in the reader's
        words: `MonthlyReport.__str__`) and what a person typed, as typed."""
        if not self.message:
            return self.text
        from programs.formats import date_label, number

        params = {**self.params, "text": self.text, "reason": self.text}
        if self.report_id is not None:
            params["report"] = self.report
        if "n" in params:
            params["n"] = number(params["n"])
        if "due" in params:
            params["due"] = date_label(dt.date.fromisoformat(params["due"]))
        return gettext(self.message) % params


class SavedView(models.Model):
    """A dashboard page with its filters, starred by a user ("Tersimpan").

    Only the page's path and its known filter parameters are kept: the link opens the
    page as it is now, so it keeps working whatever data changes later (bad or stale
    filters fall back to the defaults, see programs/filters.py).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name=_("pengguna"),
    )
    title = models.CharField(_("judul"), max_length=200)
    path = models.CharField(_("halaman"), max_length=200)
    query = models.CharField(_("filter"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("disimpan"), auto_now_add=True)

    class Meta:
        verbose_name = _("tampilan tersimpan")
        verbose_name_plural = pgettext_lazy("jamak", "tampilan tersimpan")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Starring the same page twice keeps one entry.
            models.UniqueConstraint(
                fields=["user", "path", "query"], name="saved_view_unique_per_user"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def url(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")
