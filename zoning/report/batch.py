"""A batch run: candidates file in, one result row per input row out, in input order.

Blank, duplicated or malformed rows are reported on their own row with the status
« données invalides » and the run goes on. The Excel output adds a summary sheet
(counts by status, département and zone) and a provenance sheet (programme, decrees,
data vintages, tool version, date).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict, Unpack

from zoning import __version__
from zoning._gc import paused_gc
from zoning.errors import InvalidInputError
from zoning.io.atomic import check_output, write_text
from zoning.io.read import read_table
from zoning.io.table import Table
from zoning.io.text import fold
from zoning.io.write import write_csv, write_geojson
from zoning.io.xlsx import write_excel
from zoning.report.columns import (
    MAX_SITES,
    ColumnMap,
    candidate,
    match_columns,
    require_columns,
    score_header,
)
from zoning.report.rows import post_from_cells
from zoning.report.schema import result_headers
from zoning.rules.batch import Progress, evaluate_posts
from zoning.rules.distance import RoadDistance
from zoning.rules.evaluate import PostResult
from zoning.rules.post import Located, Post
from zoning.rules.programme import Programme, load_programme
from zoning.rules.sites import FinessLocator, FinessStatus, Geocoder
from zoning.rules.verdicts import CHECK, INVALID_DATA, STATUSES

log = logging.getLogger(__name__)

OUTPUT_SUFFIXES = (".xlsx", ".csv", ".geojson", ".json")
SHEET_RESULTS = "Résultats"
SHEET_SUMMARY = "Synthèse"
SHEET_PROVENANCE = "Provenance"


@dataclass
class BatchRun:
    """What a batch run found, ready to be written in any format (:func:`write_batch`)."""

    rows: int
    counts: dict[str, int]
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


def _number(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _km(value: float | None, up: bool = False) -> float | None:
    """Kilometres to the metre, cut towards the side the figure claims (a shortest
    distance down, a longest up): 19 999,6 m is never written 20.0 beside « < 20 km »."""
    if value is None:
        return None
    metres = round(value * 1000, 6)
    return (math.ceil(metres) if up else math.floor(metres)) / 1000


@dataclass(frozen=True)
class Candidates:
    """A candidates file once read and mapped, with its repeated-block sites.

    ``blocks`` maps a dossier reference to the cells (by field) of its further
    ambulatory sites, read from a Démarches Simplifiées repeated-block sheet.
    """

    table: Table
    cmap: ColumnMap
    blocks: dict[str, dict[str, str]] = field(default_factory=dict)
    block_sheet: str | None = None


def load_candidates(
    input_path: Path,
    programme: Programme,
    sheet: str | None = None,
    overrides: dict[str, str | None] | None = None,
    *,
    require: bool = True,
) -> Candidates:
    """Read a candidates file, map its columns, join its repeated-block sites.

    Raises
    ------
    InvalidInputError
        Unreadable file, a required column missing, a used header repeated.
    """
    table = read_table(Path(input_path), sheet, score_header, what="liste de candidats")
    cmap = match_columns(table.headers, overrides, table.rows)
    table.refuse_duplicates(cmap.fields.values())
    blocks: dict[str, dict[str, str]] = {}
    block_sheet: str | None = None
    if table.sheet is not None and len(table.sheets) > 1 and "ref" in cmap.fields:
        blocks, block_sheet = repeated_sites(table, cmap)
    if require:
        require_columns(cmap, programme.hospital_required, table.name)
    return Candidates(table, cmap, blocks, block_sheet)


_BLOCK_KEYS = ("dossier id", "id dossier", "dossier", "id")


def repeated_sites(table: Table, cmap: ColumnMap) -> tuple[dict[str, dict[str, str]], str | None]:
    """Sites 2, 3… from a DS repeated-block sheet (one row per site, keyed by dossier ID).

    A sheet qualifies when it has a dossier-ID column and place columns (commune,
    code INSEE, address, FINESS, coordinates); its rows, in order, become the
    dossier's next sites. A dossier with more than :data:`MAX_SITES` sites in all gets
    an error on its row rather than losing one silently.
    """
    first_free = max([*cmap.sites(), 1]) + 1
    for name in table.sheets:
        if name == table.sheet:
            continue
        try:
            block = read_table(table.path, name, what="bloc répétable")
        except InvalidInputError:
            continue
        keys = [h for h in block.headers if fold(h) in _BLOCK_KEYS]
        attrs: dict[str, str] = {}
        for header in block.headers:
            cand = candidate(header)
            attr = cand.bare
            if cand.field and cand.field.startswith("site") and cand.score >= 0.6:
                attr = cand.field.split("_", 1)[1]
            if attr and attr not in attrs and attr in {
                "insee", "ville", "cp", "adresse", "finess", "lon", "lat", "nom", "type", "dj"
            }:  # fmt: skip
                attrs[attr] = header
        if not keys or not ({"insee", "ville", "adresse", "finess", "lon"} & set(attrs)):
            continue
        out: dict[str, dict[str, str]] = {}
        counts: dict[str, int] = {}
        for record in block.records():
            ref = record[keys[0]].strip()
            if not ref:
                continue
            k = first_free + counts.get(ref, 0)
            counts[ref] = counts.get(ref, 0) + 1
            cells = out.setdefault(ref, {})
            if k > MAX_SITES:
                cells["_error"] = (
                    f"{counts[ref]} sites dans la feuille « {name} » : au plus "
                    f"{MAX_SITES} sites en tout"
                )
                continue
            for attr, header in attrs.items():
                cells[f"site{k}_{attr}"] = record[header]
        log.info("repeated block %s: sites for %d dossiers", name, len(out))
        return out, name
    return {}, None


def with_finess_status(post: Post, finess_status: FinessStatus | None) -> Post:
    """The establishment's legal category from its FINESS record when not given."""
    if post.establishment_type or finess_status is None or post.hospital is None:
        return post
    number = post.hospital.finess
    if not number:
        return post
    status = finess_status(number)
    if status is None:
        return post
    return dataclasses.replace(
        post,
        establishment_type=status,
        establishment_type_source=f"FINESS {number}",
    )


