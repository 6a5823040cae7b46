"""The rules of an entered number, in one place: how a typed number is read, what makes
a value or a ratio wrong (an error: never saved) and what makes it doubtful (a warning:
needs a note before submitting). Used by the entry form, the verifier's queue and the
spreadsheet import.

Messages are module constants (Indonesian, shown to users as they are) so tests can
assert on them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from programs import progress
from programs.formats import number, percent
from programs.models import FundingSource, Indicator, Target
from programs.text import NUL_CHARACTER, has_nul
from programs.vocabulary import data_word

if TYPE_CHECKING:
    from programs.reporting.services import EntryContext

Measure = Indicator.Measure

NOT_A_NUMBER = gettext_noop("Bukan angka yang sah: tulis misalnya 1.250 atau 14,33.")
# The same refusal where numbers are read the English way (the entry form in English):
# its examples are written as that form reads them, not in the Indonesian format.
NOT_A_NUMBER_ENGLISH = gettext_noop("Bukan angka yang sah: tulis misalnya 1,250 atau 14.33.")
FUTURE_MONTH = gettext_noop("Bulan yang belum berjalan tidak dapat dilaporkan.")
NEGATIVE = gettext_noop("Nilai tidak boleh negatif.")
NUMBER_TOO_LARGE = gettext_noop("Angka terlalu besar: paling besar 99.999.999.999.")
AMBIGUOUS_NUMBER = gettext_noop(
    "Format angka tidak jelas: tulis %(decimal)s (desimal dengan koma) atau %(whole)s."
)
# '12,000' or '2,500': a comma before three digits ending in 0 is how English writes
# thousands; read as a decimal comma it silently became 12 (or 2,5).
AMBIGUOUS_THOUSANDS = gettext_noop(
    "Format angka tidak jelas: tulis %(whole)s bila maksudnya ribuan, atau %(decimal)s."
)
NOTE_TOO_LONG = gettext_noop("Catatan terlalu panjang: paling banyak %(n)s karakter.")
NOTE_MAX_LENGTH = 2000
WHOLE_NUMBER = gettext_noop("Harus bilangan bulat (tanpa desimal).")
# A count typed with the other language's thousands separator ('7,413' in Indonesian,
# '7.413' in English) reads as 7,413: refused as a fraction, with the figure meant.
WHOLE_NUMBER_THOUSANDS = gettext_noop(
    "Harus bilangan bulat: bila maksudnya ribuan, tulis %(whole)s."
)
TOO_MANY_DECIMALS = gettext_noop("Paling banyak %(n)s angka desimal.")
VALUE_REQUIRED = gettext_noop("Isi nilainya.")
RATIO_REQUIRED = gettext_noop("Isi pembilang dan penyebut.")
DENOMINATOR_ZERO = gettext_noop("Penyebut harus lebih dari 0.")
NUMERATOR_ABOVE_DENOMINATOR = gettext_noop("Pembilang tidak boleh lebih besar dari penyebut.")
DUPLICATE_SOURCE = gettext_noop(
    "Sumber dana ini sudah diisi di baris lain untuk indikator yang sama."
)
UNKNOWN_SOURCE = gettext_noop("Sumber dana tidak dikenal.")
RETIRED_SOURCE = gettext_noop("Sumber dana %(name)s sudah tidak aktif: pilih sumber lain.")
NOT_REQUIRED = gettext_noop(
    "Indikator %(name)s tidak wajib dilaporkan wilayah ini untuk bulan ini: isiannya tidak "
    "dapat disimpan."
)
ONE_LEVEL_VALUE = gettext_noop("Indikator ini hanya diisi satu nilai.")
# A program an admin switched off ('aktif' unticked): no regency reports it any more
# (`obligations`), its entry form is gone (404), and no other door takes its figures:
# the import's preview and the services' writers (`services.require_taking_reports`).
PROGRAM_INACTIVE = gettext_noop(
    "Program %(name)s tidak aktif: laporannya tidak dapat diisi atau diubah."
)
# An indicator of values (not a ratio) given a numerator or denominator as well.
VALUE_WITH_PARTS = gettext_noop(
    "Indikator %(name)s diisi kolom nilai saja, bukan pembilang dan penyebut: kosongkan "
    "kolom pembilang dan penyebut."
)
RUNNING_TOTAL_DECREASE = gettext_noop(
    "Lebih rendah dari bulan lalu (%(previous)s), padahal ini angka kumulatif: beri catatan."
)
ABOVE_REMAINING = gettext_noop(
    "Melebihi sisa target (%(remaining)s): periksa, dan beri catatan bila benar."
)
ABOVE_USUAL = gettext_noop(
    "Lebih dari 3 kali rata-rata bulanan (%(average)s): periksa, dan beri catatan bila benar."
)
# A level (inflation, say) more than 10 times, or less than a tenth of, what it was: most
# likely a separator typed the other way round ('2.500' for 2,5). The warning is built
# from what it is compared with, the likely slip, and what to do.
LEVEL_FAR_FROM_LAST = gettext_noop("Jauh berbeda dari bulan lalu (%(previous)s).")
LEVEL_FAR_FROM_TARGET = gettext_noop("Jauh di luar kisaran target dan nilai dasar (%(range)s).")
DECIMAL_COMMA_HINT = gettext_noop(
    "Pemisah desimal ditulis dengan koma: %(likely)s bukan %(typed)s."
)
THOUSANDS_DOT_HINT = gettext_noop(
    "Pemisah ribuan ditulis dengan titik: %(likely)s bukan %(typed)s."
)
NOTE_IF_RIGHT = gettext_noop("Periksa, dan beri catatan bila angkanya benar.")
RATIO_FAR_FROM_LAST = gettext_noop(
    "Persentase %(percent)s jauh berbeda dari bulan lalu (%(previous)s): periksa pembilang "
    "dan penyebut, dan beri catatan bila benar."
)
# How far a level or a ratio's percentage may move from last month (either way) before
# it is questioned.
FAR_FACTOR = Decimal(10)


# What every database keeps exactly. The value columns are DecimalField(max_digits=16,
# decimal_places=4), but SQLite (`make run`) stores a decimal as a REAL, exact to 15
# significant digits: 999.999.999.999,9999 came back as 1.000.000.000.000, which no
# longer fits the column, and every page reading it failed. Below 1e11 with at most 4
# decimals a value has at most 15 digits.
MAX_ABS_VALUE = Decimal("1e11")
MAX_DECIMALS = 4


def translated(text: str, **params) -> str:
    """A message constant in the active language, its %(name)s placeholders filled."""
    return _(text) % params if params else _(text)


class NumberError(ValueError):
    """A typed number refused: `args[0]` is the message constant to show, `params` fill
    its placeholders (`refusal` gives the text in the active language)."""

    def __init__(self, text: str, **params):
        super().__init__(text)
        self.params = params


def refusal(exc: ValueError) -> str:
    """What to tell the person who typed a refused number, in the active language."""
    text = exc.args[0] if exc.args and isinstance(exc.args[0], str) else NOT_A_NUMBER
    return translated(text, **getattr(exc, "params", {}))


_PLAIN_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")


# Every space a pasted number can hold: Unicode spaces (no-break ones included) and the
# zero-width ones, which Python's \s leaves out and JavaScript's partly does not.
_SPACES = re.compile(r"[\s\u200b\ufeff]+")
# The minus sign (U+2212) Excel and Word put before a negative number ("−0,09", a
# deflation copied from a BPS table) is read as "-".
MINUS_SIGN = "\u2212"


# A number written as money is written: "Rp 8.600,-", "Rp. 1.234,5", "IDR 8.600",
# "8.600,-". Refused with the digits to write (no indicator is counted in rupiah, and a
# budget figure pasted into a count of houses must not be taken as houses), rather than
# the bare "not a number" that left the operator guessing what was wrong.
_MONEY = re.compile(
    r"(?P<currency>(?:rp|idr)\.?)?(?P<number>[0-9][0-9.,]*?)(?P<dash>[.,][-\u2013\u2014])?",
    re.IGNORECASE,
)
DIGITS_ONLY = gettext_noop("Tulis angkanya saja, tanpa “Rp” atau “,-”: %(number)s.")


def parse_number(text: str, language: str = "id") -> Decimal | None:
    """A number as a person types it in `language` (`_parse_plain`); one written as
    money ("Rp 8.600,-") is refused with the digits to write instead (DIGITS_ONLY)."""
    money = _MONEY.fullmatch(_SPACES.sub("", text or ""))
    if money and (money["currency"] or money["dash"]):
        # Without them, the digits' own refusal if they have one ("Rp 0.600": 0,6 or
        # 600?), else the digits to write.
        _parse_plain(money["number"], language)
        raise NumberError(DIGITS_ONLY, number=money["number"])
    return _parse_plain(text, language)


def _parse_plain(text: str, language: str = "id") -> Decimal | None:
    """A number as a person types it in `language`.

    Indonesian: '8.391' -> 8391, '14,33' -> 14.33; a dot followed by groups of exactly
    three digits is a thousands separator, otherwise a lone dot is a decimal point.
    English mirrors it: '8,391' -> 8391, '14.33' -> 14.33. A leading + or - (or the minus
    sign U+2212 of Excel and Word) never changes how the digits are read ('-8.600' is
    -8600); whether a value may be negative is `check_value`'s concern. '0.600' could be
    0,6 or 600 and is refused (AMBIGUOUS_NUMBER), so are '12,000' and '2,500' (12 or
    12.000? AMBIGUOUS_THOUSANDS). Raises NumberError (a ValueError) with the message to
    show: NOT_A_NUMBER (NOT_A_NUMBER_ENGLISH in English), NUMBER_TOO_LARGE,
    AMBIGUOUS_NUMBER or AMBIGUOUS_THOUSANDS."""
    text = _SPACES.sub("", text or "")  # spaces, no-break and zero-width ones, anywhere
    if not text:
        return None
    if text[0] == MINUS_SIGN:
        text = "-" + text[1:]
    sign = ""
    if text[0] in "+-":  # a sign alone or two signs fail the plain-decimal check below
        sign, text = text[0], text[1:]
    english = language.startswith("en")
    thousands, decimal = (",", ".") if english else (".", ",")
    not_a_number = NOT_A_NUMBER_ENGLISH if english else NOT_A_NUMBER
    if decimal in text:
        # Thousands separators only in whole groups before the decimal comma: '1.234,5',
        # not '1.23,4' (a slip: 123,4 or 1,234?) nor '1,2.5'.
        whole, _sep, fraction = text.partition(decimal)
        if thousands in fraction or (
            thousands in whole
            and not re.fullmatch(rf"[0-9]{{1,3}}(\{thousands}[0-9]{{3}})+", whole)
        ):
            raise NumberError(NOT_A_NUMBER)
        if re.fullmatch(r"[1-9][0-9]{0,2}", whole) and re.fullmatch(r"[0-9]{2}0", fraction):
            # '12,000', '2,500': the other language's thousands separator, or a decimal
            # comma with a trailing zero nobody types? Ask rather than guess ('1,25' and
            # '1.234,500' say which they are; '1,234' of a count is refused as a fraction).
            minus = "-" if sign == "-" else ""
            shortened = fraction.rstrip("0")
            raise NumberError(
                AMBIGUOUS_THOUSANDS,
                whole=minus + f"{int(whole + fraction):,}".replace(",", thousands),
                decimal=minus + whole + (decimal + shortened if shortened else ""),
            )
        text = whole.replace(thousands, "") + "." + fraction
    elif re.match(rf"^[0-9]{{1,3}}(\{thousands}[0-9]{{3}})+$", text):
        first, _sep, rest = text.partition(thousands)
        digits = rest.replace(thousands, "")
        if int(first) == 0 and int(digits) != 0:
            # '0.600': nobody writes a thousands group after a 0, so the dot was meant as a
            # decimal point (0,6) or the 0 is a slip (600). Ask rather than guess.
            minus = "-" if sign == "-" else ""
            raise NumberError(
                AMBIGUOUS_NUMBER,
                decimal=f"{minus}0{decimal}{digits.rstrip('0')}",
                whole=minus + f"{int(digits):,}".replace(",", thousands),
            )
        text = text.replace(thousands, "")
    elif thousands == ",":
        text = text.replace(",", ".")
    # Digits 0-9 and one decimal point only: Python's Decimal also reads "1e5", "1_000",
    # "NaN" and other scripts' digits ("٨٦٠٠"), which nobody types as a realization.
    if not _PLAIN_DECIMAL.fullmatch(text):
        raise NumberError(not_a_number)
    return storable(Decimal(sign + text))


def storable(value: Decimal) -> Decimal:
    """`value` if every database keeps it exactly; NumberError (a ValueError) with the
    message to show (NOT_A_NUMBER for NaN and infinity, NUMBER_TOO_LARGE from
    MAX_ABS_VALUE) otherwise."""
    if not value.is_finite():
        raise NumberError(NOT_A_NUMBER)
    if abs(value) >= MAX_ABS_VALUE:
        raise NumberError(NUMBER_TOO_LARGE)
    return value


@dataclass
class EntryRow:
    """One input row: an indicator's value from one funding source (or a ratio)."""

    key: str
    indicator: Indicator
    source_code: str
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    note: str = ""
    raw: dict[str, str] = field(default_factory=dict)
    parse_errors: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(v.strip() for k, v in self.raw.items() if k != "source")


