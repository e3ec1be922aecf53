"""A checked batch as rows: the result columns of each input row, the summary, the provenance.

:class:`BatchRun` is what a run found, ready for any writer (:mod:`zoning.report.writers`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zoning import __version__
from zoning.io.table import Table
from zoning.locate.site import Located
from zoning.reasons import Reason, joined
from zoning.report.columns import ColumnMap, ColumnMatch
from zoning.report.fields import FIELDS
from zoning.report.schema import result_headers
from zoning.rules.evaluate import PostResult
from zoning.rules.programme import Programme
from zoning.rules.verdicts import CHECK, INVALID_DATA, STATUSES, Status
from zoning.store.store import ZoningStore


@dataclass
class BatchRun:
    """What a batch run found, ready to be written in any format (:func:`write_batch`)."""

    rows: int
    counts: dict[Status, int]
    column_map: ColumnMap
    output: Path | None
    programme: Programme
    seconds: float
    headers: list[str] = field(default_factory=list)
    table: list[list[Any]] = field(default_factory=list)
    #: First ambulatory site of each row (GeoJSON), None where it has no point.
    points: list[tuple[float, float] | None] = field(default_factory=list)
    summary: tuple[list[str], list[list[Any]]] = field(default_factory=lambda: ([], []))
    provenance: list[list[Any]] = field(default_factory=list)
    #: The codes of reasons present, with their explanation (sheet « Motifs »).
    motifs: list[list[Any]] = field(default_factory=list)


def _number(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _km(value: float | None, up: bool = False) -> float | None:
    """Kilometres to the metre, cut towards the side the figure claims (a shortest
    distance down, a longest up): 19 999,6 m is never written 20.0 beside « < 20 km »."""
    if value is None:
        return None
    metres = round(value * 1000, 6)
    return (math.ceil(metres) if up else math.floor(metres)) / 1000


def _lonlat(site: Located | None) -> tuple[float | None, float | None]:
    """The located point, rounded to about 1 m, for maps and GIS (None when unknown).

    A site known only by its commune gets the commune's reference point; its precision
    column says so.
    """
    if site is None:
        return None, None
    if site.lon is not None and site.lat is not None:
        return round(site.lon, 6), round(site.lat, 6)
    if site.reference_point is not None:
        return round(site.reference_point[0], 6), round(site.reference_point[1], 6)
    return None, None


def _place_name(site: Located | None) -> str | None:
    return site.commune_label() if site is not None else None


def remarks(result: PostResult) -> list[str]:
    """Every note of a row, each saying whose it is: « site 1 — Biarritz (64122) : … ».

    A note is about one site (its commune, its decree, its QPV): said bare, a note on
    the hospital's commune reads as if about the ambulatory site.
    """
    out: dict[str, None] = {}
    named = [("site principal", result.hospital)]
    named += [(f"site {k}", site) for k, site in enumerate(result.sites, start=1)]
    for label, site in named:
        if site is None:
            continue
        where = site.commune_label()
        head = f"{label} — {where}" if where else label
        out.update((f"{head} : {note}", None) for note in site.notes)
    return list(out)


#: The reason of a row that was not checked, when no other is known.
_NOT_CHECKED = Reason("DONNEES-LIGNE-NON-TRAITEE", "ligne non traitée")


def result_values(result: PostResult | None, skipped: Reason | None, n_sites: int) -> list[Any]:
    """Values of :func:`result_headers` for one row."""
    if result is None:
        empty = len(result_headers(n_sites)) - 3
        why = skipped or _NOT_CHECKED
        return [INVALID_DATA, why.text, why.code, *([None] * empty)]
    hospital = result.hospital
    values: list[Any] = [
        result.status,
        *joined(result.reasons()),
        *_lonlat(hospital),
        _place_name(hospital),
        hospital.precision if hospital else None,
    ]
    decree = None
    for k in range(n_sites):
        site = result.sites[k] if k < len(result.sites) else None
        place = site.placement if site else None
        dist = result.distances[k] if k < len(result.distances) else None
        if place is not None and decree is None and place.decree is not None:
            decree = place.decree.short
        values += [
            *_lonlat(site),
            place.zone if place else None,
            _place_name(site),
            place.departement if place else None,
            ", ".join(place.qpv) if place and place.qpv else None,
            site.precision if site else None,
            _km(dist.geodesic_km) if dist else None,
            _km(dist.farthest_km, up=True) if dist else None,
            _km(dist.road_km) if dist else None,
            dist.text() if dist else None,
            dist.code if dist else None,
        ]
    prem, fund = result.premium, result.funding
    notes = remarks(result)
    values += [
        decree,
        prem.verdict if prem else "sans objet",
        _number(prem.amount) if prem else None,
        _number(prem.amount_if_confirmed) if prem else None,
        prem.reason if prem else "pas de prime d'exercice territorial dans ce programme",
        prem.code if prem else None,
        _number(fund.monthly),
        _number(fund.total),
        fund.reason,
        fund.code,
        " | ".join(notes) or None,
    ]
    return values


def summary_rows(
    results: Sequence[PostResult | None], statuses: Sequence[str]
) -> tuple[list[str], list[list[Any]]]:
    """Counts by status, by département and by zone (of the first ambulatory site)."""
    headers = ["catégorie", "valeur", *STATUSES, "total"]
    groups: dict[tuple[str, str], Counter[str]] = {}

    def add(category: str, value: str, status: str) -> None:
        groups.setdefault((category, value), Counter())[status] += 1

    for result, status in zip(results, statuses, strict=True):
        add("ensemble", "toutes les lignes", status)
        place = result.sites[0].placement if result and result.sites else None
        add("département", place.departement if place else "inconnu", status)
        add("zone", (place.zone or "inconnue") if place else "inconnue", status)
        # What is truly unknown, counted by criterion: what to ask the applicants.
        for label in sorted(
            {c.label for c in (result.checks if result else ()) if c.verdict == CHECK}
        ):
            add("critère à vérifier", label, status)
    order = ["ensemble", "département", "zone", "critère à vérifier"]
    rows = [
        [cat, val, *(c[s] for s in STATUSES), sum(c.values())]
        for (cat, val), c in sorted(
            groups.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1])
        )
    ]
    return headers, rows


def provenance_rows(
    programme: Programme,
    store: ZoningStore | None,
    table: Table,
    cmap: ColumnMap,
    results: Sequence[PostResult | None],
    routing: bool,
    block_sheet: str | None = None,
) -> list[list[Any]]:
    """Key/value rows: programme, decrees used, data vintages, tool version, date, mapping."""
    prov = store.provenance() if store is not None else {}
    decrees = sorted(
        {
            s.placement.decree.provenance()
            for r in results
            if r
            for s in r.sites
            if s.placement is not None and s.placement.decree is not None
        }
    )
    rows: list[list[Any]] = [
        ["outil", f"zoning {__version__}"],
        ["date du traitement", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")],
        ["programme", f"{programme.id} : {programme.title}"],
        ["fichier de règles", programme.path.name],
        *[["texte source", s] for s in programme.sources],
        *[["arrêté de zonage appliqué", d] for d in decrees],
        ["base de zonage construite le", prov.get("store_built_at")],
        *[[f"source {k}", v] for k, v in sorted((prov.get("sources") or {}).items())],
        *_distance_rows(programme, routing),
        ["fichier d'entrée", table.path.name],
        *([["feuille lue", table.sheet]] if table.sheet else []),
        *([["sites 2 et suivants (bloc répétable)", block_sheet]] if block_sheet else []),
        ["encodage, séparateur", f"{table.encoding}, {table.delimiter!r}"],
        *(
            [["lignes lues en Windows-1252", ", ".join(map(str, table.cp1252_lines))]]
            if table.cp1252_lines and table.encoding != "cp1252"
            else []
        ),
        ["ligne d'en-tête", table.header_line],
        *[[f"colonne {c.status}", mapping_line(c)] for c in cmap.columns],
        *[["lecture du fichier", said] for said in table.said()],
    ]
    return rows


#: Provenance key of the premium's distance threshold (read back by the posts map).
PROVENANCE_THRESHOLD = "distance minimale de la prime (km)"


def _distance_rows(programme: Programme, routing: bool) -> list[list[Any]]:
    """The distance rule as applied: the programme's threshold and the routing service."""
    if programme.premium is None:
        return [["distance minimale", "sans objet : pas de prime d'exercice territorial"]]
    limit = f"{programme.premium.min_distance_km:g} km"
    road = (
        "service OSRM configuré"
        if routing
        else f"aucun service de routage : sous {limit} à vol d'oiseau, « à vérifier »"
    )
    return [[PROVENANCE_THRESHOLD, programme.premium.min_distance_km], ["distance routière", road]]


def mapping_line(column: ColumnMatch) -> str:
    """« En-tête » -> champ (description) [note], for the provenance and the terminal."""
    if column.field is None:
        return f"« {column.header} » : {column.note}"
    return f"« {column.header} » -> {column.field} ({FIELDS[column.field]}) [{column.note}]"