def prepare_posts(
    table: Table,
    cmap: ColumnMap,
    programme: Programme,
    blocks: dict[str, dict[str, str]] | None = None,
    finess_status: FinessStatus | None = None,
) -> tuple[list[Post | None], list[str | None]]:
    """Posts from rows; a row that cannot be a post gets None and a French reason."""
    posts: list[Post | None] = []
    skipped: list[str | None] = []
    seen: dict[tuple[str, ...], int] = {}
    width = len(table.headers)
    # Each field's cell by position (of a repeated header, the last column).
    column = {h: i for i, h in enumerate(table.headers)}
    where = [(name, column[col]) for name, col in cmap.fields.items() if col in column]
    absent = {name: "" for name, col in cmap.fields.items() if col not in column}
    for cells, line in zip(table.rows, table.lines, strict=True):
        key = tuple(c.strip() for c in cells[:width])
        if not any(key) and not any(c.strip() for c in cells[width:]):
            posts.append(None)
            skipped.append("ligne vide")
            continue
        if key in seen:
            posts.append(None)
            skipped.append(f"ligne en double (identique à la ligne {seen[key]})")
            continue
        seen[key] = line
        n = len(cells)
        by_field = {name: cells[i] if i < n else "" for name, i in where}
        by_field.update(absent)
        extra_sites = (blocks or {}).get(by_field.get("ref", "").strip(), {})
        by_field.update({k: v for k, v in extra_sites.items() if not k.startswith("_")})
        post = post_from_cells(by_field, programme.week_half_days)
        problems = []
        if "_error" in extra_sites:
            problems.append(extra_sites["_error"])
        extra = [c for c in cells[width:] if c.strip()]
        if extra:
            problems.append(f"ligne mal formée : {len(cells)} valeurs pour {width} colonnes")
        if problems:
            post = dataclasses.replace(post, errors=(*post.errors, *problems))
        posts.append(with_finess_status(post, finess_status))
        skipped.append(None)
    return posts, skipped


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


