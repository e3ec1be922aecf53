"""SYNTHETIC decree annexes, written as the ARS publish them: PDF (three layouts) and
CartoSanté-shaped CSV exports. Every file says « synthétique » in its title.

The classes written are given by the caller (for the round trip: the 2022 classes of
the store, read from its zones table); the names and départements are the store's.
Layouts:

- ``codes``: a ruled table « Code INSEE | Commune | Département | Classe », header repeated
  on every page, a running header and a « Recueil des actes administratifs … page N »
  footer, long names cut over two lines inside their cell;
- ``tvs``: communes grouped by territoire de vie-santé — a heading row spanning the table
  gives the TVS, its département and its class in words; no INSEE code printed;
- ``lists``: section headings « Zones d'intervention prioritaire — Creuse (23) » then one
  commune name per line, long names cut at a hyphen over two lines.

Homonyms inside a département (printed by name only) get their code in brackets, as
ARS annexes do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import PageBreak, SimpleDocTemplate, Table, TableStyle

from zoning.sources.names import normalize_name

WORDS = {
    "ZIP": "Zones d'intervention prioritaire",
    "ZAC": "Zones d'action complémentaire",
    "ZV": "Zones de vigilance",
    "HZ": "Hors zonage",
}
CODES = {"ZIP": "1_ZIP", "ZAC": "2_ZAC", "ZV": "5_ZV", "HZ": "6_HZ"}
TITLE = "ANNEXE SYNTHÉTIQUE (données de test) — zonage médecins, arrêté fictif"
FOOTER = "Recueil des actes administratifs n° R75-2099-000 (synthétique) — page {page}"
ROWS_PER_PAGE = 48
NA_DEPARTEMENTS = {
    "16": "Charente",
    "17": "Charente-Maritime",
    "19": "Corrèze",
    "23": "Creuse",
    "24": "Dordogne",
    "33": "Gironde",
    "40": "Landes",
    "47": "Lot-et-Garonne",
    "64": "Pyrénées-Atlantiques",
    "79": "Deux-Sèvres",
    "86": "Vienne",
    "87": "Haute-Vienne",
}


@dataclass(frozen=True)
class Commune:
    """One row to print: code, name, département code and name, class."""

    code: str
    name: str
    dep: str
    dep_name: str
    zone: str


def cut(name: str, width: int = 24) -> str:
    """A long name cut after a hyphen near its middle, as a narrow column prints it."""
    if len(name) <= width or "-" not in name:
        return name
    middle = len(name) // 2
    at = min((i for i, c in enumerate(name) if c == "-"), key=lambda i: abs(i - middle))
    return name[: at + 1] + "\n" + name[at + 1 :]


def classed(communes: Sequence[Commune]) -> list[Commune]:
    """Communes with a class: an annex lists no commune without one."""
    return [c for c in communes if c.zone in WORDS]


def printed_names(communes: Sequence[Commune]) -> dict[str, str]:
    """Code -> name as printed without codes: homonyms of a département get their code."""
    seen: dict[tuple[str, str], int] = {}
    for c in communes:
        key = (c.dep, normalize_name(c.name))
        seen[key] = seen.get(key, 0) + 1
    return {
        c.code: (f"{c.name} ({c.code})" if seen[(c.dep, normalize_name(c.name))] > 1 else c.name)
        for c in communes
    }


def _footer(canvas: Canvas, doc: object) -> None:
    canvas.setFont("Helvetica", 7)
    canvas.drawString(40, 20, FOOTER.format(page=canvas.getPageNumber()))
    canvas.drawString(40, A4[1] - 25, "Agence régionale de santé — arrêté fictif (synthétique)")


_GRID = [
    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
    ("FONT", (0, 0), (-1, -1), "Helvetica", 7),
    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("TOPPADDING", (0, 0), (-1, -1), 1),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
]


def _tables(
    path: Path,
    header: list[str],
    body: list[list[str]],
    spans: set[int],
    down: list[tuple[int, int]] = (),  # type: ignore[assignment]
) -> None:
    """Ruled tables, one per page, the header repeated; ``spans``: heading rows (0-based);
    ``down``: (first, last) body rows whose first and last cells are merged downwards."""
    doc = SimpleDocTemplate(str(path), pagesize=A4, title=TITLE, topMargin=40, bottomMargin=40)
    story: list[object] = []
    widths = {2: [230, 90], 4: [60, 190, 70, 170]}[len(header)]
    if down:  # a TVS column first
        widths = [110, 170, 60, 150]
    for start in range(0, len(body), ROWS_PER_PAGE):
        chunk = body[start : start + ROWS_PER_PAGE]
        style = list(_GRID)
        for i in range(len(chunk)):
            if start + i in spans:
                style.append(("SPAN", (0, i + 1), (-1, i + 1)))
                style.append(("FONT", (0, i + 1), (-1, i + 1), "Helvetica-Bold", 7))
        for first, last in down:  # a merge cut by the page break starts again on the next
            a, b = max(first, start) - start, min(last, start + len(chunk) - 1) - start
            if a < b:
                style += [("SPAN", (0, a + 1), (0, b + 1)), ("SPAN", (-1, a + 1), (-1, b + 1))]
        story += [Table([header, *chunk], colWidths=widths, style=TableStyle(style)), PageBreak()]
    doc.build(story[:-1], onFirstPage=_footer, onLaterPages=_footer)


def write_codes_pdf(path: Path, communes: Sequence[Commune], style: str = "words") -> Path:
    """Layout ``codes``: code, name (cut when long), département, class (words or codes)."""
    labels = WORDS if style == "words" else CODES if style == "codes" else {}
    body = [[c.code, cut(c.name), c.dep, labels.get(c.zone, c.zone)] for c in classed(communes)]
    _tables(path, ["Code INSEE", "Commune", "Département", "Classe"], body, set())
    return path


def _groups(communes: Sequence[Commune], size: int = 14) -> list[list[Commune]]:
    """Synthetic TVS: communes of one département and class, by code, in groups."""
    by_key: dict[tuple[str, str], list[Commune]] = {}
    for c in sorted(communes, key=lambda c: c.code):
        by_key.setdefault((c.dep, c.zone), []).append(c)
    return [g[i : i + size] for g in by_key.values() for i in range(0, len(g), size)]


def write_tvs_pdf(path: Path, communes: Sequence[Commune]) -> Path:
    """Layout ``tvs``: a heading row per TVS (name, département, class in words), names below."""
    communes = classed(communes)
    names = printed_names(communes)
    body: list[list[str]] = []
    spans: set[int] = set()
    for n, group in enumerate(_groups(communes), start=1):
        first = group[0]
        spans.add(len(body))
        body.append(
            [
                f"Territoire de vie-santé synthétique n° {n} ({first.dep}) — {WORDS[first.zone]}",
                "",
            ]
        )
        body += [[cut(names[c.code]), c.dep_name] for c in group]
    _tables(path, ["Commune", "Département"], body, spans)
    return path


def write_tvs_column_pdf(path: Path, communes: Sequence[Commune]) -> Path:
    """Layout ``tvs`` as a column: the TVS and class cells merged down over their communes."""
    communes = classed(communes)
    names = printed_names(communes)
    body: list[list[str]] = []
    down = []
    for n, group in enumerate(_groups(communes), start=1):
        first = len(body)
        for i, c in enumerate(group):
            tvs = f"TVS synthétique n° {n}" if i == 0 else ""
            body.append([tvs, cut(names[c.code]), c.dep, WORDS[c.zone] if i == 0 else ""])
        down.append((first, len(body) - 1))
        # continued on the next page: the ARS repeats the TVS and class there
        for row in range(first + 1, len(body)):
            if row % ROWS_PER_PAGE == 0:
                body[row][0], body[row][3] = body[first][0], body[first][3]
    header = ["Territoire de vie-santé", "Commune", "Département", "Classe"]
    _tables(path, header, body, set(), down)
    return path


def write_lists_pdf(path: Path, communes: Sequence[Commune]) -> Path:
    """Layout ``lists``: « Zones … — Creuse (23) » headings, then one name per line."""
    communes = classed(communes)
    names = printed_names(communes)
    canvas = Canvas(str(path), pagesize=A4)
    canvas.setTitle(TITLE)
    y = A4[1] - 60

    def line(text: str, font: str = "Helvetica", size: float = 8) -> None:
        nonlocal y
        if y < 50:
            _footer(canvas, None)
            canvas.showPage()
            y = A4[1] - 60
        canvas.setFont(font, size)
        canvas.drawString(50, y, text)
        y -= size + 3

    line(TITLE, "Helvetica-Bold", 10)
    line("Article 1 — Les communes sont classées comme suit (liste synthétique).")
    sections: dict[tuple[str, str], list[Commune]] = {}
    for c in sorted(communes, key=lambda c: (list(WORDS).index(c.zone), c.dep, c.name)):
        sections.setdefault((c.zone, c.dep), []).append(c)
    for (zone, dep), members in sections.items():
        y -= 6
        line(f"{WORDS[zone]} — {members[0].dep_name} ({dep})", "Helvetica-Bold", 9)
        for c in members:
            for part in cut(names[c.code], 22).splitlines():
                line(part)
    line("Fait à Bordeaux, le 1er janvier 2099 (arrêté fictif)")
    _footer(canvas, None)
    canvas.save()
    return path


def write_cartosante_csv(path: Path, communes: Sequence[Commune], qpv: Sequence[tuple]) -> Path:
    """A CartoSanté-shaped export: title lines, ``Code;Libellé;…``, classes as codes.

    ``qpv``: (code, name, label) rows of QPV-level classes (« 3_QPV_ZIP »), commune or QPV
    codes, appended as CartoSanté lists them.
    """
    lines = [
        "Indicateur : Zonage médecins généralistes (SYNTHÉTIQUE, données de test)",
        "Source : export CartoSanté fictif",
        "",
        "Code;Libellé;Zonage médecins généralistes",
    ]
    lines += [f"{c.code};{c.name};{CODES[c.zone]}" for c in classed(communes)]
    lines += [f"{code};{name};{label}" for code, name, label in qpv]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
