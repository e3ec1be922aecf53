"""Read a decree's annex from the PDF the ARS publishes (recueil des actes administratifs).

The annex is a text PDF in one of the layouts ARS use: a table of communes with their
INSEE code and class; communes grouped under territoire de vie-santé (TVS) heading rows
that give the class (and the département) for the communes below them; or lists of
commune names under section headings « Zones d'intervention prioritaire — Creuse (23) ».
Tables run over pages with their header repeated; pages carry running headers and
footers (« Recueil des actes administratifs … page 12 »); a long name may be cut over
two lines.

:func:`read_annex_pdf` turns such a PDF into the plain table the annex import reads
(code, commune, département, TVS, class), each row with its place (« page 3, ligne 12 »),
and lists what it could not read, by page and line. Tables are found by ``pdfplumber``.
A PDF without a text layer (a scan) is refused: it would need OCR, which is not done
here — guessing names from pixels would be the kind of silent error a zoning cannot take.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zoning.errors import InvalidInputError
from zoning.sources.annex_vocab import annex_header_score, column_roles, find_class
from zoning.sources.names import normalize_name

log = logging.getLogger(__name__)

HEADERS = ["code_insee", "commune", "departement", "tvs", "classe"]
_ROLE_OF_COLUMN = {"code": 0, "name": 1, "departement": 2, "tvs": 3, "zone": 4}

# Running headers and footers (compared on normalised text).
_NOISE = (
    re.compile(r"RECUEIL DES ACTES"),
    re.compile(r"^PAGE \d+( SUR \d+)?$"),
    re.compile(r"\bPAGE \d+( SUR \d+)?$"),
    re.compile(r"^\d+( \d+)?$"),
)
# Lines that end a list section (signature block).
_END = re.compile(r"^(FAIT A|LE DIRECTEUR|LA DIRECTRICE|POUR LE DIRECTEUR|SIGNE)\b")
_DEP = re.compile(r"\((\d{2,3}|2[AB])\)")
_DEP_CODE = re.compile(r"^(\d{2,3}|2[AB])$")
_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_NAME_WITH_CODE = re.compile(r"^(.*\S)\s*\((\d{5}|2[AB]\d{3})\)$")
_CODE_WITH_NAME = re.compile(r"^(\d{5}|2[AB]\d{3})\s*[-–—:]?\s+(\D.*)$")
_TVS = re.compile(r"\b(TVS|TERRITOIRE DE VIE)")


@dataclass
class PdfAnnex:
    """The annex read from a PDF: rows of :data:`HEADERS`, their places, what was not read."""

    path: Path
    rows: list[list[str]] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    pages: int = 0
    skipped: int = 0  # running headers, footers, repeated table headers

    @property
    def headers(self) -> list[str]:
        return list(HEADERS)


@dataclass
class _Context:
    """What the headings above a row say: class, département, TVS, table columns."""

    roles: dict[str, int] | None = None
    zone: str = ""
    dep: str = ""
    tvs: str = ""
    last: dict[str, str] = field(default_factory=dict)


def join_cut(text: str) -> str:
    """A cell or name printed over several lines, as one name.

    A line ending with a hyphen is glued to the next (« Saint-Martin-de- / la-Lande »);
    otherwise the parts are joined by a space (« Le / Grand-Bourg »).
    """
    out = ""
    for part in (p.strip() for p in text.splitlines()):
        if not part:
            continue
        out = out + part if (not out or out.endswith("-")) else f"{out} {part}"
    return out


def _is_noise(norm: str, running: set[str]) -> bool:
    return norm in running or any(p.search(norm) for p in _NOISE)


def _page_items(page: Any) -> Iterator[tuple[str, Any]]:
    """A page's table rows (``("row", cells)``) and text lines (``("text", str)``), top down."""
    items: list[tuple[float, str, Any]] = []
    boxes = []
    # Ruled tables only: a page without lines or rectangles has none (and is read faster).
    tables = page.find_tables() if (page.lines or page.rects) else []
    for table in tables:
        boxes.append(table.bbox)
        for row, cells in zip(table.rows, table.extract(), strict=False):
            items.append((row.bbox[1], "row", cells))
    for line in page.extract_text_lines(return_chars=False):
        inside = any(
            b[0] - 1 <= line["x0"] and line["x1"] <= b[2] + 1 and b[1] - 1 <= line["top"] <= b[3]
            for b in boxes
        )
        if not inside:
            items.append((line["top"], "text", line["text"]))
    items.sort(key=lambda item: item[0])
    for _, kind, value in items:
        yield kind, value


