"""The 17 kabupaten/kota of Sumatera Selatan and who works on which of them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

AREA_NOT_POSITIVE = _("Luas wilayah harus lebih dari 0 km² (kosongkan bila belum diketahui).")
POPULATION_NOT_POSITIVE = _("Jumlah penduduk harus lebih dari 0 (kosongkan bila belum diketahui).")
# Censuses of the residency of Palembang go back to the 1900s: an earlier year, or one
# still to come, is a typing slip (1800, 2205).
EARLIEST_POPULATION_YEAR = 1900
POPULATION_YEAR_OUTSIDE = _(
    "Tahun data penduduk antara %(earliest)s dan %(latest)s (tahun ini): periksa tahunnya."
)


@deconstructible
class AboveZeroValidator(MinValueValidator):
    """More than zero, with the field's own message. A MinValueValidator, so that Django
    adds no "at least 0" check (and message) of its own to a positive integer field."""

    def __init__(self, message):
        super().__init__(0, message=message)

    def compare(self, a, b):
        return a <= b


class RegencyQuerySet(models.QuerySet):
    def real(self):
        """The real kabupaten/kota, without synthetic load-test regencies (99.xx)."""
        return self.filter(is_synthetic=False)


class RegencyManager(models.Manager.from_queryset(RegencyQuerySet)):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Regency(models.Model):
    class Kind(models.TextChoices):
        KABUPATEN = "kabupaten", _("Kabupaten")
        KOTA = "kota", _("Kota")

    code = models.CharField(
        _("kode Kemendagri"),
        max_length=8,
        primary_key=True,
        help_text=_("Contoh: 16.07 untuk Banyuasin."),
    )
    bps_code = models.CharField(_("kode BPS"), max_length=8, unique=True)
    name = models.CharField(_("nama"), max_length=100)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    capital = models.CharField(_("ibu kota"), max_length=100, blank=True)
    area_km2 = models.DecimalField(
        _("luas (km²)"),
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        # 0 km² is no area (densities divide by it): empty when not known.
        validators=[AboveZeroValidator(AREA_NOT_POSITIVE)],
    )
    population = models.PositiveIntegerField(
        _("jumlah penduduk"),
        null=True,
        blank=True,
        validators=[AboveZeroValidator(POPULATION_NOT_POSITIVE)],
    )
    population_year = models.PositiveSmallIntegerField(
        _("tahun data penduduk"), null=True, blank=True
    )
    is_synthetic = models.BooleanField(
        _("sintetis (uji beban)"),
        default=False,
        help_text=_("Wilayah buatan untuk uji beban (kode 99.xx); bukan wilayah nyata."),
    )
    source_note = models.TextField(_("catatan sumber"), blank=True)

    objects = RegencyManager()

    class Meta:
        verbose_name = _("kabupaten/kota")
        verbose_name_plural = pgettext_lazy("jamak", "kabupaten/kota")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{2}\.[0-9]{2}$"),
                name="regency_code_format",
                violation_error_message=_("Kode Kemendagri harus berformat 16.07."),
            ),
            # The same rules for rows that skip the model's checks (loaddata).
            models.CheckConstraint(
                condition=Q(area_km2__isnull=True) | Q(area_km2__gt=0),
                name="regency_area_positive",
                violation_error_message=AREA_NOT_POSITIVE,
            ),
            models.CheckConstraint(
                condition=Q(population__isnull=True) | Q(population__gt=0),
                name="regency_population_positive",
                violation_error_message=POPULATION_NOT_POSITIVE,
            ),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("programs:regency", args=[self.code])

    def clean(self):
        year = self.population_year
        latest = timezone.localdate().year
        if year is not None and not EARLIEST_POPULATION_YEAR <= year <= latest:
            raise ValidationError(
                {
                    "population_year": POPULATION_YEAR_OUTSIDE
                    % {"earliest": EARLIEST_POPULATION_YEAR, "latest": latest}
                }
            )

    def natural_key(self):
        return (self.code,)

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.KOTA:
            return _("Kota %(name)s") % {"name": self.name}
        return _("Kab. %(name)s") % {"name": self.name}

    @property
    def code_compact(self) -> str:
        """The code without its dot, as used in demo account names (operator-1607)."""
        return self.code.replace(".", "")


def code_from_compact(text: str) -> str:
    """A code written without its dot, as in the demo account names and as people write it
    in a link or a cell ("1607"), as the code it is ("16.07"); any other text as it is.
    The inverse of `Regency.code_compact`."""
    if len(text) == 4 and text.isascii() and text.isdigit():
        return f"{text[:2]}.{text[2:]}"
    return text


class UserScope(models.Model):
    """What a user may see and do: a role, and for operators one regency."""

    class Role(models.TextChoices):
        OPERATOR = "operator", _("Operator kabupaten/kota")
        VERIFIKATOR = "verifikator", _("Verifikator provinsi")
        PIMPINAN = "pimpinan", _("Pimpinan")
        ADMIN = "admin", _("Admin")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="scope",
        verbose_name=_("pengguna"),
    )
    role = models.CharField(_("peran"), max_length=12, choices=Role.choices)
    regency = models.ForeignKey(
        Regency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scopes",
        verbose_name=_("kabupaten/kota"),
        help_text=_("Wajib untuk operator: wilayah yang ia laporkan."),
    )
    programs = models.ManyToManyField(
        "programs.Program",
        blank=True,
        related_name="scopes",
        verbose_name=_("program"),
        help_text=_("Kosong berarti semua program."),
    )

    class Meta:
        verbose_name = _("lingkup pengguna")
        verbose_name_plural = pgettext_lazy("jamak", "lingkup pengguna")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="operator") | Q(regency__isnull=False),
                name="operator_has_regency",
                violation_error_message=_("Operator harus memiliki kabupaten/kota."),
            ),
        ]

    def __str__(self):
        where = f" — {self.regency}" if self.regency_id else ""
        return f"{self.user} ({self.get_role_display()}){where}"

    def clean(self):
        super().clean()
        if self.regency_id and self.role != self.Role.OPERATOR:
            # Province roles see every regency: a regency here would be ignored while the
            # admin believes it limits the user.
            raise ValidationError(
                {"regency": _("Kabupaten/kota hanya untuk operator: kosongkan untuk peran ini.")}
            )