def result_values(result: PostResult | None, skipped: str | None, n_sites: int) -> list[Any]:
    """Values of :func:`result_headers` for one row."""
    if result is None:
        empty = len(result_headers(n_sites)) - 2
        return [INVALID_DATA, skipped or "ligne non traitée", *([None] * empty)]
    hospital = result.hospital
    values: list[Any] = [
        result.status,
        " | ".join(result.reasons()) or None,
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
        ]
    prem, fund = result.premium, result.funding
    notes = remarks(result)
    values += [
        decree,
        prem.verdict if prem else "sans objet",
        _number(prem.amount) if prem else None,
        _number(prem.amount_if_confirmed) if prem else None,
        prem.reason if prem else "pas de prime d'exercice territorial dans ce programme",
        _number(fund.monthly),
        _number(fund.total),
        fund.reason,
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
    store: Any,
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


def mapping_line(column: Any) -> str:
    """« En-tête » -> champ (description) [note], for the provenance and the terminal."""
    from zoning.report.columns import FIELDS

    if column.field is None:
        return f"« {column.header} » : {column.note}"
    return f"« {column.header} » -> {column.field} ({FIELDS[column.field]}) [{column.note}]"


def _given(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items() if v not in (None, ""))


def preview(candidates: Candidates, programme: Programme, rows: int = 5) -> list[list[str]]:
    """The first parsed rows as (line, field, value) text, without running the rules."""
    head = dataclasses.replace(
        candidates.table,
        rows=candidates.table.rows[:rows],
        lines=candidates.table.lines[:rows],
    )
    posts, skipped = prepare_posts(head, candidates.cmap, programme, candidates.blocks)
    out: list[list[str]] = []
    for line, post, skip in zip(head.lines, posts, skipped, strict=True):
        if post is None:
            out.append([str(line), "—", skip or ""])
            continue
        for name, value in dataclasses.asdict(post).items():
            if isinstance(value, dict):
                value = _given(value)
            elif isinstance(value, tuple) and value and isinstance(value[0], dict):
                value = " | ".join(_given(v) for v in value)
            if value not in (None, (), [], False, ""):
                out.append([str(line), name, str(value)])
    return out


class BatchOptions(TypedDict, total=False):
    """The keyword options of :func:`check_batch`, as :func:`run_batch` passes them on."""

    finess: FinessLocator | None
    geocoder: Geocoder | None
    road_distance: RoadDistance | None
    sheet: str | None
    progress: bool
    on_progress: Progress | None
    programmes_folder: Path | None
    lookup: Any
    overrides: dict[str, str | None] | None
    finess_status: FinessStatus | None
    candidates: Candidates | None


def run_batch(
    input_path: Path,
    programme_id: str,
    output_path: Path,
    store: Any = None,
    **options: Unpack[BatchOptions],
) -> BatchRun:
    """Check every row of ``input_path`` against a programme and write ``output_path``.

    The output format follows the suffix of ``output_path``: ``.xlsx`` (results,
    summary and provenance sheets), ``.csv`` (results; provenance beside it in
    ``<name>.provenance.txt``) or ``.geojson`` (first ambulatory site as the point).
    ``options`` are those of :func:`check_batch`.
    """
    output_path = Path(output_path)
    check_output_format(output_path)
    check_output(output_path, input_path)
    run = check_batch(input_path, programme_id, store, **options)
    write_batch(run, output_path)
    return run


def check_output_format(output_path: Path) -> None:
    """Refuse an output suffix :func:`write_batch` does not write, before any work."""
    suffix = Path(output_path).suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise InvalidInputError(
            f"format de sortie non pris en charge : « {suffix} » (.xlsx, .csv ou .geojson)"
        )


@paused_gc()
def check_batch(
    input_path: Path,
    programme_id: str,
    store: Any = None,
    *,
    finess: FinessLocator | None = None,
    geocoder: Geocoder | None = None,
    road_distance: RoadDistance | None = None,
    sheet: str | None = None,
    progress: bool = True,
    on_progress: Progress | None = None,
    programmes_folder: Path | None = None,
    lookup: Any = None,
    overrides: dict[str, str | None] | None = None,
    finess_status: FinessStatus | None = None,
    candidates: Candidates | None = None,
) -> BatchRun:
    """Check every row of ``input_path`` against a programme; nothing is written.

    ``overrides`` replace the headers' automatic matching (a mapping a person corrected);
    ``on_progress(stage, done, total)`` follows the run (the web page's progress bar).
    """
    started = time.perf_counter()
    programme = load_programme(programme_id, programmes_folder)
    if candidates is None:
        candidates = load_candidates(Path(input_path), programme, sheet, overrides)
    else:
        require_columns(candidates.cmap, programme.hospital_required, candidates.table.name)
    table, cmap = candidates.table, candidates.cmap
    log.info("column mapping: %d columns used, %d not", len(cmap.fields), len(cmap.unknown))
    if store is None:
        from zoning.store import ZoningStore

        store = ZoningStore.open()
    posts, skipped = prepare_posts(table, cmap, programme, candidates.blocks, finess_status)
    results = evaluate_posts(
        store,
        programme,
        posts,
        finess=finess,
        geocoder=geocoder,
        road_distance=road_distance,
        progress=progress,
        lookup=lookup,
        on_progress=on_progress,
    )
    n_sites = max([len(p.sites) for p in posts if p] + cmap.sites() + [1])
    headers = [*table.headers, *result_headers(n_sites)]
    width = len(table.headers)
    rows = []
    for cells, result, skip in zip(table.rows, results, skipped, strict=True):
        padded = (cells + [""] * width)[:width]
        rows.append([*padded, *result_values(result, skip, n_sites)])
    statuses = [str(r[width]) for r in rows]
    counts = {str(s): statuses.count(s) for s in STATUSES}
    prov = provenance_rows(
        programme, store, table, cmap, results, road_distance is not None, candidates.block_sheet
    )
    points = [
        (r.sites[0].lon, r.sites[0].lat)
        if r and r.sites and r.sites[0].lon is not None and r.sites[0].lat is not None
        else None
        for r in results
    ]
    seconds = time.perf_counter() - started
    log.info("batch: %d rows checked in %.1f s", len(rows), seconds)
    return BatchRun(
        len(rows),
        counts,
        cmap,
        None,
        programme,
        seconds,
        headers,
        rows,
        points,
        summary_rows(results, statuses),
        prov,
    )


@paused_gc()
def write_batch(run: BatchRun, output_path: Path) -> Path:
    """Write a checked batch as ``.xlsx``, ``.csv`` (+ provenance text) or ``.geojson``."""
    started = time.perf_counter()
    output_path = Path(output_path)
    check_output_format(output_path)
    suffix = output_path.suffix.lower()
    if suffix == ".xlsx":
        write_excel(
            output_path,
            {
                SHEET_RESULTS: (run.headers, run.table),
                SHEET_SUMMARY: run.summary,
                SHEET_PROVENANCE: (["élément", "valeur"], run.provenance),
            },
        )
    elif suffix == ".csv":
        write_csv(output_path, run.headers, run.table)
        text = "\n".join(f"{k} : {v}" for k, v in run.provenance)
        write_text(output_path.with_suffix(".provenance.txt"), text + "\n")
    else:
        write_geojson(
            output_path, run.headers, run.table, run.points, {"provenance": run.provenance}
        )
    if run.output is None:
        run.output = output_path
    run.seconds += time.perf_counter() - started
    return output_path
