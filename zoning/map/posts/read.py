"""Read a batch result (or a posts file made by hand) into one row per (post, site).

Input: CSV (UTF-8 or Excel's Windows-1252 ``;``), Excel, ODS or GeoJSON, with per post
one row per ambulatory site, or numbered site columns (:mod:`zoning.map.posts.columns`).
Distances are the row's own (``distance_km_site{k}``); only a file without them gets the
rules' WGS84 geodesic (:mod:`zoning.rules.distance`), marked « ≈ » on the map.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from zoning.errors import InvalidInputError
from zoning.io.geojson import read_features
from zoning.io.read import default_header_score, read_table
from zoning.io.values import to_number
from zoning.map.posts.columns import (
    FIELDS,
    Naming,
    accepted,
    field_label,
    known_header,
    name_columns,
)
from zoning.map.posts.provenance import known_programme, programme_threshold, read_provenance
from zoning.map.style import status_key
from zoning.rules.distance import geodesic_many_m

__all__ = ["NO_PROGRAMME", "PostsTable", "read_posts"]

log = logging.getLogger(__name__)

REQUIRED = ("main_lon", "main_lat", "site_lon", "site_lat")
NUMBERS = ("main_lon", "main_lat", "site_lon", "site_lat", "distance_km", "distance_max_km")
TEXTS = ("post_id", "programme", "status", "reasons", "main_name", "site_name", "distance_rule")
#: The label of posts whose programme nobody names.
NO_PROGRAMME = "(sans programme)"


@dataclass
class PostsTable:
    """Posts read from a batch result, one row per (post, ambulatory site).

    Attributes
    ----------
    rows : pandas.DataFrame
        Our fields (:data:`zoning.map.posts.columns.FIELDS`; missing ones are empty),
        ``line`` (line number in the file), ``status_key``, ``drawable`` (both ends have
        coordinates) and ``straight_km`` (the rules' geodesic, for rows without distance).
    source : str
        File the posts come from.
    notes : list of str
        French notes for the legend (rows not drawn, and why; whose threshold is drawn).
    thresholds : dict
        Programme -> distance threshold of its premium in km (None: no premium, or
        unknown), from the batch's provenance or the programme's rules file.
    """

    rows: pd.DataFrame
    source: str
    notes: list[str] = field(default_factory=list)
    thresholds: dict[str, float | None] = field(default_factory=dict)

    @property
    def drawable(self) -> pd.DataFrame:
        """Rows with both ends located."""
        return self.rows[self.rows["drawable"]]


def _header_score(cells: Sequence[str]) -> float:
    # Only known names count: any cell with a digit (a RPPS, a date) is not a header.
    return 100 * sum(1 for c in cells if known_header(c)) + default_header_score(cells)


def _read_table(path: Path) -> pd.DataFrame:
    """CSV, Excel or ODS through the one reader; ``line`` is each row's line in the file."""
    table = read_table(path, None, _header_score, what="résultats de traitement")
    table.refuse_duplicates(table.headers)
    table.refuse_ragged()
    frame: pd.DataFrame = table.frame()
    frame["line"] = table.lines
    return frame


def _read_geojson(path: Path) -> pd.DataFrame:
    """Properties of each feature, with the end points of its line (or its point);
    ``line`` is the feature's number."""
    features, metadata = read_features(path)
    records = []
    for feature in features:
        props, geom = feature.properties, feature.geometry or {}
        coords = geom.get("coordinates")
        have = name_columns(props).fields()
        if geom.get("type") == "LineString" and coords and len(coords) >= 2:
            if "main_lon" not in have:
                props["main_lon"], props["main_lat"] = coords[0][:2]
            if "site_lon" not in have:
                props["site_lon"], props["site_lat"] = coords[-1][:2]
        elif geom.get("type") == "Point" and coords and "site_lon" not in have:
            props["site_lon"], props["site_lat"] = coords[:2]
        records.append(props)
    frame = pd.DataFrame.from_records(records)
    frame.attrs["provenance"] = metadata.get("provenance") or []
    frame["line"] = range(1, len(frame) + 1)
    return frame


def load(path: Path) -> pd.DataFrame:
    """The file's rows as read, with their ``line``."""
    if path.suffix.lower() in (".geojson", ".json"):
        return _read_geojson(path)
    return _read_table(path)


def _filled(value: Any) -> bool:
    return pd.notna(value) and str(value).strip() not in ("", "nan")


def _one_row_per_site(frame: pd.DataFrame, naming: Naming) -> pd.DataFrame:
    """Our fields, numbered site columns turned into one row per site."""
    base = pd.DataFrame({name: frame[col] for name, col in naming.single.items()})
    base["line"] = frame["line"]
    if not naming.sites:
        return base
    parts = []
    for k, cols in naming.sites.items():
        part = base.copy()
        for name, col in cols.items():
            part[name] = frame[col]
        part["_order"] = k
        parts.append(part)
    out = pd.concat(parts, ignore_index=False).sort_index(kind="stable")
    keep = out[[c for c in ("site_lon", "site_lat", "site_name") if c in out]]
    has_site = keep.apply(lambda r: any(_filled(v) for v in r), axis=1)
    # The first site row of a post is kept even when empty: no post is lost.
    first = out["_order"] == out.groupby(level=0)["_order"].transform("min")
    return out[has_site | first].drop(columns="_order")


def _located(rows: pd.DataFrame) -> pd.DataFrame:
    """``drawable`` (both ends in range) and ``straight_km`` (the rules' geodesic)."""
    ends = rows[list(REQUIRED)]
    rows["drawable"] = ends.notna().all(axis=1) & (
        rows["main_lon"].between(-180, 180)
        & rows["site_lon"].between(-180, 180)
        & rows["main_lat"].between(-90, 90)
        & rows["site_lat"].between(-90, 90)
    )
    straight = geodesic_many_m(*(rows[c].astype(float).to_numpy() for c in REQUIRED))
    rows["straight_km"] = pd.Series(straight / 1000, index=rows.index).where(rows["drawable"])
    return rows


def _undrawn_note(rows: pd.DataFrame) -> list[str]:
    undrawn = rows[~rows["drawable"]]
    if not len(undrawn):
        return []
    lines = ", ".join(str(n) for n in undrawn["line"].head(10))
    more = "…" if len(undrawn) > 10 else ""
    return [
        f"{len(undrawn)} ligne(s) sans coordonnées valides pour les deux sites, "
        f"non dessinée(s) (lignes {lines}{more})"
    ]


def _thresholds(
    rows: pd.DataFrame, path: Path, frame: pd.DataFrame, given: str | None
) -> tuple[dict[str, float | None], list[str]]:
    """Name each post's programme and find its premium threshold (km), with notes.

    A row's own « programme » wins, then the one the batch ran (its provenance), then
    ``given``. A programme no rules file knows gets the threshold of ``given``, or none.
    """
    provenance = read_provenance(path, frame)
    ran = provenance.programme
    fallback = ran or given
    rows["programme"] = rows["programme"].where(rows["programme"] != "", fallback or NO_PROGRAMME)
    notes = []
    if given and not ran and (rows["programme"] == given).any():
        notes.append(f"programme {given} : indiqué pour la carte, le fichier n'en nomme pas")
    thresholds: dict[str, float | None] = {}
    for programme in rows["programme"].unique():
        if programme == ran or known_programme(programme):
            thresholds[programme] = provenance.threshold(programme)
        elif given:
            thresholds[programme] = programme_threshold(given)
            notes.append(f"programme « {programme} » inconnu : seuil de prime de {given}")
        else:
            thresholds[programme] = None
            notes.append(f"programme « {programme} » inconnu : pas de seuil de prime dessiné")
    return thresholds, notes


def read_posts(path: str | Path, programme: str | None = None) -> PostsTable:
    """Read a batch result into one row per (post, ambulatory site).

    Parameters
    ----------
    path : str or Path
        CSV (``,`` or ``;``, UTF-8 or Windows-1252), Excel, ODS or GeoJSON file.
    programme : str, optional
        The programme of the posts when the file names none it knows (neither a
        « programme » column nor a batch's provenance): its premium threshold is drawn,
        and the legend says so.

    Returns
    -------
    PostsTable

    Raises
    ------
    InvalidInputError
        When the file is unreadable or lacks the post id and coordinates columns
        (the message lists the columns found and the spellings accepted).
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(f"fichier de résultats introuvable : {path}")
    frame = load(path)
    naming = name_columns(c for c in frame.columns if c != "line")
    rows = _one_row_per_site(frame, naming)
    if "post_id" not in rows.columns:
        # The reference column has a name the map does not know (« N° dossier »…): each
        # post is named by its line in the file rather than not drawn at all.
        rows["post_id"] = [f"ligne {n}" for n in rows["line"]]
        log.info("%s : pas de colonne d'identifiant connue, postes nommés par leur ligne", path)
    missing = [c for c in REQUIRED if c not in rows.columns]
    if missing:
        wanted = "; ".join(f"{field_label(c)} (une de : {', '.join(accepted(c))})" for c in missing)
        found = ", ".join(str(c) for c in frame.columns if c != "line")
        raise InvalidInputError(f"{path} : colonnes manquantes : {wanted}. Colonnes lues : {found}")
    for name in FIELDS:
        if name not in rows:
            rows[name] = ""
    rows = rows[[*FIELDS, "line"]].copy().reset_index(drop=True)
    for name in (*NUMBERS, "premium", "funding"):
        rows[name] = rows[name].map(to_number)
    for name in TEXTS:
        rows[name] = rows[name].fillna("").astype(str).str.strip()
    rows["status_key"] = rows["status"].map(status_key)
    rows = _located(rows)
    thresholds, notes = _thresholds(rows, path, frame, programme)
    log.info(
        "read %d post-site rows from %s (%d drawable)", len(rows), path, rows["drawable"].sum()
    )
    return PostsTable(
        rows=rows, source=str(path), notes=_undrawn_note(rows) + notes, thresholds=thresholds
    )
