"""GeoJSON read defensively: the file is checked before anything uses it.

A GeoJSON given to ``map posts`` may be a batch's own output or anything else: nesting
deep enough to exhaust Python's recursion, a feature that is a number, a geometry of an
unknown type, coordinates that are text, NaN or infinite. Each is refused with a
French message naming the file and the feature (its number, from 1), never a
traceback.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zoning.errors import InvalidInputError

GEOMETRY_DEPTH = {
    "Point": 1,
    "MultiPoint": 2,
    "LineString": 2,
    "MultiLineString": 3,
    "Polygon": 3,
    "MultiPolygon": 4,
}


@dataclass(frozen=True)
class Feature:
    """One feature: its number in the file (from 1), properties and geometry (or None)."""

    number: int
    properties: dict[str, Any]
    geometry: dict[str, Any] | None


def _positions(coords: Any, depth: int) -> bool:
    """Whether ``coords`` is nested ``depth`` deep down to positions of 2 or 3 finite numbers."""
    if not isinstance(coords, list):
        return False
    if depth == 1:
        return 2 <= len(coords) <= 4 and all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            for v in coords
        )
    return all(_positions(c, depth - 1) for c in coords)


def _geometry(name: str, number: int, geom: Any) -> dict[str, Any] | None:
    if geom is None:
        return None
    where = f"{name} : objet n° {number}"
    if not isinstance(geom, dict):
        raise InvalidInputError(f"{where} : géométrie qui n'est pas un objet JSON")
    kind = geom.get("type")
    if kind not in GEOMETRY_DEPTH:
        raise InvalidInputError(
            f"{where} : type de géométrie « {str(kind)[:40]} » inconnu "
            f"(attendu : {', '.join(GEOMETRY_DEPTH)})"
        )
    if not _positions(geom.get("coordinates"), GEOMETRY_DEPTH[kind]):
        raise InvalidInputError(
            f"{where} : coordonnées de {kind} illisibles (nombres finis attendus, "
            "[longitude, latitude])"
        )
    return geom


def read_features(path: Path) -> tuple[list[Feature], dict[str, Any]]:
    """The features of a GeoJSON file, checked, and its top-level ``metadata``.

    Raises
    ------
    InvalidInputError
        Unreadable or too deeply nested JSON, not a FeatureCollection (or Feature), a
        feature that is not an object, a bad geometry type or coordinates.
    """
    name = path.name
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{name} : GeoJSON qui n'est pas en UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"{name} : GeoJSON illisible, ligne {exc.lineno} ({exc.msg})"
        ) from exc
    except RecursionError as exc:
        raise InvalidInputError(f"{name} : GeoJSON imbriqué trop profondément") from exc
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InvalidInputError(f"{name} : pas une FeatureCollection GeoJSON")
    raw = data.get("features")
    if not isinstance(raw, list):
        raise InvalidInputError(f"{name} : « features » absent ou qui n'est pas une liste")
    features = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or item.get("type") != "Feature":
            raise InvalidInputError(
                f"{name} : objet n° {number} : pas une Feature GeoJSON ({type(item).__name__})"
            )
        props = item.get("properties")
        if props is not None and not isinstance(props, dict):
            raise InvalidInputError(
                f"{name} : objet n° {number} : « properties » n'est pas un objet"
            )
        features.append(
            Feature(number, dict(props or {}), _geometry(name, number, item.get("geometry")))
        )
    metadata = data.get("metadata")
    return features, metadata if isinstance(metadata, dict) else {}
