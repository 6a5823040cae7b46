"""Plotly figures as plain dicts: rows in, figure out; no database, no go.Figure.

Hover texts are formatted here with the active language's number format, so a chart says
'8.391 rumah' in Indonesian exactly like the table beside it.

Plotly reads labels, hover texts and titles as a subset of HTML (<a href>, <b>, <br>):
every text that comes from data (regency, funding source and partner names, units, labels)
goes through `esc`, so a partner named `<a href=...>` is shown as text, never as a link.
Plotly turns the entities back into the characters it draws.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import get_language

from programs import formats

# Status colours: Okabe-Ito (colour-blind safe); every status is also written in words.
STATUS_COLOURS = {
    "on_track": "#009E73",
    "behind": "#D55E00",
    "no_target": "#8C8C8C",
    "no_data": "#BDBDBD",
    # Exempt ("tidak wajib"): lighter than "no data", so a map does not read as missing
    # reports where none are owed (it was painted as "Belum ada data").
    "not_required": "#E8E8E8",
}
REALIZATION_COLOUR = "#0072B2"
TARGET_COLOUR = "#E69F00"


@dataclass(frozen=True)
class BarRow:
    code: str
    name: str
    achievement: Decimal | None
    status: str
    status_label: str
    url: str


# Every numeric axis: thousands separated and no trailing zeros (8.000; 14,3 in
# Indonesian through `separators`, 8,000; 14.3 in English). Category axes ignore it.
AXIS_NUMBERS = {"tickformat": ",~f", "separatethousands": True}


def _layout(**extra) -> dict:
    """The common layout of every figure: the language's separators and axis number
    format are set here once, so no figure can forget them."""
    english = (get_language() or "id").startswith("en")
    layout = {
        "separators": ".," if english else ",.",
        "margin": {"l": 10, "r": 10, "t": 30, "b": 40},
        "font": {"family": "system-ui, sans-serif", "size": 13},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hoverlabel": {"align": "left"},
    }
    layout.update(extra)
    for axis in ("xaxis", "yaxis"):
        layout[axis] = {**AXIS_NUMBERS, **layout.get(axis, {})}
    return layout


def config() -> dict:
    """Plotly's tool bar stays off: it floats over the top right of a chart and covered
    labels there; every chart has its table and its download beside it."""
    english = (get_language() or "id").startswith("en")
    return {
        "locale": "en" if english else "id",
        "displaylogo": False,
        "displayModeBar": False,
        "responsive": True,
    }


def esc(text) -> str:
    """Data-derived text for a Plotly label or hover text: no markup survives."""
    return html.escape(str(text), quote=False)


def _float(value) -> float | None:
    return None if value is None else float(formats.round_half_up(value, 4))


# A bar longer than this (in % achievement) is clipped at the axis end and labelled with
# its true value, so one regency far above its target does not squash the others.
CLIP_AT = Decimal(150)


@dataclass(frozen=True)
class Bar:
    """One regency's bar: `length` on the chart's scale, `clipped` when the true value
    (in `text`) is beyond the scale's end."""

    code: str
    name: str
    url: str
    status: str
    status_label: str
    text: str
    length: float
    clipped: bool


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    scale: float  # the axis end in % (100 up to CLIP_AT)
    expected: float | None
    expected_text: str
    gridlines: list[float]


def achievement_bars(rows: Sequence[BarRow], *, expected: Decimal | None) -> BarChart:
    """Achievement per regency, best on top (ties by Kemendagri code), drawn in HTML and
    SVG by the template (no JavaScript: it needs no interaction beyond its links). The
    scale ends at 100 %, or at the highest value or the expected mark up to CLIP_AT; a bar
    beyond CLIP_AT is clipped there and says its true value, so one regency far above its
    target does not squash the others."""
    shown = sorted(
        (r for r in rows if r.achievement is not None), key=lambda r: (-r.achievement, r.code)
    )
    top = max([Decimal(100), *(r.achievement for r in shown), expected or Decimal(0)])
    scale = float(min(CLIP_AT, math.ceil(top / 10) * 10))  # rounded up to ten
    bars = [
        Bar(
            code=r.code,
            name=r.name,
            url=r.url,
            status=r.status,
            status_label=r.status_label,
            text=formats.percent(r.achievement),
            length=round(min(max(float(r.achievement), 0.0), scale), 2),
            clipped=r.achievement > CLIP_AT,
        )
        for r in shown
    ]
    return BarChart(
        bars=bars,
        scale=scale,
        expected=None if expected is None else round(min(float(expected), scale), 2),
        expected_text=formats.percent(expected) if expected is not None else "",
        gridlines=[g for g in (50.0, 100.0, 150.0) if g < scale],
    )


