"""Generate application files in many shapes, with the expected answer of every row.

    python -m tests.appfiles.generate OUT_DIR [--files 40] [--seed 1] [--sources DIR]

Real places (communes of COG 2022, public hospitals of the FINESS extract), made-up
people (synthetic names, RPPS numbers and SIRET). Every file gets a JSON sidecar
``<file>.truth.json``: its kinds of variation and, per dossier, the expected status,
INSEE code(s), zone, 20 km answer and QPV codes, computed by :mod:`truth` from the raw
sources (never by the tool). Files are written where asked (a temporary folder): never
committed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import grammar as g
from .sources import Sources
from .truth import Expected, Post, expected

REPO = Path(__file__).resolve().parents[2]
#: Made-up people (synthetic).
LAST = [
    "Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Garcia", "Roux", "Fournier",
    "Etcheverry", "Lacoste",
]  # fmt: skip
FIRST = ["Camille", "Léa", "Hugo", "Chloé", "Noël", "Inès", "Jérôme", "Anaïs", "Côme", "Maëlle"]
FIXED_DS = [
    "ID", "Email", "Civilité", "Nom", "Prénom", "Archivé", "État du dossier",
    "Dernière mise à jour le", "Déposé le", "Passé en instruction le", "Traité le",
    "Motivation de la décision", "Instructeurs", "Groupe instructeur",
]  # fmt: skip
ORG_DS = [
    "Etablissement SIRET", "Etablissement siège social", "Etablissement NAF",
    "Etablissement libellé NAF", "Etablissement Adresse", "Etablissement code postal",
    "Etablissement localité", "Etablissement code INSEE localité", "Entreprise SIREN",
    "Entreprise forme juridique", "Entreprise raison sociale",
]  # fmt: skip
STRUCTURE_KINDS = ["MSP", "Cabinet", "Centre de santé"]
STRUCTURE_NAMES = ["des Tilleuls", "du Bourg", "Pasteur", "de la Gare"]
GOOD_STARTS = [
    dt.date(2023, 11, 1),
    dt.date(2024, 5, 1),
    dt.date(2024, 11, 1),
    dt.date(2023, 11, 6),
]
BAD_STARTS = [dt.date(2024, 9, 2), dt.date(2024, 1, 8)]


@dataclass
class Row:
    post: Post
    truth: Expected
    tags: dict[str, str] = field(default_factory=dict)  # per-row kinds: value styles, commune


@dataclass
class FileTags:
    format: str
    layout: str
    headers: str


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def draw_site(
    rng: random.Random, src: Sources, style: str, dep: str
) -> tuple[list[str], str, str | None]:
    """(COG 2022 codes, name as written, postal code) of a site drawn in ``style``."""
    if style == "current_name":
        nouvelle = rng.choice(sorted(src.nouvelles.values(), key=lambda n: n.code))
        cps = [cp for c in nouvelle.constituents for cp in src.communes[c].postcodes]
        return list(nouvelle.constituents), nouvelle.name, rng.choice(cps)
    pool = [c for c in src.safe_codes if c[:2] == dep] if rng.random() < 0.6 else src.safe_codes
    for _ in range(200):
        code = rng.choice(pool)
        commune = src.communes[code]
        if style == "name_only" and src.names_count[_fold(commune.name)] != 1:
            continue
        cp = src.unique_postcode(code) if style == "name_cp" else commune.postcodes[0]
        if cp is None:
            continue
        return [code], commune.name, cp
    raise RuntimeError("no commune drawn")


def _fold(text: str) -> str:
    from .sources import fold

    return fold(text)


def draw_post(
    rng: random.Random, src: Sources, ident: str, style: str, with_derogation: bool, filed: bool
) -> Post:
    hospital = rng.choice(src.hospitals)
    codes, name, cp = draw_site(rng, src, style, hospital.finess[:2])
    roll = rng.random()
    ordre = (
        _date_between(rng, dt.date(2012, 1, 1), dt.date(2023, 10, 31))
        if roll < 0.85
        else ORDRE_EDGE
        if roll < 0.9
        else _date_between(rng, dt.date(2023, 11, 2), dt.date(2024, 3, 1))
    )
    half = rng.choice([4.0, 5.0, 6.0] * 6 + [3.0, 7.0, 4.5, 5.5])
    months = rng.choice([24] * 8 + [12, 12, 36])
    kind = rng.choice(sorted(g.STRUCTURES))
    return Post(
        ident=ident,
        last_name=rng.choice(LAST),
        first_name=rng.choice(FIRST),
        rpps="1" + "".join(rng.choice("0123456789") for _ in range(10)),
        ordre=ordre,
        hospital=hospital,
        half_days=half,
        site_codes=codes,
        site_name=name,
        site_postcode=cp,
        structure=rng.choice(g.STRUCTURES[kind]),
        structure_name=f"{rng.choice(STRUCTURE_KINDS)} {rng.choice(STRUCTURE_NAMES)}",
        start=rng.choice(GOOD_STARTS * 5 + BAD_STARTS),
        months=months,
        derogation=with_derogation and months == 12 and rng.random() < 0.6,
        filed=(
            _date_between(rng, dt.date(2023, 3, 1), dt.date(2023, 4, 30))
            if rng.random() < 0.93
            else dt.date(2023, 5, rng.randint(2, 20))
        )
        if filed
        else None,
        commune_style=style,
    )


ORDRE_EDGE = dt.date(2023, 11, 1)


# ------------------------------------------------------------------------------ tables


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]
    hidden: set[int] = field(default_factory=set)  # column indexes
    title: list[str] = field(default_factory=list)
    merged_column: int | None = None  # merge equal consecutive values vertically
    total: list[Any] | None = None
    extra_sheets: dict[str, tuple[list[str], list[list[Any]]]] = field(default_factory=dict)
    sheet: str = "Dossiers"


def _values(rng: random.Random, post: Post, tags: dict[str, str], cells_ok: bool) -> dict[str, Any]:
    """The post's values, each in a drawn style (recorded in ``tags``)."""
    date_styles = [s for s in g.DATE_STYLES if cells_ok or s != "cell"]
    style = rng.choice(date_styles)
    tags["date"] = style
    duration_style = rng.choice(g.DURATION_STYLES)
    tags["duration"] = duration_style if post.months % 12 == 0 else "months_word"
    half, tags["half_days"] = g.half_days_text(post.half_days, rng)
    return {
        "ordre_date": g.date_text(post.ordre, style) if post.ordre else "",
        "start": g.date_text(post.start, style),
        "duration": g.duration_text(post.months, duration_style),
        "half_days": half,
        "derogation": g.yes_no(post.derogation, rng),
        "ordre_yesno": g.yes_no(True, rng),
        "ordre_file": g.attachment(rng, "attestation_ordre", post.ident),
        "cv": g.attachment(rng, "cv", post.ident),
        "project": g.project_text(rng),
    }


