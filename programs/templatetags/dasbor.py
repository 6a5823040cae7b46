"""Template filters for Indonesian-first numbers, percentages and periods."""

import html
from decimal import Decimal

from django import template
from django.template.base import token_kwargs
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from programs import formats
from programs.dashboards.selectors import share
from programs.filters import join_query
from programs.progress import NOT_REQUIRED, NOT_REQUIRED_LABEL

register = template.Library()


@register.filter
def angka(value, decimals=0):
    """8391 -> '8.391'; 14.3333 with 2 decimals -> '14,33'; None -> '–'."""
    return formats.number(value, int(decimals or 0))


@register.filter
def persen(value, decimals=1):
    """Percent in the active language: '92,8 %'; '92.8%' in English."""
    if value is None:
        return "–"
    return formats.percent(Decimal(value), int(decimals))


@register.filter
def satuan(text, unit):
    """A formatted number with its unit: '8.391 rumah'; '14,3 %' ('14.3%' in English)."""
    return formats.with_unit(str(text), str(unit or ""))


@register.filter
def nama_bulan(month):
    return formats.month_label(int(month)) if month else ""


# Month menus and month column headers per language: every dashboard has the menu and
# the grids have the headers; through the template engine their 12 options or columns
# (a number, a name, a comparison each) took a tenth of a small page's render.
_MONTH_OPTIONS: dict[tuple[str | None, int], str] = {}
_MONTH_HEADERS: dict[tuple[str | None, tuple[int, ...], str], str] = {}


@register.simple_tag
def month_options(selected, last=12):
    """The options of a month menu, January to `last` (December; the running month of
    this year: a month that has not begun is never offered), `selected` chosen."""
    key = (get_language(), selected, last)
    text = _MONTH_OPTIONS.get(key)
    if text is None:
        text = _MONTH_OPTIONS[key] = "".join(
            f'<option value="{m}"{" selected" if m == selected else ""}>'
            f"{html.escape(formats.month_label(m))}</option>"
            for m in range(1, last + 1)
        )
    return mark_safe(text)  # noqa: S308 - numbers and escaped month names


@register.simple_tag
def month_headers(months, css_class=""):
    """Column headers for `months`: the short name shown, the full one as `abbr`."""
    key = (get_language(), tuple(months), css_class)
    text = _MONTH_HEADERS.get(key)
    if text is None:
        attrs = f' class="{html.escape(css_class)}"' if css_class else ""
        text = _MONTH_HEADERS[key] = "".join(
            f'<th scope="col"{attrs} abbr="{html.escape(name)}">{html.escape(name[:3])}</th>'
            for name in map(formats.month_label, months)
        )
    return mark_safe(text)  # noqa: S308 - escaped month names


@register.simple_tag
def query_with(query: str, **params) -> str:
    """A link's query (`Filters.query` and kin, "" when empty) with `params` added."""
    return join_query(query, **params)


@register.filter
def history_reason(value):
    """A history reason in the reader's language (`notifications.reader_text`): the
    admin's history list read "Diajukan" in English."""
    from programs.reporting.notifications import reader_text
    from programs.reporting.services import HISTORY_REASONS

    return reader_text(value, HISTORY_REASONS) if value else value


@register.filter
def tanggal(value):
    return formats.date_label(value)


@register.filter
def sisa_hari(days: int) -> str:
    """Days left to a deadline: 'hari ini' on the day itself (not '0 hari lagi', which
    reads as already over), else 'N hari lagi'."""
    days = int(days)
    if days == 0:
        return _("hari ini")
    return ngettext("%(days)s hari lagi", "%(days)s hari lagi", days) % {
        "days": formats.number(days)
    }


@register.filter
def terlambat_hari(days_left: int) -> str:
    """Days past a deadline ('terlambat 3 hari'; "1 day late", "3 days late" in English)
    from the negative days left."""
    days = abs(int(days_left))
    return ngettext("terlambat %(days)s hari", "terlambat %(days)s hari", days) % {
        "days": formats.number(days)
    }


@register.filter
def lebar_bar(value):
    """A percentage clamped to 0..100 for a bar's width (CSS), unlocalized."""
    if value is None:
        return "0"
    return f"{max(0, min(100, float(value))):.1f}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


# A shape beside the colour in scorecard cells, so status never depends on colour alone.
STATUS_SYMBOLS = {"on_track": "✓", "behind": "!", "no_target": "", "no_data": ""}


@register.filter
def posisi_penanda(value):
    """x of a 0.8-wide marker inside a 0..100 meter, so it never overhangs the end."""
    if value is None:
        return "0"
    return f"{max(0, min(99.2, float(value))):.1f}"


