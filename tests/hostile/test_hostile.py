"""Hostile but fair inputs, reader side: every command as a real process on bad files.

For each command (``batch``, ``geocode``, ``assign``, ``map posts``) and each hostile
variant of a small valid table (empty, binary, truncated xlsx, fake extension, UTF-16,
mixed encoding, control characters, formula and HTML payloads, understated xlsx
dimension, duplicated headers, missing columns, no header, wrong separator, unclosed
quote), the run must end without a traceback, either with exit 2 and a French message
naming the file, or with exit 0 (6 for ``geocode``: no geocoder on this loopback port)
and every input row in the output, in order. The last test prints the counts.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

REPO = Path(__file__).resolve().parents[2]
ZONING = [sys.executable, "-m", "zoning"]
PAYLOADS = ['=HYPERLINK("http://x.invalid","clic")', "+33 6 00", "@SUM(A1)", "-1+1"]
HTML = '<img src=x onerror="document.title=1">'


@dataclass(frozen=True)
class Base:
    """A valid table for one command: headers, rows, the identifier column."""

    headers: list[str]
    rows: list[list[str]]
    ident: str
    text: int  # index of a free-text column (payloads go there)


BASES = {
    "batch": Base(
        ["Identifiant", "Nom (fictif)", "N° RPPS", "FINESS établissement", "Demi-journées hôpital",
         "Site code INSEE", "Site commune", "Site longitude", "Site latitude", "Date de début",
         "Durée (mois)"],
        [["EX01", "Candidate Fictive A", "10000000001", "230000820", "5", "23008", "Aubusson",
          "", "", "01/11/2023", "24"],
         ["EX02", "Candidat Fictif B", "10000000002", "870000064", "6", "", "Bellac",
          "1.04116467219", "46.1049122554", "01/11/2023", "24"],
         ["EX03", "Hélène Fictive", "10000000003", "230000820", "4", "23096", "Guéret", "", "",
          "01/11/2023", "24"]],
        "Identifiant", 1,
    ),
    "geocode": Base(
        ["Identifiant", "Nom", "N° FINESS", "Code postal", "Commune"],
        [["G1", "Structure fictive", "230000820", "", ""],
         ["G2", "Autre structure", "870000064", "", ""],
         ["G3", "Hôpital de Guéret", "230000820", "23000", "Guéret"]],
        "Identifiant", 1,
    ),
    "assign": Base(
        ["Identifiant", "Nom", "lon", "lat"],
        [["A1", "Point fictif", "1.87113", "46.16497"], ["A2", "Guéret", "1.8711", "46.1716"],
         ["A3", "Bellac", "1.04116", "46.10491"]],
        "Identifiant", 1,
    ),
    "posts": Base(
        ["id", "programme", "statut", "site_principal_nom", "site_principal_lon",
         "site_principal_lat", "site_nom", "site_lon", "site_lat", "distance_km"],
        [["P1", "na-mg-2023", "éligible", "CH Guéret", "1.87113", "46.16497", "MSP Aubusson",
          "2.1683", "45.9563", "31.2"],
         ["P2", "na-mg-2023", "à vérifier", "CHU Limoges", "1.2375", "45.8156", "Cabinet",
          "1.04116", "46.10491", "30.1"],
         ["P3", "na-mg-2023", "non éligible", "CH Guéret", "1.87113", "46.16497", "Guéret",
          "1.8711", "46.1716", "0.7"]],
        "id", 3,
    ),
}  # fmt: skip


def _csv(headers: list[str], rows: list[list[str]], sep: str = ";") -> str:
    buf = io.StringIO()
    import csv

    csv.writer(buf, delimiter=sep, lineterminator="\n").writerows([headers, *rows])
    return buf.getvalue()


def _xlsx(headers: list[str], rows: list[list[str]]) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _understated(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(
                    rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:B2"/>', content
                )
            dst.writestr(item, content)
    return out.getvalue()


def _with(base: Base, value: str) -> list[list[str]]:
    rows = [list(r) for r in base.rows]
    for r in rows:
        r[base.text] = value
    return rows


# variant -> (file name, bytes, True: every row out / False: refused / None: either)
Variant = Callable[[Base], tuple[str, bytes, bool | None]]
VARIANTS: dict[str, Variant] = {
    "empty": lambda b: ("vide.csv", b"", False),
    "blank": lambda b: ("blanc.csv", b"\n\n \n", False),
    "binary": lambda b: ("binaire.csv", bytes(range(256)) * 16, False),
    "truncated": lambda b: ("tronque.xlsx", _xlsx(b.headers, b.rows * 40)[:2000], False),
    "xlsx_named_csv": lambda b: ("classeur.csv", _xlsx(b.headers, b.rows), True),
    "csv_named_xlsx": lambda b: ("texte.xlsx", _csv(b.headers, b.rows).encode(), True),
    "utf16": lambda b: (
        "unicode.csv", b"\xff\xfe" + _csv(b.headers, b.rows, "\t").encode("utf-16-le"), True
    ),
    "mixed_encoding": lambda b: (
        "mixte.csv",
        b"".join(
            line.encode("cp1252") if i == 2 else line.encode("utf-8")
            for i, line in enumerate(_csv(b.headers, _with(b, "Hélène Fictive")).splitlines(True))
        ),
        True,
    ),
    "control_chars": lambda b: (
        "controle.csv", _csv(b.headers, _with(b, "nom\x01avec\x07contrôle\x1b")).encode(), True
    ),
    "formula": lambda b: (
        "formules.csv",
        _csv(b.headers, [
            [*r[: b.text], PAYLOADS[i % len(PAYLOADS)], *r[b.text + 1 :]]
            for i, r in enumerate(b.rows)
        ]).encode(),
        True,
    ),
    "html": lambda b: ("html.csv", _csv(b.headers, _with(b, HTML)).encode(), True),
    "dimension": lambda b: ("dimension.xlsx", _understated(_xlsx(b.headers, b.rows * 8)), True),
    "duplicated_headers": lambda b: (
        # Refused when the repeated column is used (which one?), read when it is not.
        "doublons.csv", _csv([b.headers[0], *b.headers], [[r[0], *r] for r in b.rows]).encode(),
        None,
    ),
    "missing_columns": lambda b: (
        "manque.csv", _csv(b.headers[:2], [r[:2] for r in b.rows]).encode(), False
    ),
    "no_header": lambda b: (
        "sans-entete.csv", "\n".join("1;2;3" for _ in b.rows).encode(), False
    ),
    "wrong_separator": lambda b: (
        "separateur.csv", _csv(b.headers, b.rows, ":").encode(), False
    ),
    "unclosed_quote": lambda b: (
        "guillemet.csv", (_csv(b.headers, b.rows[:1]) + '"' + ";".join(b.rows[1])).encode(),
        False,
    ),
}  # fmt: skip

RESULTS: list[dict[str, object]] = []


def _command(name: str, src: Path, out: Path) -> tuple[list[str], Path]:
    if name == "batch":
        dst = out / "resultats.csv"
        return ["batch", str(src), "-p", "na-mg-2023", "-o", str(dst), "--no-progress"], dst
    if name == "geocode":
        dst = out / "geocode.csv"
        return ["geocode", str(src), "-o", str(dst)], dst
    if name == "assign":
        dst = out / "points.csv"
        return ["assign", str(src), "-o", str(dst), "--no-progress"], dst
    dst = out / "postes.html"
    return ["map", "posts", str(src), "-o", str(dst)], dst


def _ids_out(command: str, dst: Path, ident: str) -> list[str]:
    if command == "posts":
        return []
    frame = pd.read_csv(dst, sep=None, engine="python", dtype=str, encoding="utf-8-sig",
                        keep_default_na=False)  # fmt: skip
    return [str(v) for v in frame[ident]]


@pytest.fixture(scope="module")
def env(
    store_path: Path, sources_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    cache = tmp_path_factory.mktemp("cache")
    return {
        **os.environ,
        "ZONING_STORE": str(store_path),
        "ZONING_SOURCES": str(sources_dir),
        "ZONING_CACHE": str(cache),
        "ZONING_ADDOK_URL": "http://127.0.0.1:9",  # nothing listens: never the network
        "PYTHONPATH": str(REPO),
    }


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("command", list(BASES))
def test_hostile_input(command: str, variant: str, env: dict[str, str], tmp_path: Path) -> None:
    base = BASES[command]
    name, data, readable = VARIANTS[variant](base)
    src = tmp_path / name
    src.write_bytes(data)
    args, dst = _command(command, src, tmp_path)
    proc = subprocess.run(
        [*ZONING, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    record: dict[str, object] = {
        "command": command, "variant": variant, "code": proc.returncode,
        "traceback": "Traceback" in proc.stderr, "lost": 0,
    }  # fmt: skip
    RESULTS.append(record)
    assert "Traceback" not in proc.stderr, proc.stderr
    if proc.returncode == 2:
        assert name in proc.stderr, proc.stderr  # the message names the file
        if readable is True and command != "assign":
            pytest.fail(f"{name} should have been read: {proc.stderr}")
        return
    assert not dst.exists() or proc.returncode in (0, 6), proc.stderr
    ok = (0, 6) if command == "geocode" else (0,)
    assert proc.returncode in ok, proc.stderr
    assert readable is not False, f"{name} accepted: {proc.stdout}"
    multiplier = 8 if variant == "dimension" else 1
    wanted = [r[0] for r in base.rows] * multiplier
    if command == "posts":
        page = dst.read_text(encoding="utf-8")
        missing = [i for i in wanted if i not in page]
        record["lost"] = len(missing)
        assert not missing
        return
    got = _ids_out(command, dst, base.ident)
    record["lost"] = max(0, len(wanted) - len(got))
    assert got == wanted


def test_zz_hostile_counts() -> None:
    """The figures the README quotes: inputs tried, tracebacks, rows lost."""
    tried = len(RESULTS)
    tracebacks = sum(1 for r in RESULTS if r["traceback"])
    lost = sum(int(str(r["lost"])) for r in RESULTS)
    refused = sum(1 for r in RESULTS if r["code"] == 2)
    print(
        f"\nhostile inputs: {tried} runs ({len(VARIANTS)} files x {len(BASES)} commands), "
        f"{tracebacks} tracebacks, {lost} rows lost, {refused} refused with exit 2"
    )
    if tried:
        assert tracebacks == 0 and lost == 0
