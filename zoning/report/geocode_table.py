"""Geocoding a user's table: read CSV/Excel, find the columns, geocode, write it back.

Every input row is in the output, in order, with the result columns appended. The
columns are found by the geocoder's vocabulary (``zoning/io/vocabularies/geocode.toml``),
else by the batch's header matcher (:mod:`zoning.report.columns`): an application-level
job, like the batch, on top of the geocoder (:mod:`zoning.locate.geocode.pipeline`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from zoning import __version__
from zoning.errors import InvalidInputError
from zoning.io.atomic import check_output
from zoning.io.headers import load_vocabulary
from zoning.io.read import default_header_score, read_table
from zoning.io.write import write_frame_csv, write_json
from zoning.io.xlsx import EXCEL_SUFFIXES, check_rows_fit, frame_sheet, write_excel
from zoning.locate.geocode.pipeline import Geocoder
from zoning.locate.geocode.query import BatchOutcome, PlaceQuery
from zoning.locate.geocode.result import RESULT_COLUMNS
from zoning.report.columns import match_columns

log = logging.getLogger(__name__)


#: Header spellings recognised for each role (a column ``Columns`` field each).
VOCABULARY = load_vocabulary("geocode")


@dataclass(frozen=True)
class Columns:
    """Which input column plays which role (``None``: absent)."""

    address: str | None = None
    number: str | None = None
    postcode: str | None = None
    city: str | None = None
    citycode: str | None = None
    finess: str | None = None

    def describe(self) -> str:
        """French one-liner for the log and the CLI."""
        names = {
            "address": "adresse", "number": "numéro", "postcode": "code postal",
            "city": "commune", "citycode": "code INSEE", "finess": "FINESS",
        }  # fmt: skip
        used = [f"{names[k]} = « {v} »" for k, v in self.__dict__.items() if v]
        return ", ".join(used) or "aucune colonne reconnue"


def detect_columns(
    headers: list[str], rows: Sequence[Sequence[str]] | None = None, **given: str | None
) -> Columns:
    """Pick the columns for each role: the ones given, else a recognised French header
    (``rows``, a sample of the cells, lets their contents settle a doubtful header).

    Raises
    ------
    InvalidInputError
        A given column is not in the file, or nothing usable was found.
    """
    chosen: dict[str, str | None] = {}
    for role, value in given.items():
        if value and role in VOCABULARY.aliases:
            if value not in headers:
                raise InvalidInputError(
                    f"colonne « {value} » absente du fichier (colonnes : {', '.join(headers)})"
                )
            chosen[role] = value
    free = [h if h not in chosen.values() else "" for h in headers]
    found = VOCABULARY.match(free)
    for role in VOCABULARY.aliases:
        if role not in chosen:
            chosen[role] = headers[found[role]] if role in found else None
    if not any(chosen.values()):
        chosen = _by_meaning(headers, rows)
    columns = Columns(**chosen)
    if not (columns.address or columns.finess or columns.citycode or columns.postcode
            or columns.city):  # fmt: skip
        raise InvalidInputError(
            "aucune colonne d'adresse, de FINESS ou de commune reconnue "
            f"(colonnes : {', '.join(headers)}) : indiquez-la avec --address-col, "
            "--finess-col, --postcode-col, --city-col ou --citycode-col"
        )
    return columns


#: Role of the geocoder -> attribute of a place in the batch's vocabulary.
_ATTRIBUTES = {
    "address": "adresse", "postcode": "cp", "city": "ville", "citycode": "insee",
    "finess": "finess",
}  # fmt: skip


def _by_meaning(
    headers: list[str], rows: Sequence[Sequence[str]] | None = None
) -> dict[str, str | None]:
    """The columns of one place, read by the batch's header matcher (« Site code INSEE »,
    « Commune du cabinet »…): the first ambulatory site's when the list has one, else the
    establishment's. One place only, so that a row's query never mixes two places."""
    fields = match_columns(headers, rows=rows).fields
    for prefix in ("site1", "hop"):
        found = {role: fields.get(f"{prefix}_{attr}") for role, attr in _ATTRIBUTES.items()}
        if any(found.values()):
            return found
    return {}


def header_score(cells: Sequence[str]) -> float:
    """Header cells the geocoder's vocabulary knows (to find the header row)."""
    return VOCABULARY.score(cells)


