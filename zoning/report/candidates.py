"""A candidates file read: its table, its column mapping, its rows turned into posts.

Blank, duplicated or malformed rows get no post and a French reason (reported on their
own row with the status « données invalides »); the run goes on.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zoning.errors import InvalidInputError
from zoning.io.read import read_table
from zoning.io.table import Table
from zoning.io.text import fold
from zoning.locate.finess import FinessStatus
from zoning.reasons import Reason
from zoning.report.columns import ColumnMap, match_columns, require_columns, score_header
from zoning.report.fields import MAX_SITES
from zoning.report.header_words import candidate
from zoning.report.rows import post_from_cells
from zoning.rules.post import Post
from zoning.rules.programme import Programme

log = logging.getLogger(__name__)


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
) -> tuple[list[Post | None], list[Reason | None]]:
    """Posts from rows; a row that cannot be a post gets None and a French reason."""
    posts: list[Post | None] = []
    skipped: list[Reason | None] = []
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
            skipped.append(Reason("DONNEES-LIGNE-VIDE", "ligne vide"))
            continue
        if key in seen:
            posts.append(None)
            said = f"ligne en double (identique à la ligne {seen[key]})"
            skipped.append(Reason("DONNEES-LIGNE-DOUBLE", said))
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
            problems.append(Reason("DONNEES-SITES-TROP-NOMBREUX", extra_sites["_error"]))
        extra = [c for c in cells[width:] if c.strip()]
        if extra:
            said = f"ligne mal formée : {len(cells)} valeurs pour {width} colonnes"
            problems.append(Reason("DONNEES-LIGNE-MAL-FORMEE", said))
        if problems:
            post = dataclasses.replace(post, errors=(*post.errors, *problems))
        posts.append(with_finess_status(post, finess_status))
        skipped.append(None)
    return posts, skipped


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
            out.append([str(line), "—", skip.text if skip else ""])
            continue
        for name, value in dataclasses.asdict(post).items():
            if name in ("errors", "doubts"):  # reasons: their codes beside their words
                value = " | ".join(f"{r.code} : {r.text}" for r in getattr(post, name))
            elif isinstance(value, dict):
                value = _given(value)
            elif isinstance(value, tuple) and value and isinstance(value[0], dict):
                value = " | ".join(_given(v) for v in value)
            if value not in (None, (), [], False, ""):
                out.append([str(line), name, str(value)])
    return out
