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
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from programs import formats

# Status colours: Okabe-Ito (colour-blind safe); every status is also written in words.
STATUS_COLOURS = {
    "on_track": "#009E73",
    "behind": "#D55E00",
    "no_target": "#8C8C8C",
    "no_data": "#BDBDBD",
}
MAP_SCALE = [[0, "#f1eef6"], [0.5, "#74a9cf"], [1, "#034e7b"]]
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


def _layout(**extra) -> dict:
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
    return layout


def config() -> dict:
    english = (get_language() or "id").startswith("en")
    return {
        "locale": "en" if english else "id",
        "displaylogo": False,
        "responsive": True,
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
    }


def esc(text) -> str:
    """Data-derived text for a Plotly label or hover text: no markup survives."""
    return html.escape(str(text), quote=False)


def _float(value) -> float | None:
    return None if value is None else float(formats.round_half_up(value, 4))


def _pct(value) -> str:
    return "–" if value is None else f"{formats.number(value, 1)} %"


def achievement_bars(rows: Sequence[BarRow], *, expected: Decimal | None) -> dict:
    """Horizontal bars of achievement per regency, best on top, with the expected marker."""
    shown = [r for r in rows if r.achievement is not None]
    shown.sort(key=lambda r: r.achievement)
    names = [esc(r.name) for r in shown]
    pcts = [_pct(r.achievement) for r in shown]  # formatted once for text and hover
    figure = {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": [_float(r.achievement) for r in shown],
                "y": names,
                "marker": {"color": [STATUS_COLOURS[r.status] for r in shown]},
                "text": pcts,
                # Beside the bar, level, in the dark axis colour: readable in a thin bar on a
                # phone, and no white text on the light status colours.
                "textposition": "outside",
                "textangle": 0,
                "cliponaxis": False,
                "hovertext": [
                    f"{esc(r.name)}: {pct} — {esc(r.status_label)}"
                    for r, pct in zip(shown, pcts, strict=True)
                ],
                "hovertemplate": "%{hovertext}<extra></extra>",
                "customdata": [r.url for r in shown],
            }
        ],
        "layout": _layout(
            height=max(220, 26 * len(shown) + 70),
            # Right margin: room for the outside text of the longest bar (cliponaxis off).
            margin={"l": 10, "r": 60, "t": 30, "b": 40},
            # No " %" on the ticks (the title says it): they stay level on a phone.
            xaxis={"title": {"text": _("Capaian (%)")}, "rangemode": "tozero", "automargin": True},
            yaxis={"automargin": True, "categoryorder": "array", "categoryarray": names},
            showlegend=False,
        ),
        "config": config(),
    }
    if expected is not None:
        figure["layout"]["shapes"] = [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": _float(expected),
                "x1": _float(expected),
                "y0": 0,
                "y1": 1,
                "line": {"color": "#333333", "width": 2, "dash": "dash"},
            }
        ]
        figure["layout"]["annotations"] = [
            {
                "x": _float(expected),
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
                "text": _("Seharusnya %(pct)s") % {"pct": _pct(expected)},
            }
        ]
    return figure


def achievement_map(rows: Sequence[BarRow]) -> dict:
    """Choropleth of achievement; regencies without a figure are grey and say so.
    The GeoJSON is attached in the browser from a static file (see charts.js)."""
    with_value = [r for r in rows if r.achievement is not None]
    without = [r for r in rows if r.achievement is None]
    common = {
        "type": "choropleth",
        "featureidkey": "properties.kode_kemendagri",
        "hovertemplate": "%{hovertext}<extra></extra>",
        "marker": {"line": {"color": "#ffffff", "width": 1}},
    }
    data = [
        {
            **common,
            "locations": [r.code for r in with_value],
            "z": [min(_float(r.achievement), 120.0) for r in with_value],
            "zmin": 0,
            "zmax": 100,
            "colorscale": MAP_SCALE,
            "colorbar": {"title": {"text": _("Capaian (%)")}, "ticksuffix": " %", "len": 0.8},
            "hovertext": [
                f"{esc(r.name)}: {_pct(r.achievement)} — {esc(r.status_label)}" for r in with_value
            ],
            "customdata": [r.url for r in with_value],
        }
    ]
    if without:
        data.append(
            {
                **common,
                "locations": [r.code for r in without],
                "z": [0 for _r in without],
                "colorscale": [[0, STATUS_COLOURS["no_data"]], [1, STATUS_COLOURS["no_data"]]],
                "showscale": False,
                "hovertext": [f"{esc(r.name)}: {esc(r.status_label)}" for r in without],
                "customdata": [r.url for r in without],
            }
        )
    return {
        "data": data,
        "layout": _layout(
            height=420,
            margin={"l": 0, "r": 0, "t": 10, "b": 0},
            geo={
                "fitbounds": "locations",
                "visible": False,
                "projection": {"type": "mercator"},
            },
        ),
        "config": {**config(), "scrollZoom": False},
    }


def cumulative_chart(
    *,
    months: Sequence[str],
    values: Sequence,
    expected: Sequence,
    unit: str,
    decimals: int,
    realized_label: str,
    expected_label: str,
) -> dict:
    """The province's year-to-date realization per month against the target path."""
    unit, realized_label, expected_label = esc(unit), esc(realized_label), esc(expected_label)

    def texts(series):
        return [
            "–" if v is None else f"{m}: {formats.number(v, decimals)} {unit}"
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
    return {
        "data": data,
        "layout": _layout(
            height=320,
            yaxis={"title": {"text": unit}, "rangemode": "tozero", "automargin": True},
            legend={"orientation": "h", "y": -0.2},
        ),
        "config": config(),
    }


def horizontal_bars(
    *, labels: Sequence[str], values: Sequence, unit: str, decimals: int, colour: str
) -> dict:
    """Plain horizontal bars (funding sources and partners)."""
    unit = esc(unit)
    pairs = sorted(
        ((esc(label), value) for label, value in zip(labels, values, strict=True)),
        key=lambda p: p[1] or 0,
    )
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": [_float(v) for _label, v in pairs],
                "y": [label for label, _v in pairs],
                "marker": {"color": colour},
                "text": [formats.number(v, decimals) for _label, v in pairs],
                "textposition": "auto",
                "hovertext": [
                    f"{label}: {formats.number(v, decimals)} {unit}" for label, v in pairs
                ],
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        ],
        "layout": _layout(
            height=max(200, 30 * len(pairs) + 60),
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
            "y": [
                "<br>".join(esc(p) for p in textwrap.wrap(label, 20)) or esc(label)
                for label in labels
            ],
            "marker": {"color": colour, "pattern": {"shape": pattern}},
            "hovertext": [
                f"{esc(label)}: {formats.number(v, 0)} {unit}"
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
        f"{m}: {'–' if v is None else formats.number(v, decimals)} {unit}"
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
        "config": {**config(), "displayModeBar": False},
    }
