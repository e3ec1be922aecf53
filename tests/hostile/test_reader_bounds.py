"""One reader for every command, and bounded work: each command as a real process.

Issue 24: ``assign`` wrote 3 rows for 22 on an unclosed quote (exit 0), gave
tracebacks on a CR inside a quoted cell and on extra fields; ``map posts`` read any
JSON as GeoJSON; a 2 MB xlsx expanding to 2 GB took 2.2 GB of memory; ``--encoding
rot13`` ended in a LookupError. Every file here is synthetic, made at test time (the
decompression bomb too: never committed).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from zipbomb import make_bomb

REPO = Path(__file__).resolve().parents[2]
csv.field_size_limit(1 << 30)  # this test reads back cells of 1.5 MB
ZONING = [sys.executable, "-m", "zoning"]
#: Runs a command and prints its peak resident memory (KiB) on the last stderr line.
MEASURED = [
    sys.executable,
    "-c",
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "print('peak_kib', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)",
]


@pytest.fixture(scope="module")
def env(
    store_path: Path, sources_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    return {
        **os.environ,
        "ZONING_STORE": str(store_path),
        "ZONING_SOURCES": str(sources_dir),
        "ZONING_CACHE": str(tmp_path_factory.mktemp("cache")),
        "ZONING_ADDOK_URL": "http://127.0.0.1:9",  # nothing listens: never the network
        "PYTHONPATH": str(REPO),
    }


def _run(
    env: dict[str, str], *args: str, measured: bool = False
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [*(MEASURED if measured else []), *ZONING, *args],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def _points(n: int) -> list[list[str]]:
    return [[f"A{i}", f"point {i}", f"{1.80 + i / 1000:.5f}", "46.16497"] for i in range(1, n + 1)]


def _csv_text(rows: list[list[str]], sep: str = ";") -> str:
    lines = [sep.join(["id", "nom", "lon", "lat"]), *(sep.join(r) for r in rows)]
    return "\n".join(lines) + "\n"


def _ids(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [r["id"] for r in csv.DictReader(handle, delimiter=";")]


@pytest.mark.parametrize("column", ["nom", "lat"])
def test_assign_unclosed_quote_refused_with_its_line(
    env: dict[str, str], tmp_path: Path, column: str
) -> None:
    # In the last column, the rest of the file fits that one cell: pyarrow's CSV reader
    # (newlines_in_values) then reads 2 rows for 4 without a word; csv's strict mode not.
    rows = _points(22)
    text = _csv_text(rows).splitlines(keepends=True)
    if column == "nom":
        text[3] = text[3].replace(";point 3;", ';"point 3;')  # the quote opens on line 4
    else:
        text[3] = text[3].replace(";46.16497", ';"46.16497')
    src = tmp_path / "guillemet.csv"
    src.write_text("".join(text), encoding="utf-8")
    dst = tmp_path / "out.csv"
    proc = _run(env, "assign", str(src), "-o", str(dst), "--no-progress")
    assert proc.returncode == 2, proc.stderr
    assert "guillemet.csv : ligne 4 : guillemet ouvert" in proc.stderr
    assert not dst.exists()


def test_assign_reads_line_breaks_inside_quoted_cells(env: dict[str, str], tmp_path: Path) -> None:
    rows = _points(6)
    rows[1][1] = "deux\rlignes"
    rows[2][1] = "trois\r\nlignes\nici"
    rows[3][1] = 'guillemets ""doublés""'
    body = "".join(
        ";".join([r[0], f'"{r[1]}"' if i in (1, 2, 3) else r[1], r[2], r[3]]) + "\r\n"
        for i, r in enumerate(rows)
    )
    src = tmp_path / "multiligne.csv"
    src.write_bytes(("id;nom;lon;lat\r\n" + body).encode("utf-8-sig"))
    dst = tmp_path / "out.csv"
    proc = _run(env, "assign", str(src), "-o", str(dst), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert _ids(dst) == [r[0] for r in rows]
    with dst.open(encoding="utf-8-sig", newline="") as handle:
        names = [r["nom"] for r in csv.DictReader(handle, delimiter=";")]
    assert names[1:4] == ["deux\rlignes", "trois\r\nlignes\nici", 'guillemets "doublés"']


def test_assign_extra_fields_refused_as_batch_does(env: dict[str, str], tmp_path: Path) -> None:
    rows = _points(5)
    rows[2].append("valeur en trop")
    src = tmp_path / "champs.csv"
    src.write_text(_csv_text(rows), encoding="utf-8")
    proc = _run(env, "assign", str(src), "-o", str(tmp_path / "o.csv"), "--no-progress")
    assert proc.returncode == 2, proc.stderr
    assert "champs.csv : ligne 4 : 5 champ(s) au lieu de 4" in proc.stderr


def test_assign_big_cell_and_unknown_encoding(env: dict[str, str], tmp_path: Path) -> None:
    rows = _points(3)
    rows[1][1] = "x" * 1_500_000
    src = tmp_path / "grande.csv"
    src.write_text(_csv_text(rows), encoding="utf-8")
    dst = tmp_path / "out.csv"
    proc = _run(env, "assign", str(src), "-o", str(dst), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert _ids(dst) == ["A1", "A2", "A3"]
    proc = _run(env, "assign", str(src), "-o", str(dst), "--encoding", "rot13", "--no-progress")
    assert proc.returncode == 2 and "encodage « rot13 »" in proc.stderr, proc.stderr


POSTS_PROPS = {"id": "P1", "statut": "éligible", "site_nom": "Cabinet", "site_principal_nom": "CH"}


def _line(coords: object, kind: str = "LineString") -> dict[str, object]:
    return {"type": "Feature", "properties": POSTS_PROPS,
            "geometry": {"type": kind, "coordinates": coords}}  # fmt: skip


GOOD = _line([[1.87113, 46.16497], [2.1683, 45.9563]])
GEOJSON = {
    "profond": "[" * 100_000 + "]" * 100_000,
    "pas_collection": json.dumps({"type": "Topology", "objects": {}}),
    "objet_nombre": json.dumps({"type": "FeatureCollection", "features": [GOOD, 3]}),
    "type_inconnu": json.dumps({"type": "FeatureCollection",
                                "features": [GOOD, _line([[1, 2]], "Cercle")]}),
    "coordonnees_texte": json.dumps({"type": "FeatureCollection",
                                     "features": [GOOD, _line([["1.8", "46"], [2, 45]])]}),
    "coordonnees_nan": json.dumps({"type": "FeatureCollection",
                                   "features": [GOOD, _line([[float("nan"), 46], [2, 45]])]}),
    "geometrie_profonde": json.dumps({"type": "FeatureCollection",
                                      "features": [GOOD, _line([[[[[1, 2]]]]])]}),
}  # fmt: skip
WHERE = {"objet_nombre": "objet n° 2", "type_inconnu": "objet n° 2",
         "coordonnees_texte": "objet n° 2", "coordonnees_nan": "objet n° 2",
         "geometrie_profonde": "objet n° 2"}  # fmt: skip


@pytest.mark.parametrize("variant", list(GEOJSON))
def test_map_posts_geojson_read_defensively(
    env: dict[str, str], tmp_path: Path, variant: str
) -> None:
    src = tmp_path / f"{variant}.geojson"
    src.write_text(GEOJSON[variant], encoding="utf-8")
    proc = _run(env, "map", "posts", str(src), "-o", str(tmp_path / "postes.html"))
    assert proc.returncode == 2, proc.stderr
    assert src.name in proc.stderr
    assert WHERE.get(variant, "") in proc.stderr


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_bomb(tmp_path_factory.mktemp("bombe") / "bombe.xlsx", 2 << 30)


@pytest.mark.parametrize("command", ["batch", "geocode", "posts"])
def test_decompression_bomb_refused_in_bounded_memory(
    env: dict[str, str], tmp_path: Path, bomb: Path, command: str
) -> None:
    assert bomb.stat().st_size < 3 << 20  # 2 GB of sheet in about 2 MB
    out = tmp_path / "sortie.csv"
    args = {
        "batch": ["batch", str(bomb), "-p", "na-mg-2023", "-o", str(out), "--no-progress"],
        "geocode": ["geocode", str(bomb), "-o", str(out)],
        "posts": ["map", "posts", str(bomb), "-o", str(tmp_path / "postes.html")],
    }[command]
    started = time.perf_counter()
    proc = _run(env, *args, measured=True)
    seconds = time.perf_counter() - started
    peak_mb = int(proc.stderr.rsplit("peak_kib", 1)[1].split()[0]) / 1024
    assert proc.returncode == 2, proc.stderr
    assert "bombe.xlsx : classeur refusé" in proc.stderr
    assert peak_mb < 300, f"{peak_mb:.0f} MB"
    print(f"{command}: bomb refused in {seconds:.1f} s, peak {peak_mb:.0f} MB")