def cumulative_chart(
    *,
    months: Sequence[str],
    values: Sequence,
    expected: Sequence,
    unit: str,
    decimals: int,
    realized_label: str,
    expected_label: str,
    previous: Sequence | None = None,
    previous_label: str = "",
) -> dict:
    """The province's year-to-date realization per month against the target path, and
    (when given) the same months of the previous year as a dotted grey line."""
    unit, realized_label, expected_label = esc(unit), esc(realized_label), esc(expected_label)
    previous_label = esc(previous_label)

    def texts(series):
        return [
            "–" if v is None else f"{m}: {formats.with_unit(formats.number(v, decimals), unit)}"
            for m, v in zip(months, series, strict=True)
        ]

    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": realized_label,
            "x": list(months),
            "y": [_float(v) for v in values],
            "line": {"color": REALIZATION_COLOUR, "width": 3},
            "marker": {"symbol": "circle", "size": 7},
            "hovertext": texts(values),
            "hovertemplate": "%{hovertext}<extra>" + realized_label + "</extra>",
        }
    ]
    if any(v is not None for v in expected):
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": expected_label,
                "x": list(months),
                "y": [_float(v) for v in expected],
                "line": {"color": TARGET_COLOUR, "width": 2, "dash": "dash"},
                "hovertext": texts(expected),
                "hovertemplate": "%{hovertext}<extra>" + expected_label + "</extra>",
            }
        )
    if previous is not None and any(v is not None for v in previous):
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": previous_label,
                "x": list(months),
                "y": [_float(v) for v in previous],
                "line": {"color": "#666666", "width": 2, "dash": "dot"},
                "hovertext": texts(previous),
                "hovertemplate": "%{hovertext}<extra>" + previous_label + "</extra>",
            }
        )
    return {
        "data": data,
        "layout": _layout(
            height=320,
            yaxis={"title": {"text": unit}, "rangemode": "tozero", "automargin": True},
            legend={"orientation": "h", "y": -0.2},
        ),
        "config": config(),
    }


def wrapped_label(label: str, width: int = 20) -> str:
    """A category label on lines of at most `width` characters (escaped), so a long name
    (a CSR partner, a funding category) does not take the chart's width on a phone:
    Plotly clipped it at the left edge, and the bars shrank to a sliver beside it."""
    parts = textwrap.wrap(label, width, break_long_words=False)  # a word stays whole
    return "<br>".join(esc(part) for part in parts) or esc(label)


def horizontal_bars(
    *, labels: Sequence[str], values: Sequence, unit: str, decimals: int, colour: str
) -> dict:
    """Plain horizontal bars (funding sources and partners); long names on two lines."""
    unit = esc(unit)
    pairs = sorted(
        ((str(label), value) for label, value in zip(labels, values, strict=True)),
        key=lambda p: p[1] or 0,
    )
    names = [wrapped_label(label) for label, _v in pairs]
    lines = sum(name.count("<br>") + 1 for name in names)  # a wrapped name needs its rows
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": [_float(v) for _label, v in pairs],
                "y": names,
                "marker": {"color": colour},
                "text": [formats.number(v, decimals) for _label, v in pairs],
                "textposition": "auto",
                "hovertext": [
                    f"{esc(label)}: {formats.with_unit(formats.number(v, decimals), unit)}"
                    for label, v in pairs
                ],
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        ],
        "layout": _layout(
            height=max(200, 30 * len(pairs) + 16 * (lines - len(pairs)) + 60),
            yaxis={"automargin": True},
            xaxis={"rangemode": "tozero"},
            showlegend=False,
        ),
        "config": config(),
    }


def planned_vs_realized_chart(
    *,
    labels: Sequence[str],
    planned: Sequence,
    realized: Sequence,
    unit: str,
    planned_label: str,
    realized_label: str,
) -> dict:
    unit = esc(unit)

    def trace(name, values, colour, pattern):
        name = esc(name)
        return {
            "type": "bar",
            "orientation": "h",  # group names on the y axis: level and whole on a phone
            "name": name,
            "x": [_float(v) for v in values],
            # Long names on two lines, so the bars keep their width on a phone.
            "y": [wrapped_label(label) for label in labels],
            "marker": {"color": colour, "pattern": {"shape": pattern}},
            "hovertext": [
                f"{esc(label)}: {formats.with_unit(formats.number(v, 0), unit)}"
                for label, v in zip(labels, values, strict=True)
            ],
            "hovertemplate": "%{hovertext}<extra>" + name + "</extra>",
        }

    return {
        "data": [
            trace(planned_label, planned, TARGET_COLOUR, "/"),
            trace(realized_label, realized, REALIZATION_COLOUR, ""),
        ],
        "layout": _layout(
            height=max(240, 40 * len(labels) + 90),
            barmode="group",
            legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
            xaxis={"title": {"text": unit}, "rangemode": "tozero", "automargin": True},
            # First group on top, in the order of the table beside it.
            yaxis={"automargin": True, "autorange": "reversed"},
        ),
        "config": config(),
    }


def trend_chart(
    *, months: Sequence[str], values: Sequence, unit: str, decimals: int, as_bars: bool
) -> dict:
    """A small monthly trend for one regency's indicator."""
    unit = esc(unit)
    hover = [
        f"{m}: {formats.with_unit(formats.number(v, decimals), unit)}"
        for m, v in zip(months, values, strict=True)
    ]
    trace = {
        "x": list(months),
        "y": [_float(v) for v in values],
        "hovertext": hover,
        "hovertemplate": "%{hovertext}<extra></extra>",
    }
    if as_bars:
        trace.update(type="bar", marker={"color": REALIZATION_COLOUR})
    else:
        trace.update(
            type="scatter",
            mode="lines+markers",
            connectgaps=False,
            line={"color": REALIZATION_COLOUR},
        )
    return {
        "data": [trace],
        "layout": _layout(
            height=200,
            margin={"l": 10, "r": 10, "t": 10, "b": 30},
            xaxis={"automargin": True},  # month names turned on a phone stay inside
            yaxis={"rangemode": "tozero", "automargin": True},
            showlegend=False,
        ),
        "config": config(),
    }
