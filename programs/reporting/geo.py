"""Regency outlines from static/geo, drawn on the server as a small SVG (no JavaScript):
the GPS positions of a report's photos as points on its regency."""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass

from django.conf import settings

WIDTH = 320
PADDING = 8


@functools.cache
def _features() -> dict[str, dict]:
    path = settings.BASE_DIR / "static" / "geo" / "sumsel_kabkota.geojson"
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    return {f["properties"]["kode_kemendagri"]: f["geometry"] for f in data["features"]}


def _rings(geometry: dict):
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    for polygon in polygons:
        yield from polygon


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    label: str
    inside: bool  # within the drawn area (a point far outside is clamped to the edge)


@dataclass(frozen=True)
class PointsMap:
    width: int
    height: int
    outline: str  # SVG path data; empty when the regency has no boundary (synthetic ones)
    points: list[MapPoint]


def points_map(regency_code: str | None, attachments) -> PointsMap:
    """Project the regency's outline and the points (equirectangular, scaled by the
    cosine of the latitude) into a WIDTH-wide box."""
    geometry = _features().get(regency_code or "")
    coords = [(float(a.longitude), float(a.latitude), a) for a in attachments]
    lons = [c[0] for c in coords]
    lats = [c[1] for c in coords]
    if geometry:  # frame the regency; points elsewhere are clamped and flagged
        ring_lons = [p[0] for r in _rings(geometry) for p in r]
        ring_lats = [p[1] for r in _rings(geometry) for p in r]
        west, east, south, north = min(ring_lons), max(ring_lons), min(ring_lats), max(ring_lats)
    else:
        west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    span_x = max((east - west) * math.cos(math.radians((north + south) / 2)), 1e-6)
    span_y = max(north - south, 1e-6)
    scale = (WIDTH - 2 * PADDING) / max(span_x, span_y)
    height = int(span_y * scale + 2 * PADDING)
    cos_lat = math.cos(math.radians((north + south) / 2))

    def project(lon, lat):
        return (PADDING + (lon - west) * cos_lat * scale, PADDING + (north - lat) * scale)

    outline = ""
    if geometry:
        parts = []
        for ring in _rings(geometry):
            xy = [project(lon, lat) for lon, lat in ring[:: max(1, len(ring) // 400)]]
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + "Z")
        outline = "".join(parts)
    points = []
    for lon, lat, attachment in coords:
        x, y = project(lon, lat)
        inside = 0 <= x <= WIDTH and 0 <= y <= height
        x, y = min(max(x, 4), WIDTH - 4), min(max(y, 4), height - 4)
        label = attachment.caption or attachment.original_name
        points.append(MapPoint(round(x, 1), round(y, 1), label, inside))
    return PointsMap(WIDTH, height, outline, points)