def ds_table(
    rng: random.Random, src: Sources, posts: list[Post], organisation: bool, cells_ok: bool
) -> tuple[Table, list[dict[str, str]]]:
    """A DS export: fixed columns, [organisation columns,] one column per question."""
    q = {k: g.header(rng, k, ds=True) for k in g.DS_QUESTIONS}
    commune = q["commune"]
    with_dep = rng.random() < 0.5
    form = [
        q["project"], q["rpps"], q["ordre_yesno"], q["ordre_date"], q["ordre_file"], q["finess"],
        q["hospital_name"], q["half_days"], commune, f"{commune} (Code insee)",
        *([f"{commune} (Département)"] if with_dep else []),
        q["structure"], q["structure_name"], q["start"], q["duration"], q["derogation"], q["cv"],
    ]  # fmt: skip
    headers = FIXED_DS + (ORG_DS if organisation else []) + form
    rows, all_tags = [], []
    for post in posts:
        tags = {"commune": "ds_label_code"}
        v = _values(rng, post, tags, cells_ok)
        filed = post.filed or dt.date(2023, 4, 1)
        fixed = [
            int(post.ident), f"{_mail(post.first_name)}.{_mail(post.last_name)}@example.org",
            rng.choice(["M.", "Mme"]), post.last_name, post.first_name, "non", "en_instruction",
            dt.datetime.combine(filed, dt.time(17, 3)) if cells_ok else f"{filed:%d/%m/%Y} 17:03",
            dt.datetime.combine(filed, dt.time(16, 58)) if cells_ok else f"{filed:%d/%m/%Y} 16:58",
            "", "", "", "instructeur@ars.sante.fr", "Postes partagés",
        ]  # fmt: skip
        org = []
        if organisation:
            siren = f"{rng.randrange(10**8, 10**9)}"  # synthetic
            org = [
                f"{siren}00017", "Oui", "86.10Z", "Activités hospitalières",
                f"{post.hospital.postcode} {post.hospital.city}", post.hospital.postcode,
                post.hospital.city, _hospital_insee(src, post), siren,
                "Établissement public local d'hospitalisation", post.hospital.name,
            ]  # fmt: skip
        code = post.site_codes[0]
        dep = f"{code[:2]} - {src.dep_names.get(code[:2], '')}"
        answers = [
            v["project"], post.rpps, v["ordre_yesno"], v["ordre_date"], v["ordre_file"],
            post.hospital.finess, post.hospital.name, v["half_days"], post.site_name, code,
            *([dep] if with_dep else []), post.structure, post.structure_name, v["start"],
            v["duration"], v["derogation"], v["cv"],
        ]  # fmt: skip
        rows.append(fixed + org + answers)
        all_tags.append(tags)
    table = Table(headers, rows)
    avis = (
        ["Dossier ID", "Question", "Réponse", "Expert", "Date de création"],
        [[rows[0][0], "Avis du CH ?", "Favorable", "expert@ch.fr", "12/04/2023"]],
    )
    table.extra_sheets["Avis"] = avis
    if organisation:
        table.extra_sheets["Etablissements"] = (
            ["Dossier ID", "Champ", "Etablissement SIRET"],
            [[r[0], "SIRET", r[len(FIXED_DS)]] for r in rows],
        )
    return table, all_tags