def _heading(text: str, ctx: _Context) -> bool:
    """Read a heading (class, département, TVS); whether the text was one."""
    label = find_class(text)
    dep = _DEP.search(text)
    norm = normalize_name(text)
    tvs = bool(_TVS.search(norm))
    if label is None and not tvs:
        return False
    if label is not None:
        ctx.zone = label.zone
    if dep:
        ctx.dep = dep.group(1)
    # The TVS is named by the heading's text before the class (« TVS de Guéret — ZIP »).
    ctx.tvs = re.split(r"\s+[—–-]\s+|\s*:\s+", text.strip())[0] if tvs else ""
    ctx.last = {}
    return True


def _is_header(texts: list[str]) -> bool:
    """A table header: a class column and a commune column, or (under headings that give
    the class) a commune column and another known one; never a row holding a code."""
    if annex_header_score(texts) > 0:
        return True
    roles = column_roles(texts)
    return (
        ("code" in roles or "name" in roles)
        and len(roles) >= 2
        and not any(_CODE.match(t) for t in texts)
    )


def _list_names(text: str) -> list[str]:
    """Names of a list line: one name, or several separated by commas or semicolons."""
    parts = re.split(r"\s*[;,•]\s*", text.strip().lstrip("•–- ").strip())
    return [p for p in parts if p]


class _Reader:
    """Walks a PDF's items in order and keeps the annex rows and the problems."""

    def __init__(self, annex: PdfAnnex) -> None:
        self.annex = annex
        self.ctx = _Context()
        self.pending = ""  # a list name cut at a hyphen, waiting for its end
        self.pending_place = ""
        self.in_list = False  # under a text heading: the lines below are names

    def add(self, place: str, code: str, name: str, dep: str, tvs: str, zone: str) -> None:
        self.annex.rows.append([code, name, dep, tvs, zone])
        self.annex.places.append(place)

    def problem(self, place: str, message: str) -> None:
        self.annex.problems.append((place, message))

    def text(self, place: str, text: str) -> None:
        if _END.match(normalize_name(text)):
            self.flush()
            self.ctx, self.in_list = _Context(), False
            return
        if self.pending or (self.in_list and text[:1].islower()):
            pass  # continuation of a cut name: never a heading
        elif _heading(text, self.ctx):
            self.flush()
            self.in_list = bool(self.ctx.zone)
            return
        if not self.in_list:
            return  # prose outside a list section (title, articles of the decree)
        if self.pending:
            text = self.pending + text.strip()
            place, self.pending = self.pending_place, ""
        if text.rstrip().endswith("-"):
            self.pending, self.pending_place = text.strip(), place
            return
        for name in _list_names(text):
            self.named(place, name, self.ctx.dep, self.ctx.tvs, self.ctx.zone)

    def named(self, place: str, name: str, dep: str, tvs: str, zone: str) -> None:
        """A commune given by name, maybe followed by its code in brackets."""
        code = ""
        if hit := _NAME_WITH_CODE.match(name):
            name, code = hit.group(1), hit.group(2)
        elif hit := _CODE_WITH_NAME.match(name):
            code, name = hit.group(1), hit.group(2)
        if not dep and not code:
            self.problem(place, f"« {name} » : commune sans département ni code, illisible")
            return
        self.add(place, code, name, dep, tvs, zone)

    def flush(self) -> None:
        if self.pending:
            self.problem(self.pending_place, f"nom coupé « {self.pending} » sans sa fin")
            self.pending = ""

    def row(self, place: str, cells: list[str | None]) -> None:
        texts = [join_cut(c) if c else "" for c in cells]
        if _is_header(texts):
            self.in_list = False
            self.ctx.roles = column_roles(texts)
            self.ctx.last = {}
            self.annex.skipped += 1
            return
        filled = [t for t in texts if t]
        if not filled:
            return
        # A row spanning the table (one cell filled): a TVS or class heading.
        spanning = len(filled) == 1 and len(texts) > 1 and not _CODE.match(filled[0])
        if spanning and _heading(filled[0], self.ctx):
            return
        roles = self.ctx.roles
        if roles is None:
            shown = " | ".join(filled)
            self.problem(place, f"ligne de tableau hors d'un tableau reconnu : {shown}")
            return
        values: dict[str, str] = {}
        for role in ("code", "name", "departement", "tvs", "zone"):
            i = roles.get(role)
            cell = cells[i] if i is not None and i < len(cells) else ""
            # A merged cell (TVS or class spanning its communes) is None below its first row.
            if cell is None and role in ("departement", "tvs", "zone"):
                values[role] = self.ctx.last.get(role, "")
            else:
                values[role] = texts[i] if i is not None and i < len(texts) else ""
        self.ctx.last = {k: v for k, v in values.items() if v}
        code = values["code"]
        # A département printed by name (« Creuse ») is no code: the heading's is used.
        dep_hit = _DEP.search(values["departement"]) or _DEP_CODE.match(values["departement"])
        dep = dep_hit.group(1) if dep_hit else self.ctx.dep
        zone = values["zone"] or self.ctx.zone
        tvs = values["tvs"] or self.ctx.tvs
        if code:
            self.add(place, code, values["name"], dep, tvs, zone)
        elif values["name"]:
            self.named(place, values["name"], dep, tvs, zone)
        elif tvs:
            self.add(place, "", "", dep, tvs, zone)
        else:
            self.problem(place, f"ni code ni nom de commune : {' | '.join(filled)}")


