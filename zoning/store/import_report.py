"""What a decree import read: the report, and the annex file read as a table.

:class:`ImportReport` keeps every finding with its place in the file (« ligne 12 », or
« page 3, ligne 12 » in a PDF), the class table made, the population shares and the
changes from the replaced decree: the preview a planner reads before adopting.
:func:`read_annex` reads a PDF (:mod:`zoning.sources.annex_pdf`), a CartoSanté export
or a table (the project's one table reader) into headers and rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from zoning.errors import InvalidInputError
from zoning.sources.annex_vocab import annex_header_score
from zoning.sources.names import normalize_name
from zoning.store.decrees import Decree
from zoning.store.report import region_lines


@dataclass
class ImportReport:
    """What an import read, resolved and found wrong, line by line.

    ``places`` names a row's place in the file when a line number does not (a PDF:
    « page 3, ligne 12 »). ``zones`` is the class table the import made (written or not),
    ``comparison`` the changes from the decree it replaces: the preview.
    """

    decree: Decree
    path: Path
    rows_read: int = 0
    lines: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    qpv_rows: int = 0
    written: bool = False
    #: Not written: rows could not be read, and the errors were not accepted.
    refused: bool = False
    kind: str = "tableau"
    places: dict[int, str] = field(default_factory=dict)
    zones: pd.DataFrame | None = None
    qpv: pd.DataFrame | None = None
    comparison: Any = None
    file_name: str = ""  # the name the person gave the file (an upload is saved apart)

    @property
    def name(self) -> str:
        """The annex's file name as its owner knows it."""
        return self.file_name or self.path.name

    def add(self, level: str, message: str, line: int | None = None) -> None:
        """Record one finding (level: « erreur », « avertissement », « info »)."""
        place = self.places.get(line, f"ligne {line}") if line else ""
        self.lines.append({"line": line, "place": place, "level": level, "message": message})

    def count(self, level: str) -> int:
        """How many findings of that level."""
        return sum(1 for item in self.lines if item["level"] == level)

    def unresolved(self) -> list[dict[str, Any]]:
        """Rows of the file not read or not resolved to a commune (errors with a place)."""
        return [i for i in self.lines if i["level"] == "erreur" and i.get("place")]

    def text_lines(self, max_info: int | None = None) -> list[str]:
        """The report as plain French lines (printed by the command, saved as Markdown).

        ``max_info``: beyond that many « info » lines (one per commune found by name in a
        PDF: thousands), the console shows their count; the saved report keeps them all.
        """
        out = [
            f"Import de l'arrêté {self.decree.id} — {self.decree.provenance()}",
            f"  fichier : {self.name} ({self.kind}) ; lignes lues : {self.rows_read} ; "
            f"lignes non lues ou non rattachées : {len(self.unresolved())} ; "
            f"lignes QPV : {self.qpv_rows}",
            f"  erreurs : {self.count('erreur')} ; avertissements : "
            f"{self.count('avertissement')} ; informations : {self.count('info')}",
        ]
        if self.summary:
            out += region_lines(self.summary)
            if not self.summary["caps"]:
                out.append("  plafonds de population de l'arrêté : inconnus (non comparés)")
        if self.comparison is not None:
            out += self.comparison.summary_lines()
            out += [
                "  " + " ; ".join(str(v) for v in row) for row in self.comparison.change_rows()[:40]
            ]
            if len(self.comparison.changes) > 40:
                more = len(self.comparison.changes) - 40
                out.append(f"  … {more} autres changements (zoning compare après adoption)")
        infos = self.count("info")
        brief = max_info is not None and infos > max_info
        for item in self.lines:
            if brief and item["level"] == "info":
                continue
            where = f"{item['place']} : " if item.get("place") else ""
            out.append(f"  [{item['level']}] {where}{item['message']}")
        if brief:
            out.append(
                f"  [info] {infos} lignes d'information (rattachement par nom, codes d'un "
                f"autre millésime…) non affichées : decree_reports/{self.decree.id}.md à "
                "l'adoption"
            )
        if self.written:
            out.append("  magasin mis à jour")
        elif self.refused:
            out.append("  magasin NON modifié (lignes illisibles : --accepter-erreurs)")
        else:
            out.append("  magasin NON modifié (aperçu : adoptez sans --apercu pour écrire)")
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form, saved beside the Markdown report."""
        return {
            "decree": self.decree.to_dict(),
            "file": self.name,
            "kind": self.kind,
            "rows_read": self.rows_read,
            "qpv_rows": self.qpv_rows,
            "summary": self.summary,
            "lines": self.lines,
        }


def read_annex(
    path: Path, sheet: str | None, report: ImportReport
) -> tuple[list[str], list[list[str]], list[int]]:
    """Headers, rows and row numbers of an annex: a PDF, a CartoSanté export or a table."""
    if path.suffix.lower() == ".pdf":
        from zoning.sources.annex_pdf import read_annex_pdf

        annex = read_annex_pdf(path)
        report.kind = f"PDF, {annex.pages} pages"
        numbers = list(range(1, len(annex.rows) + 1))
        report.places = dict(zip(numbers, annex.places, strict=True))
        for n, (place, message) in enumerate(annex.problems, start=len(numbers) + 1):
            report.places[n] = place
            report.rows_read += 1
            report.add("erreur", f"{message} : non lu", n)
        return annex.headers, annex.rows, numbers
    headers, rows, lines = read_annex_table(path, sheet)
    norm = [normalize_name(h) for h in headers[:2]]
    if norm == ["CODE", "LIBELLE"]:
        report.kind = "export CartoSanté"
    return headers, rows, lines


def read_annex_table(
    path: Path, sheet: str | None = None
) -> tuple[list[str], list[list[str]], list[int]]:
    """Headers, text rows and the file line of each row of an annex (CSV, XLSX or ODS).

    Read by the project's one table reader (:func:`zoning.io.read.read_table`): per-line
    encoding, delimiter, workbooks with the sheet chosen by content, title lines above
    the header.
    """
    from zoning.io.read import read_table

    try:
        table = read_table(path, sheet, annex_header_score, what="annexe d'arrêté")
    except InvalidInputError as exc:
        raise InvalidInputError(
            f"{exc} (une colonne de classe — « Classe », « Zonage » — et une colonne de "
            "commune — « Code INSEE », « Commune » — ou de QPV / TVS sont attendues)"
        ) from exc
    table.refuse_ragged()  # a value beyond the header: refused with its line, as batch
    return table.headers, table.rows, table.lines