def _mail(name: str) -> str:
    return _fold(name).replace(" ", "")


def _hospital_insee(src: Sources, post: Post) -> str:
    """The hospital's commune: by its point in the 2018 polygons, else La Poste's table."""
    at = src.commune_at(post.hospital.lon, post.hospital.lat)
    if at:
        return at
    city = _fold(post.hospital.city)
    for r in src.laposte_by_cp[post.hospital.postcode]:
        if _fold(r["Nom_commune"]) == city:
            return r["Code_commune_INSEE"]
    return ""


BY_POSTCODE = ("name_cp", "current_name")
COMMENTS = ["", "dossier complet", "pièces ok; relancé le 3/5"]
HAND_COMMUNE_STYLES = {
    "insee": ["insee"],
    "name_cp": ["commune", "postcode"],
    "name_only": ["commune"],
    "mixed": ["commune", "postcode", "insee"],
}


def hand_table(
    rng: random.Random,
    src: Sources,
    posts: list[Post],
    layout: str,
    file_style: str,
    cells_ok: bool,
) -> tuple[Table, list[dict[str, str]]]:
    """An instructor's table: short headers in any order, optional title/merge/hidden/total."""
    keys = [
        "ident",
        "last_name",
        "first_name",
        "rpps",
        "ordre_date",
        "finess",
        "hospital_name",
        "half_days",
    ]
    keys += HAND_COMMUNE_STYLES[file_style]
    keys += ["structure", "structure_name", "start", "duration", "derogation", "comment", "email"]
    if rng.random() < 0.4:
        keys.append("ordre_yesno")
    if layout == "merged":
        keys.insert(0, "departement")
    elif layout != "title":
        rng.shuffle(keys)
    headers = [g.header(rng, k, ds=False) for k in keys]
    rows, all_tags = [], []
    if layout == "merged":
        posts.sort(key=lambda p: p.site_codes[0][:2])
    for post in posts:
        tags = {"commune": post.commune_style}
        name = ""
        if post.commune_style != "insee":
            name, tags["commune_spelling"] = g.commune_spelling(post.site_name, rng)
        v = _values(rng, post, tags, cells_ok)
        code = post.site_codes[0]
        cells = {
            "ident": post.ident, "last_name": post.last_name, "first_name": post.first_name,
            "rpps": post.rpps, "ordre_date": v["ordre_date"], "finess": post.hospital.finess,
            "hospital_name": post.hospital.name, "half_days": v["half_days"],
            "insee": code if post.commune_style in ("insee",) else "",
            "commune": name,
            "postcode": post.site_postcode if post.commune_style in BY_POSTCODE else "",
            "departement": code[:2], "structure": post.structure,
            "structure_name": post.structure_name, "start": v["start"], "duration": v["duration"],
            "derogation": v["derogation"], "comment": rng.choice(COMMENTS),
            "email": "candidat@example.org", "ordre_yesno": v["ordre_yesno"],
        }  # fmt: skip
        rows.append([cells[k] for k in keys])
        all_tags.append(tags)
    table = Table(headers, rows, sheet=rng.choice(["Candidatures", "Feuil1", "Suivi 2023"]))
    if layout == "title":
        table.title = [
            "ARS Nouvelle-Aquitaine — postes partagés ville-hôpital",
            f"Suivi des candidatures au {dt.date(2023, 5, 12):%d/%m/%Y}",
        ]
    if layout == "merged":
        table.merged_column = 0
    if layout == "hidden":
        # Notes hidden, and a column the batch needs (hidden data is still data).
        table.hidden = {keys.index("email"), keys.index("comment"), keys.index("rpps")}
    if layout == "total":
        total: list[Any] = [""] * len(keys)
        total[keys.index("ident")] = "TOTAL"
        total[keys.index("half_days")] = sum(p.half_days for p in posts)
        table.total = total
    return table, all_tags