def rapor_cells(row) -> str:
    """A scorecard row's cells as HTML, built in Python: with 500 regencies the template
    engine's per-variable cost dominated the page (same markup as a template loop)."""
    labels: dict[str, str] = {}
    parts = []
    for cell in row.cells:
        if not cell.required:
            if NOT_REQUIRED not in labels:
                labels[NOT_REQUIRED] = escape(str(NOT_REQUIRED_LABEL))
            parts.append(
                f'<td class="num cell-{NOT_REQUIRED}" data-program="{escape(cell.program.slug)}">'
                f"{labels[NOT_REQUIRED]}</td>"
            )
            continue
        progress = cell.progress
        status = progress.status if progress else "no_data"
        if progress is not None and progress.status not in labels:
            labels[progress.status] = escape(str(progress.status_label))
        if progress is not None and progress.achievement is not None:
            text = formats.percent(progress.achievement, 1)
            text += "*" if progress.provisional else ""
        else:
            text = "–"
        parts.append(
            f'<td class="num cell-{status}" data-program="{escape(cell.program.slug)}">{text}'
            f'<span class="visually-hidden"> {labels.get(status, "")}</span>'
            f'<span class="status-mark" aria-hidden="true">{STATUS_SYMBOLS.get(status, "")}'
            "</span></td>"
        )
    return "".join(parts)  # every value above is escaped or ours


def _ascii(text: str) -> str:
    """HTML text with every non-ASCII character as a character reference ('✓' becomes
    '&#10003;'; browsers show the same). One such character makes Python hold a whole page
    in two bytes per character: joining the 1 MB completeness grid into its page and
    encoding it for the response then took a third of a cold render."""
    return text if text.isascii() else text.encode("ascii", "xmlcharrefreplace").decode()


def _regency_link(base: str, query: str, regency, attrs: str = "") -> str:
    """A link to a regency's page in the big tables and lists (`base` and `query` come
    escaped; one place for the markup every row uses)."""
    code = html.escape(regency.code)  # ASCII: regency_code_format allows only 16.07
    return f'<a href="{base}{code}/{query}"{attrs}>{_ascii(html.escape(regency.name))}</a>'


def _regency_row_start(base: str, query: str, regency) -> str:
    """A table row's opening: the regency's code and its linked name as the row header."""
    code = html.escape(regency.code)
    return f'<tr data-regency="{code}"><th scope="row">{_regency_link(base, query, regency)}</th>'


@register.simple_tag
def month_rows(pairs, decimals=0):
    """(month, value) pairs as table rows, month name and number (the regency page's
    monthly figures under each chart: twelve rows for each of its indicators)."""
    decimals = int(decimals or 0)
    return mark_safe(  # noqa: S308 - month names and numbers, escaped
        "".join(
            f'<tr><th scope="row">{html.escape(nama_bulan(month))}</th>'
            f'<td class="num">{html.escape(formats.number(value, decimals))}</td></tr>'
            for month, value in pairs
        )
    )


