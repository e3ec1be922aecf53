"""Hostile options and faults of issue 24 (« 25 tracebacks », « Messages »), each as a
real process: a French message and the right exit code, never a traceback.

- ``compare`` of a decree with itself to ``.html``: a map saying nothing changed;
- ``compare -o .txt``: refused, the formats listed with ``.html``;
- ``--addok-url file:///…`` or a word that is no URL: refused before any work, exit 2;
- ``geocode -o x.json``: refused (it wrote CSV into the .json);
- ``import-decree --cap ZIP=-5 --cap ZAC=nan``: refused, a cap is a percentage;
- a full disk while writing ``.xlsx`` (a real one: a 200 kB tmpfs, when root can mount
  it): « disque plein », no Rust debug text, no file left in the folder;
- a point at 1e308 in ``assign``: the row kept, with why (it was an OverflowError);
- Ctrl+C just as ``map coverage`` ends: « Interrompu. » and 130 (or 0 when it had
  already exited), never death by the signal.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ZONING = [sys.executable, "-m", "zoning"]
REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "data" / "examples" / "candidats_exemple.csv"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*ZONING, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done


@pytest.fixture
def store_env(store_path: Path) -> dict[str, str]:
    return {"ZONING_STORE": str(store_path), "ZONING_ADDOK_URL": "off"}


@pytest.mark.slow
def test_compare_a_decree_with_itself_to_html(store_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "memes.html"
    done = run("compare", "ars-na-2022-04-25", "ars-na-2022-04-25", "-o", str(out), env=store_env)
    assert done.returncode == 0, done.stderr
    assert "classe change : 0" in done.stdout
    assert "Changements de classe (aucun)" in out.read_text(encoding="utf-8")


def test_compare_to_an_unknown_format_lists_html(store_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "changements.txt"
    done = run("compare", "ars-na-2022-04-25", "ars-na-2022-04-25", "-o", str(out), env=store_env)
    assert done.returncode == 2
    assert "format de sortie non pris en charge" in done.stderr and ".html" in done.stderr
    assert not out.exists()


@pytest.mark.parametrize("url", ["file:///etc/passwd", "pas-une-url", "ftp://exemple.invalid"])
def test_geocoder_url_that_is_no_http_url(
    url: str, store_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "geo.csv"
    done = run("geocode", str(EXAMPLE), "-o", str(out), "--addok-url", url, env=store_env)
    assert done.returncode == 2, done.stderr
    assert "adresse du géocodeur invalide" in done.stderr and not out.exists()
    checked = run(
        "check", "--address", "3 place Bonnyaud 23000 Guéret",
        env={**store_env, "ZONING_ADDOK_URL": url},
    )  # fmt: skip
    assert checked.returncode == 2 and "adresse du géocodeur invalide" in checked.stderr


def test_geocode_to_json_is_refused(store_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    done = run("geocode", str(EXAMPLE), "-o", str(out), env=store_env)
    assert done.returncode == 2
    assert "x.json : format de sortie non pris en charge (.csv, .xlsx)" in done.stderr
    assert not out.exists()


@pytest.mark.parametrize("cap", ["ZIP=-5", "ZAC=nan", "ZIP=inf", "ZIP=101", "=10", "ZIP=dix"])
def test_decree_caps_are_percentages(cap: str, store_env: dict[str, str], tmp_path: Path) -> None:
    annex = tmp_path / "annexe.csv"
    annex.write_text("code_insee;classe\n23096;ZIP\n", encoding="utf-8")
    done = run(
        "data", "import-decree", str(annex), "--region", "75", "--id", "essai",
        "--in-force", "2026-02-03", "--cap", "ZAC=45,8", "--cap", cap, "--dry-run",
        env=store_env,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout
    assert f"--cap « {cap} »" in done.stderr


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A real full disk: a 200 kB tmpfs (root only; skipped otherwise)."""
    folder = tmp_path / "plein"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"no tmpfs to fill (mount: {mounted.stderr.decode()[:200]})")
    try:
        yield folder
    finally:
        # Lazily: a failed writer's handle may still be held by the test's exception.
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _long_list(path: Path, rows: int = 3000) -> Path:
    """The example's first row repeated with random comments: an xlsx over 200 kB."""
    lines = EXAMPLE.read_text(encoding="utf-8-sig").splitlines()
    out = [lines[0]]
    for number in range(rows):
        cells = lines[1].split(";")
        cells[0] = f"R{number}"
        cells[-1] = secrets.token_hex(40)  # incompressible
        out.append(";".join(cells))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_full_disk_says_so(
    suffix: str, full_disk: Path, store_env: dict[str, str], tmp_path: Path
) -> None:
    source = _long_list(tmp_path / "liste.csv")
    out = full_disk / f"resultats{suffix}"
    done = run("batch", str(source), "--programme", "na-mg-2023", "-o", str(out), env=store_env)
    assert done.returncode == 2
    assert f"disque plein en écrivant {out}" in done.stderr
    for rust in ("ZipWriter", "Os {", "StorageFull", "Exception ignored"):
        assert rust not in done.stderr
    assert list(full_disk.iterdir()) == []  # nothing left, not even temporary parts


def test_xlsx_writer_on_a_full_disk_both_engines(full_disk: Path) -> None:
    """Both xlsx writers (rust for plain rows, xlsxwriter for repeated headers)."""
    from zoning.errors import OutputError
    from zoning.io.xlsx import write_excel

    for headers in (["a", "b"], ["a", "a"]):
        rows = [[secrets.token_hex(1000), n] for n in range(300)]
        with pytest.raises(OutputError, match="disque plein"):
            write_excel(full_disk / "t.xlsx", {"feuille": (headers, rows)})
        assert list(full_disk.iterdir()) == []


def test_assign_point_at_1e308_keeps_the_row(store_env: dict[str, str], tmp_path: Path) -> None:
    for rows in (3, 300):  # a few points, and a chunk (two code paths of the index)
        points = tmp_path / "points.csv"
        points.write_text(
            "id,lon,lat\n" + "".join(f"P{n},1e308,-1e308\n" for n in range(rows)), encoding="utf-8"
        )
        out = tmp_path / "zones.csv"
        done = run("assign", str(points), "-o", str(out), env=store_env)
        assert done.returncode == 0, done.stderr
        lines = out.read_text(encoding="utf-8").splitlines()
        assert len(lines) == rows + 1
        assert all("coordonnées hors bornes" in line for line in lines[1:])


@pytest.mark.slow
def test_ctrl_c_as_map_coverage_ends(store_env: dict[str, str], tmp_path: Path) -> None:
    """Ctrl+C once the last line is printed (the interpreter winding down, where it used
    to die by the signal, exit -2) or a little later: 130 and « Interrompu. », or 0 when
    the process had already ended."""
    out = tmp_path / "couverture.html"
    for delay in (0.0, 0.05, 0.2):
        process = subprocess.Popen(
            [*ZONING, "map", "coverage", "-o", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **store_env},
        )
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("Figure écrite") and line.rstrip().endswith(".csv"):
                break  # the last line: the command is done
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _stdout, stderr = process.communicate(timeout=120)
        assert process.returncode in (0, 130), (delay, process.returncode, stderr[-2000:])
        if process.returncode == 130:
            assert "Interrompu." in stderr
        assert "Traceback" not in stderr
        assert out.is_file()  # written whole before the interruption