def read_annex_pdf(path: Path) -> PdfAnnex:
    """The annex rows of a text PDF, with their places and what could not be read."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(f"{path.name} : fichier introuvable ({path})")
    try:
        return _read(path)
    except (InvalidInputError, MemoryError, KeyboardInterrupt):
        raise
    except Exception as exc:  # pdfminer raises many kinds on a damaged file
        raise InvalidInputError(
            f"{path.name} : PDF illisible ({type(exc).__name__} : {exc}) ; "
            "vérifiez le fichier ou demandez l'annexe en tableau (CSV, XLSX, ODS)"
        ) from exc


def _read(path: Path) -> PdfAnnex:
    import pdfplumber

    annex = PdfAnnex(path)
    with pdfplumber.open(path) as pdf:
        annex.pages = len(pdf.pages)
        texts = [page.extract_text_lines(return_chars=False) for page in pdf.pages]
        if not any(texts):
            raise InvalidInputError(
                f"{path.name} : ce PDF n'a pas de couche texte (document numérisé, "
                f"{annex.pages} page(s) d'images) : son annexe ne peut pas être lue sans "
                "reconnaissance de caractères. Demandez à l'ARS la version texte ou un "
                "tableau (CSV, XLSX, ODS), ou l'export CartoSanté du zonage."
            )
        running = _running_lines(texts)
        reader = _Reader(annex)
        for number, (page, lines) in enumerate(zip(pdf.pages, texts, strict=True), start=1):
            if not lines:
                reader.problem(f"page {number}", "page sans texte (numérisée ?) : non lue")
                continue
            for line_no, (kind, value) in enumerate(_page_items(page), start=1):
                place = f"page {number}, ligne {line_no}"
                if kind == "row":
                    reader.row(place, value)
                elif _is_noise(normalize_name(value), running):
                    annex.skipped += 1
                else:
                    reader.text(place, value)
        reader.flush()
    log.info(
        "PDF annex %s: %d pages, %d rows, %d problems",
        path.name,
        annex.pages,
        len(annex.rows),
        len(annex.problems),
    )
    return annex


def _running_lines(texts: list[list[dict[str, Any]]]) -> set[str]:
    """Lines printed on most pages (running headers, footers): not annex content."""
    if len(texts) < 3:
        return set()
    # Only the first and last two lines of a page: a commune listed on many pages is no footer.
    counts = Counter(
        norm
        for lines in texts
        for norm in {normalize_name(line["text"]) for line in lines[:2] + lines[-2:]}
    )
    return {norm for norm, n in counts.items() if n >= max(3, len(texts) // 2) and norm}