def row_key(indicator: Indicator, index: int) -> str:
    return f"{indicator.code}-{index}"


@dataclass(frozen=True)
class RowMessage:
    """A message beside a row (or an indicator) of the entry form."""

    class Level(models.TextChoices):
        ERROR = "error"  # blocks any save
        WARNING = "warning"  # blocks submitting until a note is given

    key: str  # a row key (indicator-n) or an indicator code
    level: Level
    text: str
    resolved: bool = False


Level = RowMessage.Level


# Measures whose January is compared with the December before (`set_history`).
CARRIED_OVER_THE_YEAR = (Measure.LEVEL, Measure.RATIO)


@dataclass
class IndicatorContext:
    """What the entry form shows beside one indicator (earlier months, target) and what
    its warnings compare against."""

    indicator: Indicator
    target: Target | None
    previous: list[tuple[int, Decimal | None]] = field(default_factory=list)
    ytd_before: Decimal = Decimal(0)
    last_value: Decimal | None = None
    monthly_average: Decimal | None = None
    last_denominator: Decimal | None = None  # ratio: a new month starts from it

    def set_history(self, values: list[Decimal | None], *, december: Decimal | None = None) -> None:
        """Year to date, monthly average and latest value of the earlier months of the
        year. `december`: the previous December's value, which a level or a ratio (a
        prevalence, a share) is compared with when no earlier month of this year has
        one; sums and running totals start again each year."""
        history = progress.history_of(self.indicator.measure, values)
        self.ytd_before = history.ytd
        self.monthly_average = history.monthly_average
        self.last_value = history.last_value
        if self.last_value is None and self.indicator.measure in CARRIED_OVER_THE_YEAR:
            self.last_value = december

    @property
    def remaining(self) -> Decimal | None:
        if self.target is None or self.indicator.measure != Measure.INCREMENT:
            return None
        return max(self.target.value - self.ytd_before, Decimal(0))