# ----------------------------------------------------------------------------- writers


def write_xlsx(table: Table, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = table.sheet
    for line in table.title:
        sheet.append([line])
    if table.title:
        sheet.append([])
    first = sheet.max_row + 1 if table.title else 1
    sheet.append(table.headers)
    for row in table.rows:
        sheet.append(row)
    if table.total:
        sheet.append(table.total)
    if table.merged_column is not None:
        col, start = table.merged_column + 1, first + 1
        values = [r[table.merged_column] for r in table.rows] + [None]
        for i in range(1, len(values)):
            if values[i] != values[i - 1]:
                end = first + i
                if end > start:
                    sheet.merge_cells(
                        start_row=start, start_column=col, end_row=end, end_column=col
                    )
                start = end + 1
    for index in table.hidden:
        sheet.column_dimensions[get_column_letter(index + 1)].hidden = True
    for name, (headers, rows) in table.extra_sheets.items():
        extra = book.create_sheet(name)
        extra.append(headers)
        for row in rows:
            extra.append(row)
    book.save(path)


def write_ods(table: Table, path: Path) -> None:
    import pandas as pd

    width = len(table.headers)
    lines: list[list[Any]] = [[t] + [None] * (width - 1) for t in table.title]
    lines += [[None] * width] if table.title else []
    lines += [table.headers, *table.rows, *([table.total] if table.total else [])]
    with pd.ExcelWriter(path, engine="odf") as writer:
        frame = pd.DataFrame(lines, dtype=object)
        frame.to_excel(writer, sheet_name=table.sheet, index=False, header=False)
        for name, (headers, rows) in table.extra_sheets.items():
            pd.DataFrame(rows, columns=headers).to_excel(writer, sheet_name=name, index=False)


def write_csv(table: Table, path: Path, delimiter: str, encoding: str) -> None:
    def text(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:g}".replace(".", ",")
        return str(value)

    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        for line in table.title:
            writer.writerow([line])
        writer.writerow(table.headers)
        for row in table.rows + ([table.total] if table.total else []):
            writer.writerow([text(v) for v in row])


FORMATS = ["xlsx", "ods", "csv;utf-8-sig", "csv,utf-8-sig", "csv;cp1252", "csv,cp1252"]
DS_LAYOUTS = ["ds-individual", "ds-organisation"]
HAND_LAYOUTS = ["plain", "title", "merged", "hidden", "total"]


def generate(
    out: Path, src: Sources, files: int, seed: int = 1, rows_per_file: tuple[int, int] = (4, 9)
) -> list[Path]:
    """Write ``files`` application files and their truth sidecars into ``out``."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for n in range(files):
        ds = n % 2 == 0
        # Layouts, DS formats and commune styles in turn, so that a small sample covers
        # each of them; the rest is drawn.
        turn = n // 2
        layout = DS_LAYOUTS[turn % 2] if ds else HAND_LAYOUTS[turn % len(HAND_LAYOUTS)]
        # Merged cells and hidden columns need a workbook.
        fmt = (
            FORMATS[turn % len(FORMATS)] if ds or layout in ("plain", "title", "total") else "xlsx"
        )
        cells_ok = not fmt.startswith("csv")
        styles = sorted(HAND_COMMUNE_STYLES)
        file_style = "ds" if ds else styles[turn % len(styles)]
        count = rng.randint(*rows_per_file)
        posts = []
        for i in range(count):
            if ds:
                style = "insee"
            elif file_style == "mixed":
                style = rng.choice(["insee", "name_cp", "current_name"])
            elif file_style == "name_cp":
                style = rng.choice(["name_cp"] * 3 + ["current_name"])
            else:
                style = file_style
            ident = f"{rng.randrange(10**6, 10**7)}" if ds else f"D23-{n:03d}-{i:02d}"
            posts.append(draw_post(rng, src, ident, style, with_derogation=True, filed=ds))
        if ds:
            table, row_tags = ds_table(rng, src, posts, layout == "ds-organisation", cells_ok)
            id_header = "ID"
            headers_kind = "ds-questions"
        else:
            table, row_tags = hand_table(rng, src, posts, layout, file_style, cells_ok)
            headers_kind = "hand-grammar"
            id_header = next(h for h, k in zip(table.headers, _keys_of(table), strict=False) if k)
        ext = "csv" if fmt.startswith("csv") else fmt
        stem = f"dossiers_postes-partages_{n:03d}" if ds else f"suivi_candidatures_{n:03d}"
        path = out / f"{stem}.{ext}"
        if fmt == "xlsx":
            write_xlsx(table, path)
        elif fmt == "ods":
            write_ods(table, path)
        else:
            write_csv(table, path, fmt[3], fmt[4:])
        tags = FileTags(
            format=fmt if ds else f"hand-{fmt}",
            layout=layout if ds else f"hand-{layout}",
            headers=headers_kind,
        )
        truth = {
            "file": path.name,
            "id_header": id_header,
            "tags": tags.__dict__,
            "rows": [
                {
                    "id": post.ident,
                    "tags": rt,
                    "status": t.status,
                    "insee": sorted(t.insee),
                    "zone": t.zone,
                    "rule20": sorted(t.rule20),
                    "nearest_km": t.nearest_km,
                    "qpv": sorted(t.qpv),
                    "hospital_commune": _hospital_insee(src, post),
                    "postcode": post.site_postcode,
                    "reasons": t.reasons,
                    "start": post.start.isoformat(),
                }
                for post, t, rt in (
                    (p, expected(src, p), r) for p, r in zip(posts, row_tags, strict=True)
                )
            ],
        }
        path.with_name(path.name + ".truth.json").write_text(
            json.dumps(truth, ensure_ascii=False, indent=1)
        )
        written.append(path)
    return written


def _keys_of(table: Table) -> list[bool]:
    """Which header is the dossier number (the one whose cells start with « D23- »)."""
    return [
        all(str(r[i]).startswith("D23-") for r in table.rows) for i in range(len(table.headers))
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--sources",
        type=Path,
        default=Path(os.environ.get("ZONING_SOURCES_TEST") or REPO.parent / "shared" / "data"),
    )
    args = parser.parse_args()
    paths = generate(args.out, Sources(args.sources), args.files, args.seed)
    print(f"{len(paths)} fichiers dans {args.out}")


if __name__ == "__main__":
    main()