def read_input(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """Read a user's table (:func:`zoning.io.read.read_table`) as a frame of strings.

    Raises
    ------
    InvalidInputError
        Unreadable file, or a row with more values than headers (naming its line).
    """
    table = read_table(Path(path), sheet, _score_or_text, what="liste d'adresses")
    table.refuse_ragged()
    if table.duplicated:
        table.refuse_duplicates(table.headers)
    frame: pd.DataFrame = table.frame()  # io.read types it Any: pandas stays out of its API
    return frame


def _score_or_text(cells: Sequence[str]) -> float:
    # A recognised header wins; a file of other headers is still read (the columns are
    # then named with --address-col and friends).
    return 100 * header_score(cells) + default_header_score(cells)


def queries_of(frame: pd.DataFrame, columns: Columns) -> list[PlaceQuery]:
    """One :class:`PlaceQuery` per row."""

    def col(name: str | None) -> list[Any]:
        return frame[name].tolist() if name else [None] * len(frame)

    numbers, addresses = col(columns.number), col(columns.address)
    full = [
        " ".join(str(p).strip() for p in (n, a) if p is not None and str(p).strip())
        for n, a in zip(numbers, addresses, strict=True)
    ]
    return [
        PlaceQuery.of(address=a, finess=f, postcode=p, city=c, citycode=i)
        for a, f, p, c, i in zip(
            full, col(columns.finess), col(columns.postcode), col(columns.city),
            col(columns.citycode), strict=True,
        )
    ]  # fmt: skip


def with_results(frame: pd.DataFrame, outcome: BatchOutcome) -> pd.DataFrame:
    """The input table with the result columns appended (renamed ``geo_*`` on a clash)."""
    out = frame.copy()
    for name in RESULT_COLUMNS:
        target = name if name not in frame.columns else f"geo_{name}"
        out[target] = [r.to_dict()[name] for r in outcome.results]
    return out


def provenance(geocoder: Geocoder, columns: Columns, outcome: BatchOutcome) -> dict[str, Any]:
    """Where the points come from: tool version, geocoder, sources, date."""
    from zoning.sources.manifest import load_manifest

    manifest = load_manifest()
    counts: dict[str, int] = {}
    for r in outcome.results:
        counts[r.precision] = counts.get(r.precision, 0) + 1
    return {
        "outil": f"zoning {__version__}",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "géocodeur": geocoder.addok.base_url,
        "score minimum": geocoder.addok.min_score,
        "colonnes": columns.describe(),
        "sources": {
            key: f"{manifest[key].title} ({manifest[key].vintage})"
            for key in ("laposte", "finess_hospitals")
            if key in manifest
        },
        "précisions": counts,
        "incident": outcome.error or "",
    }


def write_output(
    frame: pd.DataFrame, path: Path, meta: dict[str, Any], delimiter: str = ";"
) -> None:
    """Write CSV (UTF-8 with BOM, for Excel) or Excel; text cells formula-guarded.

    Excel files get a « Provenance » sheet; CSV files a ``.provenance.json`` beside them.
    """
    path = Path(path)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        rows = [(k, json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v)
                for k, v in meta.items()]  # fmt: skip
        write_excel(
            path,
            {"Géocodage": frame_sheet(frame), "Provenance": (["élément", "valeur"], rows)},
        )
        return
    write_frame_csv(frame, path, sep=delimiter)
    write_json(path.with_name(path.name + ".provenance.json"), meta, indent=2)


def geocode_file(
    source: Path,
    output: Path,
    geocoder: Geocoder,
    sheet: str | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    **columns: str | None,
) -> tuple[pd.DataFrame, BatchOutcome, Columns]:
    """Read ``source``, geocode every row, write ``output``; returns what was written.

    The output is written even when the geocoder failed part-way (rows it could not
    do say so); :attr:`BatchOutcome.error` then holds the message. ``on_total`` gets
    the number of rows once the file is read (to size a progress bar).
    """
    check_output(output, source)
    frame = read_input(source, sheet)
    check_rows_fit(output, len(frame))
    if on_total:
        on_total(len(frame))
    try:
        sample = frame.head(200).fillna("").astype(str).to_numpy().tolist()
        chosen = detect_columns([str(c) for c in frame.columns], sample, **columns)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{Path(source).name} : {exc}") from exc
    log.info("columns: %s", chosen.describe())
    outcome = geocoder.geocode_many(queries_of(frame, chosen), progress=progress)
    result = with_results(frame, outcome)
    delimiter = str(frame.attrs.get("delimiter", ";"))
    meta = provenance(geocoder, chosen, outcome)
    if frame.attrs.get("cp1252_lines"):
        meta["lignes lues en Windows-1252"] = ", ".join(map(str, frame.attrs["cp1252_lines"]))
    write_output(result, output, meta, delimiter)
    return result, outcome, chosen