def decimals(value: Decimal) -> int:
    """How many digits a number has after the decimal point (1.50 has one)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def retired_source_refusal(source: FundingSource, *, stored: bool) -> str | None:
    """A funding source an admin retired (`active` off; a CSR partner whose program
    ended) stays on the realizations that already have it and is never chosen anew: where
    that same (report, indicator, source) realization is `stored`, its value may change
    (or the row go); anywhere else the message refusing it. None for an active source.
    The rule of every entry point: the entry form, the import, the admin and the writer."""
    if source.active or stored:
        return None
    # Named as its option is: a generic source ("Swadaya masyarakat") in the reader's
    # language, a partner as stored.
    return translated(RETIRED_SOURCE, name=data_word(source.name))


def validate_rows(*, rows: list[EntryRow], context: EntryContext) -> list[RowMessage]:
    """Errors (never saved) and warnings (need a note before submitting) per row."""
    messages: list[RowMessage] = []
    sources = {s.code: s for s in context.sources}
    by_indicator: dict[int, list[EntryRow]] = defaultdict(list)
    for row in rows:
        by_indicator[row.indicator.pk].append(row)

    def error(row, text, **params):
        messages.append(RowMessage(row.key, Level.ERROR, translated(text, **params)))

    for indicator_id, indicator_rows in by_indicator.items():
        indicator = indicator_rows[0].indicator
        if indicator_id in context.exempt:
            # Exempt (a reporting exemption for this month): nothing of it can be saved.
            text = _(NOT_REQUIRED) % {"name": indicator.display_name}
            messages.append(RowMessage(indicator.code, Level.ERROR, text))
            continue
        seen = set()
        if indicator.measure == Measure.LEVEL and len(indicator_rows) > 1:
            error(indicator_rows[1], ONE_LEVEL_VALUE)
        for row in indicator_rows:
            for text in row.parse_errors:
                messages.append(RowMessage(row.key, Level.ERROR, text))
            if row.parse_errors:
                continue
            check_note(row, error)
            source = sources.get(row.source_code)
            if source is None:
                error(row, UNKNOWN_SOURCE)
            else:
                refused = retired_source_refusal(
                    source, stored=(indicator_id, source.code) in context.kept
                )
                if refused:
                    messages.append(RowMessage(row.key, Level.ERROR, refused))
            if row.source_code in seen:
                error(row, DUPLICATE_SOURCE)
            seen.add(row.source_code)
            check_numbers(row, error)
        if not any(
            m.level == Level.ERROR and m.key.startswith(indicator.code + "-") for m in messages
        ):
            messages.extend(row_warnings(indicator_rows, context.by_indicator[indicator_id]))
    return messages


def check_numbers(row: EntryRow, error) -> None:
    """A row's numbers as its indicator is measured: a ratio's numerator and denominator
    (`check_ratio`), otherwise its value (`check_value`)."""
    if row.indicator.measure == Measure.RATIO:
        check_ratio(row, error)
    else:
        check_value(row, row.indicator, error)


def parts_refusal(row: EntryRow) -> str | None:
    """A numerator or denominator on a row of an indicator of values (not a ratio),
    which a realization never keeps: the message the import and the admin refuse it
    with. The entry form has no such boxes for it, and its writer stores only what the
    measure takes (`services._stored_fields`). None when the row has none."""
    if row.indicator.measure == Measure.RATIO:
        return None
    if row.numerator is None and row.denominator is None:
        return None
    return translated(VALUE_WITH_PARTS, name=row.indicator.display_name)


def check_note(row: EntryRow, error) -> None:
    """A note longer than the column is refused, never cut; so is one holding a NUL
    character, which the database cannot store."""
    if has_nul(row.note):
        error(row, NUL_CHARACTER)
    elif len(row.note or "") > NOTE_MAX_LENGTH:
        error(row, NOTE_TOO_LONG, n=number(NOTE_MAX_LENGTH))


def row_problems(row: EntryRow) -> list[str]:
    """What `check_note` and `check_numbers` find wrong with one row, as messages (the
    import's reasons: the same rules as the entry form's)."""
    problems: list[str] = []

    def error(_row, text, **params):
        problems.append(translated(text, **params))

    check_note(row, error)
    check_numbers(row, error)
    return problems


def check_ratio(row: EntryRow, error) -> None:
    """A ratio's numerator and denominator: given, whole, not negative, num <= den.
    Calls `error(row, message, **params)` with the first problem."""
    if row.numerator is None or row.denominator is None:
        return error(row, RATIO_REQUIRED)
    if row.numerator < 0 or row.denominator < 0:
        return error(row, NEGATIVE)
    for part, value in (("num", row.numerator), ("den", row.denominator)):
        if decimals(value):
            return whole_number_error(row, row.raw.get(part, ""), error)
    if row.denominator == 0:
        return error(row, DENOMINATOR_ZERO)
    if row.numerator > row.denominator:
        return error(row, NUMERATOR_ABOVE_DENOMINATOR)
    return None


def check_value(row: EntryRow, indicator: Indicator, error) -> None:
    """A value: given, not negative (unless the indicator allows it: a deflation is a
    negative inflation), with no more decimals than the indicator has.
    Calls `error(row, message, **params)` with the first problem."""
    if row.value is None:
        return error(row, VALUE_REQUIRED)
    if row.value < 0 and not allows_negative(indicator):
        return error(row, NEGATIVE)
    if indicator.decimals == 0 and decimals(row.value):
        return whole_number_error(row, row.raw.get("value", ""), error)
    if decimals(row.value) > indicator.decimals:
        return error(row, TOO_MANY_DECIMALS, n=number(indicator.decimals))
    return None


def whole_number_error(row: EntryRow, typed: str, error) -> None:
    """A fraction where a whole number belongs: when it was typed as a thousands group
    with the other language's separator ('7,413' in Indonesian), the figure meant is
    named (7.413); otherwise WHOLE_NUMBER."""
    english = (get_language() or "id").startswith("en")
    other, thousands = (".", ",") if english else (",", ".")
    text = _SPACES.sub("", typed or "").lstrip("+-" + MINUS_SIGN)
    if re.fullmatch(rf"[1-9][0-9]{{0,2}}\{other}[0-9]{{3}}", text):
        sign = "-" if (typed or "").strip()[:1] in ("-", MINUS_SIGN) else ""
        return error(row, WHOLE_NUMBER_THOUSANDS, whole=sign + text.replace(other, thousands))
    return error(row, WHOLE_NUMBER)


def month_total(rows: list[EntryRow]) -> Decimal | None:
    """The entry form's "Jumlah bulan ini": the sum of the values typed, or None (shown
    as "–", as static/js/entry.js does) when one of them would be refused on save (not a
    number, negative, decimals the indicator does not have): a total of numbers that
    cannot be saved would be a figure nobody reports."""
    problems: list[str] = []

    def refused(_row, text, **_params):
        problems.append(text)

    for row in rows:
        if row.parse_errors:
            return None
        if row.value is not None:
            check_value(row, row.indicator, refused)
    if problems:
        return None
    return sum((row.value for row in rows if row.value is not None), Decimal(0))


def allows_negative(indicator: Indicator) -> bool:
    """Whether a value of `indicator` may be below zero: a level that allows it
    (`Indicator.allows_negative`; the model refuses the setting for other measures, and
    this holds even for a row saved around it)."""
    return indicator.may_be_negative


# The same checks, written for the verifier who reads the submitted report.
VERIFIER_TEXT = {
    RUNNING_TOTAL_DECREASE: gettext_noop(
        "Lebih rendah dari bulan lalu (%(previous)s) padahal angka kumulatif: baca catatan "
        "operator sebelum memverifikasi."
    ),
    ABOVE_REMAINING: gettext_noop(
        "Melebihi sisa target (%(remaining)s): cocokkan dengan catatan dan bukti operator."
    ),
    ABOVE_USUAL: gettext_noop(
        "Lebih dari 3 kali rata-rata bulanan (%(average)s): cocokkan dengan catatan operator."
    ),
    NOTE_IF_RIGHT: gettext_noop("Cocokkan dengan catatan operator sebelum memverifikasi."),
    RATIO_FAR_FROM_LAST: gettext_noop(
        "Persentase %(percent)s jauh berbeda dari bulan lalu (%(previous)s): cocokkan "
        "pembilang dan penyebut dengan catatan operator."
    ),
}


def row_warnings(
    rows: list[EntryRow], ctx: IndicatorContext, *, audience: str = "operator"
) -> list[RowMessage]:
    """Plausibility warnings on one indicator's rows; a note on any row resolves them.
    The operator is asked for a note; the verifier (`audience="verifier"`) to check it."""
    indicator = ctx.indicator
    noted = any(row.note for row in rows)
    total = sum((row.value or Decimal(0) for row in rows), Decimal(0))
    found = []

    def text(message: str) -> str:
        chosen = VERIFIER_TEXT.get(message, message) if audience == "verifier" else message
        return _(chosen)

    decreased = ctx.last_value is not None and total < ctx.last_value
    if indicator.measure == Measure.RUNNING_TOTAL and decreased:
        found.append(
            text(RUNNING_TOTAL_DECREASE) % {"previous": number(ctx.last_value, indicator.decimals)}
        )
    if indicator.measure == Measure.INCREMENT:
        remaining = ctx.remaining
        if remaining is not None and total > remaining:
            found.append(
                text(ABOVE_REMAINING) % {"remaining": number(remaining, indicator.decimals)}
            )
        elif ctx.monthly_average and total > 3 * ctx.monthly_average:
            found.append(
                text(ABOVE_USUAL) % {"average": number(ctx.monthly_average, indicator.decimals)}
            )
    if indicator.measure == Measure.LEVEL and rows:
        found.extend(level_warnings(total, ctx, text))
    if indicator.measure == Measure.RATIO:
        numerator = sum((row.numerator or Decimal(0) for row in rows), Decimal(0))
        denominator = sum((row.denominator or Decimal(0) for row in rows), Decimal(0))
        value_pct = progress.ratio_pct(numerator, denominator)
        if value_pct is not None and far_from(value_pct, ctx.last_value):
            found.append(
                text(RATIO_FAR_FROM_LAST)
                % {
                    "percent": percent(value_pct, indicator.decimals),
                    "previous": percent(ctx.last_value, indicator.decimals),
                }
            )
    return [RowMessage(indicator.code, Level.WARNING, text, resolved=noted) for text in found]


def far_from(value: Decimal, reference: Decimal | None) -> bool:
    """More than FAR_FACTOR times `reference` in size, or less than its FAR_FACTOR-th part
    (a reference of 0 or none compares with nothing). A level may be negative (a
    deflation): sizes are compared, and a value of the other sign (-0,09 after 0,76) is
    questioned only when it is the larger by far, since a separator slip changes the size
    of a number, never its sign."""
    if not reference:
        return False
    size, reference_size = abs(value), abs(reference)
    if size > reference_size * FAR_FACTOR:
        return True
    same_sign = (value < 0) == (reference < 0)
    return same_sign and size * FAR_FACTOR < reference_size


def level_warnings(total: Decimal, ctx: IndicatorContext, text) -> list[str]:
    """A level far from last month's (or, in a month without an earlier one, far outside
    its target and baseline), with the separator slip that most likely made it so."""
    indicator = ctx.indicator
    if ctx.last_value:
        if not far_from(total, ctx.last_value):
            return []
        reference = ctx.last_value
        said = text(LEVEL_FAR_FROM_LAST) % {"previous": number(ctx.last_value, indicator.decimals)}
    else:
        # No earlier month this year: the target and baseline give the order of magnitude.
        # A goal is no measurement (inflation can fall well below its target), so below
        # them only a hundredth is questioned.
        target = ctx.target
        bounds = sorted(v for v in (target.value, target.baseline) if v) if target else []
        if not bounds:
            return []
        low, high = bounds[0], bounds[-1]
        # Below zero (a deflation) is below the range however small: only a size far
        # above it is questioned (a separator slip never changes the sign).
        far_below = total >= 0 and total * FAR_FACTOR**2 < low
        if abs(total) <= high * FAR_FACTOR and not far_below:
            return []
        reference = high if abs(total) > high else low
        shown = [number(v, decimals(v)) for v in dict.fromkeys((low, high))]
        said = text(LEVEL_FAR_FROM_TARGET) % {"range": "–".join(shown)}
    parts = [said]
    likely = likely_meant(total, reference, max_decimals=indicator.decimals)
    if likely is not None:
        hint = DECIMAL_COMMA_HINT if abs(likely) < abs(total) else THOUSANDS_DOT_HINT
        parts.append(
            text(hint)
            % {"likely": number(likely, decimals(likely)), "typed": number(total, decimals(total))}
        )
    parts.append(text(NOTE_IF_RIGHT))
    return [" ".join(parts)]


def likely_meant(
    value: Decimal, reference: Decimal, *, max_decimals: int = MAX_DECIMALS
) -> Decimal | None:
    """What `value` most likely was before a separator slip: shifted by the power of ten
    that brings it nearest to `reference` (2.500 next to 3,06 was 2,5; 3,5 next to 3.200
    was 3.500). A value that got smaller is a thousands separator read as a decimal one,
    which shifts by thousands only. Sizes are compared and the sign kept (-3.500 next to
    -3,2 was -3,5). None when no such slip explains it, or when what it explains has
    more decimals than `max_decimals` (the indicator's)."""
    if not value or not reference:
        return None
    shift = int((abs(reference) / abs(value)).log10().to_integral_value())
    if shift == 0 or (shift > 0 and shift % 3):
        return None
    likely = value.scaleb(shift).normalize()
    # A figure the indicator cannot hold (1,0005 of an inflation rate with 2 decimals,
    # from 1.000,5) is no likely meaning: the form would refuse it.
    return likely if decimals(likely) <= min(max_decimals, MAX_DECIMALS) else None