@register.simple_tag
def scorecard_rows(rows, regency_base: str, query: str):
    """The scorecard's body rows: rank, the regency's link, its cells (`rapor_cells`) and
    on-track count, in Python like the cells (500 rows at the benchmark's scale)."""
    base, query = html.escape(regency_base), html.escape(query)
    parts = []
    for row in rows:
        code = html.escape(row.regency.code)
        parts.append(
            f'<tr data-regency="{code}"><td class="num">{formats.number(row.rank)}</td>'
            f'<th scope="row">{_regency_link(base, query, row.regency)}</th>{rapor_cells(row)}'
            f'<td class="num">{formats.number(row.on_track)}/'
            f"{formats.number(row.obliged)}</td></tr>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or ours


# The markup of one completeness cell per (state, label): a grid of 500 regencies has
# 6,000 cells but only a handful of kinds, rendered once per process and language. A
# cell holds its state (colour and shape come from app.css by data-state) and the
# state's name for screen readers; the shape drawn by CSS halves the 500-regency page
# (1.1 MB to 0.6 MB), and its compression and joining with it.
_STATE_CELLS: dict[tuple[str, str], str] = {}


def _state_cell(cell) -> str:
    key = (cell.state, cell.label)
    html = _STATE_CELLS.get(key)
    if html is None:
        state, label = escape(cell.state), escape(cell.label)
        html = _STATE_CELLS[key] = _ascii(
            f'<td data-state="{state}"><span class="visually-hidden">{label}</span></td>'
        )
    return html


@register.filter
def status_cells(cells):
    """A completeness row's cells as HTML (same markup as a template loop): each kind
    of cell is rendered once, instead of four variable lookups per cell in the template
    engine."""
    return mark_safe(_cells_html(cells))  # noqa: S308 - escaped in _state_cell


def _cells_html(cells) -> str:
    return "".join(map(_state_cell, cells))


@register.simple_tag
def completeness_rows(grid, regency_base: str, query: str):
    """The completeness grid's body rows: the regency's link, its cells and its two rates.
    In Python rather than a template loop: at 500 regencies the loop's variable lookups
    took most of the page's time. Rows share their few kinds of cells, runs of cells and
    rates, so each distinct run and rate is rendered once per grid. Escaped with
    html.escape, which Django's escape wraps (same output, without its lazy-string check
    on 1,000 names and codes)."""
    base, query = html.escape(regency_base), html.escape(query)
    runs: dict[tuple[int, ...], str] = {}  # a row's cells, by the identity of each cell
    rates: dict[tuple[int, int], str] = {}  # (count, due) -> percentage

    def rate(count: int, due: int) -> str:
        text = rates.get((count, due))
        if text is None:
            text = rates[(count, due)] = _ascii(persen(share(count, due)))
        return text

    parts = []
    for row in grid.rows:
        key = tuple(map(id, row.cells))
        cells = runs.get(key)
        if cells is None:
            cells = runs[key] = _cells_html(row.cells)  # plain text: no SafeString copy
        parts.append(
            f"{_regency_row_start(base, query, row.regency)}{cells}"
            f'<td class="num">{rate(row.submitted, row.due)}</td>'
            f'<td class="num">{rate(row.on_time, row.due)}</td></tr>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or ours


def _text(value) -> str:
    """A value (a lazy translation too) as escaped text."""
    return html.escape(str(value))


@register.simple_tag
def regency_links(regencies, regency_base: str, query: str, css_class: str):
    """Links to regency pages, comma-separated (the overview's "who is behind" lists: up
    to 17 per program here, 500 per program at the benchmark's scale), in Python for the
    same reason as `completeness_rows`."""
    base, query, css_class = html.escape(regency_base), html.escape(query), html.escape(css_class)
    links = [
        _regency_link(base, query, r, f' class="{css_class}" data-regency="{html.escape(r.code)}"')
        for r in regencies
    ]
    return mark_safe(", ".join(links))  # noqa: S308 - every value is escaped


@register.simple_tag
def hbar_items(bars):
    """The achievement bars' list items (charts.achievement_bars), built in Python like the
    map they sit beside: per bar, a template loop resolved about twenty variables and
    filters, which took a third of the program page's rendering."""
    scale = f"{bars.scale:g}"
    track = (
        f'<svg class="hbar-track" viewBox="0 0 {scale} 10" preserveAspectRatio="none" '
        f'aria-hidden="true" focusable="false"><rect width="{scale}" height="10" '
        'class="hbar-bg"/>'
        + "".join(
            f'<rect x="{g:g}" width="0.4" height="10" class="hbar-grid"/>' for g in bars.gridlines
        )
    )
    mark = (
        ""
        if bars.expected is None
        else f'<rect x="{bars.expected:g}" y="-1" width="0.9" height="12" class="hbar-expected"/>'
    )
    parts = []
    for bar in bars.bars:
        status = html.escape(bar.status)
        clipped = ' <span aria-hidden="true">»</span>' if bar.clipped else ""
        parts.append(
            f'<li data-regency="{html.escape(bar.code)}" data-status="{status}">'
            f'<a href="{html.escape(bar.url)}" class="hbar-name">{html.escape(bar.name)}</a>'
            f'{track}<rect width="{bar.length:g}" height="10" class="hbar-fill fill-{status}"/>'
            f'{mark}</svg><span class="hbar-value">{html.escape(bar.text)}{clipped}'
            f'<span class="visually-hidden"> — {_text(bar.status_label)}</span></span></li>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or ours


@register.simple_tag
def map_items(items):
    """A status map's numbered list (maps.StatusMap.items) beside its drawing, in Python
    for the same reason as `hbar_items`."""
    parts = []
    for number, area in items:
        status = html.escape(area.status)
        detail = area.detail and f' <span class="map-detail">{html.escape(area.detail)}</span>'
        parts.append(
            f'<li data-regency="{html.escape(area.code)}" data-status="{status}">'
            f'<span class="map-no" aria-hidden="true">{number}</span> '
            f'<a href="{html.escape(area.url)}">{html.escape(area.name)}</a> '
            f'<span class="status status-{status}">{_text(area.status_label)}</span>{detail}</li>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or ours


@register.simple_tag
def program_regency_rows(rows, decimals, regency_base: str, query: str):
    """The program page's table rows (selectors.RegencyProgressRow), in Python for the
    same reason as `hbar_items`: eleven variables and five filters per row. The last
    cell counts the months due and not submitted ('–' when none was due yet), marked
    when there are any."""
    base, query = html.escape(regency_base), html.escape(query)
    decimals = int(decimals or 0)
    words = {
        "none": _text(_("belum ada")),
        True: _text(_("tepat waktu")),
        False: _text(_("terlambat")),
        None: "–",
    }
    parts = []
    for row in rows:
        progress = row.progress
        status, label = row.shown_status  # "tidak wajib" where exempt
        marker = "" if row.required else " data-not-required"
        status_cell = f'<td class="status status-{html.escape(status)}"{marker}>{_text(label)}</td>'
        if row.report_month:
            report = (
                f"{html.escape(formats.month_label(row.report_month))}: "
                f"{_text(row.report_status_label)}"
            )
        else:
            report = words["none"]
        provisional = "*" if progress.provisional else ""
        if row.missing:
            missing = f'<td class="num overdue" data-missing="{row.missing}">'
            missing += f"{formats.number(row.missing)}</td>"
        else:
            missing = f'<td class="num">{formats.number(row.missing)}</td>'  # 0, or "–"
        parts.append(
            f"{_regency_row_start(base, query, row.regency)}"
            f'<td class="num">{formats.number(progress.target, decimals)}</td>'
            f'<td class="num">{formats.number(progress.realization, decimals)}{provisional}</td>'
            f'<td class="num">{persen(progress.achievement)}</td>{status_cell}'
            f"<td>{report}</td><td>{words[row.report_on_time]}</td>{missing}</tr>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or ours


@register.filter
def queue_query(filters, status: str = "") -> str:
    """The verification queue's URL query for `filters` (with another status when given;
    '?' + params, always ending so that '&halaman=' can follow)."""
    query = filters.query(status=status) if status else filters.query()
    return query if query != "?" else "?status=submitted"


@register.filter
def queue_month(filters) -> str:
    return f"{filters.period[0]}-{filters.period[1]:02d}" if filters.period else ""


@register.filter
def lookup(mapping, key):
    """mapping[key] in a template (None when missing)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def ratio_percent(row) -> str:
    """A ratio row's numerator / denominator x 100, '16,67 %' ('–' when incomplete)."""
    if row.numerator is None or not row.denominator:
        return "–"
    return formats.percent(Decimal(row.numerator) / Decimal(row.denominator) * 100, 2)


@register.filter
def history_cell(record, column):
    """A history list's column of `record` (simple_history's list): an admin column's
    text as given, a stored field's value as the history shows it (`history_value`:
    "–", "Terverifikasi", "25 Maret 2027"), never "None" or "verified"."""
    from programs.admin_numbers import history_value

    value = getattr(record, column, None)
    model = getattr(record, "instance_type", None)
    if model is None:
        return "–" if value is None or value == "" else value
    return history_value(model, column, value)


# --- Wide tables ------------------------------------------------------------------------

WIDE_TABLE_TEMPLATE = "includes/wide_table.html"
WIDE_TABLE_OPTIONS = ("cue", "class")
WIDE_TABLE_CUE = gettext_lazy("Geser tabel ke samping untuk melihat semua kolom →")


@register.tag
def wide_table(parser, token):
    """`{% wide_table cue=... class=... %}<table>...</table>{% endwide_table %}`: a table
    that may be wider than a phone's screen, in the one markup every such table shares
    (includes/wide_table.html): it scrolls sideways inside its box, a hint says so
    (`cue`, what the hidden columns hold; `WIDE_TABLE_CUE` by default) while it does, and
    its row headers (the names) stay in view as the other columns scroll (app.css,
    `.wide-table`). `class`: more classes for the box (`print-skip`)."""
    name, *bits = token.split_contents()
    options = token_kwargs(bits, parser)  # takes the key=value bits
    if bits or set(options) - set(WIDE_TABLE_OPTIONS):
        raise template.TemplateSyntaxError(
            f"{name} takes only {', '.join(k + '=...' for k in WIDE_TABLE_OPTIONS)}"
        )
    nodelist = parser.parse(("endwide_table",))
    parser.delete_first_token()
    return WideTableNode(nodelist, options)


class WideTableNode(template.Node):
    def __init__(self, nodelist, options):
        self.nodelist = nodelist
        self.options = options

    def render(self, context):
        values = {key: value.resolve(context) for key, value in self.options.items()}
        shell = context.template.engine.get_template(WIDE_TABLE_TEMPLATE)
        table = mark_safe(self.nodelist.render(context))  # noqa: S308 - rendered, so escaped
        # In ASCII, as the rest of the completeness page ("→" as a reference, `_ascii`).
        cue = mark_safe(_ascii(conditional_escape(values.get("cue") or WIDE_TABLE_CUE)))  # noqa: S308
        with context.push(table=table, cue=cue, extra=values.get("class", "")):
            return shell.render(context)
