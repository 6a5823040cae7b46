"""Status maps of the 17 kabupaten/kota as SVG drawn on the server (pure: rows in, markup
out). A map needs no interaction beyond links, so it costs no JavaScript: the shapes are
projected once from the static boundaries (static/geo/sumsel_kabkota.geojson).

Each region is filled with its status colour (the bars' palette) and carries a number;
the names, statuses and links are in the list printed beside the map (`numbered`),
which is also the map's text alternative.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from programs.dashboards.charts import STATUS_COLOURS

GEOJSON = Path(settings.BASE_DIR) / "static" / "geo" / "sumsel_kabkota.geojson"
WIDTH = 600  # viewBox units; the SVG scales to its box


@dataclass(frozen=True)
class Shape:
    code: str
    path: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Geometry:
    shapes: dict[str, Shape]
    height: float


@dataclass(frozen=True)
class MapArea:
    """One regency on a map: what it is called, its status and where it links."""

    code: str
    name: str
    status: str
    status_label: str
    url: str
    detail: str = ""  # e.g. '45,2 %' or the programs it is behind on


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    return [polygon[0] for polygon in geometry["coordinates"]]


def _area_centroid(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Signed area and centroid of a ring (shoelace), in projected units."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if not area:
        return 0.0, ring[0][0], ring[0][1]
    return abs(area), cx / (6 * area), cy / (6 * area)


@lru_cache(maxsize=1)
def projected() -> tuple[dict[str, list[list[tuple[float, float]]]], float]:
    """Each regency's rings in map units (equirectangular projection scaled by
    cos(latitude), WIDTH units wide, y downwards), and the map's height."""
    features = json.loads(GEOJSON.read_text(encoding="utf-8"))["features"]
    points = [p for f in features for ring in _rings(f["geometry"]) for p in ring]
    min_lon = min(p[0] for p in points)
    max_lon = max(p[0] for p in points)
    min_lat = min(p[1] for p in points)
    max_lat = max(p[1] for p in points)
    stretch = math.cos(math.radians((min_lat + max_lat) / 2))
    scale = WIDTH / ((max_lon - min_lon) * stretch)
    height = (max_lat - min_lat) * scale

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - min_lon) * stretch * scale, (max_lat - lat) * scale

    rings = {
        feature["properties"]["kode_kemendagri"]: [
            [project(lon, lat) for lon, lat in ring] for ring in _rings(feature["geometry"])
        ]
        for feature in features
    }
    return rings, height


@lru_cache(maxsize=1)
def geometry() -> Geometry:
    """Each regency's shape as SVG path data, with where its number goes."""
    rings_of, height = projected()
    shapes = {}
    for code, rings in rings_of.items():
        best = max(_area_centroid(ring) for ring in rings)
        path = "".join(_path(ring) for ring in rings)
        shapes[code] = Shape(code, path, round(best[1], 1), round(best[2], 1))
    return Geometry(shapes=shapes, height=round(height, 1))


def _path(ring: list[tuple[float, float]]) -> str:
    """A closed ring as SVG path data in tenths of a unit: the first point absolute,
    then relative steps between the rounded points, so every point lands where the
    absolute form put it. Each map is 28% smaller (27.6 -> 19.2 KB for 17 regencies;
    gzip 10.7 -> 7.8 KB), on every page that shows one."""
    # Rounded exactly as f"{x:.1f}" rounds (the absolute form), as whole tenths.
    tenths = [(int(f"{x:.1f}".replace(".", "")), int(f"{y:.1f}".replace(".", ""))) for x, y in ring]
    (x, y), steps = tenths[0], []
    for nx, ny in tenths[1:]:
        if (nx, ny) != (x, y):
            steps.append(f"{_tenths(nx - x)},{_tenths(ny - y)}")
        x, y = nx, ny
    start = f"M{_tenths(tenths[0][0])},{_tenths(tenths[0][1])}"
    return f"{start}l{' '.join(steps)}z" if steps else f"{start}z"


def _tenths(value: int) -> str:
    """12 -> '1.2', -5 -> '-.5', 30 -> '3' (SVG number syntax, fewest characters)."""
    whole, tenth = divmod(abs(value), 10)
    text = (str(whole) if whole else "") + (f".{tenth}" if tenth else "")
    return ("-" if value < 0 else "") + (text or "0")


def numbered(areas: Sequence[MapArea]) -> list[tuple[int, MapArea]]:
    """Areas that have a shape, numbered in Kemendagri code order (map and list agree)."""
    shapes = geometry().shapes
    drawn = sorted((a for a in areas if a.code in shapes), key=lambda a: a.code)
    return list(enumerate(drawn, start=1))


def status_map_svg(areas: Sequence[MapArea], *, map_id: str) -> SafeString:
    """The map as inline SVG. Decorative for assistive technology (the list beside it
    says the same with links), so its links are out of the tab order."""
    geo = geometry()
    parts = [
        f'<svg class="status-map" id="{escape(map_id)}" viewBox="-4 -4 {WIDTH + 8} '
        f'{geo.height + 8}" aria-hidden="true" focusable="false" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    labels = []
    for number, area in numbered(areas):
        shape = geo.shapes[area.code]
        colour = STATUS_COLOURS.get(area.status, STATUS_COLOURS["no_data"])
        title = escape(
            f"{area.name}: {area.status_label}" + (f" ({area.detail})" if area.detail else "")
        )
        parts.append(
            f'<a href="{escape(area.url)}" tabindex="-1" data-regency="{escape(area.code)}" '
            f'data-status="{escape(area.status)}"><path d="{shape.path}" fill="{colour}">'
            f"<title>{title}</title></path></a>"
        )
        labels.append(
            f'<g class="map-label" transform="translate({shape.label_x},{shape.label_y})">'
            f'<circle r="11"/><text text-anchor="middle" dy="4">{number}</text></g>'
        )
    parts.extend(labels)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - names and urls are escaped above


@dataclass(frozen=True)
class StatusMap:
    svg: SafeString
    items: list[tuple[int, MapArea]]

    @property
    def has_not_required(self) -> bool:
        """Is a regency drawn as "tidak wajib"? (Its colour is then in the legend.)"""
        return any(area.status == "not_required" for _number, area in self.items)


def status_map(areas: Sequence[MapArea], *, map_id: str) -> StatusMap:
    return StatusMap(svg=status_map_svg(areas, map_id=map_id), items=numbered(areas))
