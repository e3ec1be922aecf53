"""Outputs under faults, with real processes: Ctrl+C while writing, a read-only folder,
a full disk, a missing folder, ``-o`` equal to the input; and round trips of what the
commands write (numbers stay numbers, formulas are inert, no row lost or split).

Each command runs as a user runs it (``python -m zoning``), on the real store. The
interrupt is a real SIGINT: the test watches the output folder for the command's
temporary file, freezes the process (SIGSTOP) once it exists — the process is then
certainly between creating it and renaming it over the final name — then sends
SIGINT and lets it go on (SIGCONT). The read-only folder is a real ``chmod 555``
folder; when the tests run as root (who ignores permissions), the command runs
without the capabilities that let root write anyway (``setpriv``). The full disk is
a real 1 MB tmpfs mounted in a private mount namespace (``unshare``).

Inputs: the points are synthetic (random coordinates, labelled so), the candidates
are the repository's fictitious example repeated, the geocoding input lists the real
INSEE codes of the store's communes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "data" / "examples" / "candidats_exemple.csv"
HOSTILE_NAME = '=HYPERLINK("http://evil.example";"clic")'
ROOT = os.geteuid() == 0
#: As root, drop what lets root write in a folder it has no write permission on.
UNPRIVILEGED = (
    ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"] if ROOT else []
)


# -- helpers ---------------------------------------------------------------------------
@pytest.fixture
def env(store_path: Path, sources_dir: Path, tmp_path: Path) -> dict[str, str]:
    """The environment of a user with the real store; the geocoder is never needed."""
    return {
        **os.environ,
        "ZONING_STORE": str(store_path),
        "ZONING_SOURCES": str(sources_dir),
        "ZONING_CACHE": str(tmp_path / "cache"),
        # FINESS and INSEE codes need no addok: a closed loopback port proves it
        "ZONING_ADDOK_URL": "http://127.0.0.1:9/",
        "PYTHONUNBUFFERED": "1",
    }


def zoning(
    env: dict[str, str], *args: str | Path, prefix: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "zoning", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=600,
    )


def _temps(folder: Path, name: str) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(f".{name}.") and p.suffix == ".part"]


def interrupt_while_writing(
    env: dict[str, str], args: Sequence[str | Path], folder: Path, name: str
) -> tuple[subprocess.Popen[str], str, str, bool]:
    """Run ``zoning args``, SIGINT it while ``folder/name`` is being written.

    Returns the process, its stdout and stderr, and whether the interrupt was sent
    while the temporary file existed and the final one did not.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "zoning", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    mid_write = False
    deadline = time.monotonic() + 540
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if _temps(folder, name):
                os.kill(proc.pid, signal.SIGSTOP)
                # still there while frozen: the rename has not happened yet
                mid_write = bool(_temps(folder, name))
                os.kill(proc.pid, signal.SIGINT)
                os.kill(proc.pid, signal.SIGCONT)
                break
            time.sleep(0.001)
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc, out, err, mid_write


def assert_interrupted_cleanly(
    proc: subprocess.Popen[str], err: str, mid_write: bool, folder: Path, name: str
) -> None:
    assert mid_write, f"the interrupt did not land while {name} was written: {err}"
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "interrompu pendant l'écriture" in err and name in err
    assert _temps(folder, name) == []


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- inputs ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory, store_path: Path) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile-inputs")
    # SYNTHETIC points: random coordinates over Nouvelle-Aquitaine/Occitanie, as text
    # (like a CSV from Excel), a few with hostile names and a bare CR inside a cell.
    n = 300_000
    rng = np.random.default_rng(10)
    names = np.array([f"site {i}" for i in range(n)], dtype=object)
    names[::1000] = HOSTILE_NAME
    names[5::1000] = "ligne 1\rligne 2"
    points = pd.DataFrame(
        {
            "nom": names,
            "lon": [f"{v:.5f}" for v in rng.uniform(-1.8, 2.6, n)],
            "lat": [f"{v:.5f}" for v in rng.uniform(42.8, 47.2, n)],
        }
    )
    points.loc[0, ["lon", "lat"]] = ["-0.18526", "44.84"]
    # CRLF line ends, so that the csv module quotes the cell holding a bare CR
    points.to_csv(folder / "points.csv", index=False, lineterminator="\r\n")
    # The repository's fictitious candidates, repeated 200 times (4 400 rows).
    example = pd.read_csv(EXAMPLE, sep=";", dtype=str, keep_default_na=False)
    big = pd.concat([example] * 200, ignore_index=True)
    big["Identifiant"] = [f"{v}-{i}" for i, v in enumerate(big["Identifiant"])]
    big.to_csv(folder / "candidats.csv", sep=";", index=False)
    # Real INSEE codes of the store's communes, 20 000 rows.
    codes = pd.read_parquet(store_path / "communes.parquet", columns=["code"])["code"].tolist()
    m = 20_000
    pd.DataFrame(
        {
            "Nom": [f"structure {i}" for i in range(m)],
            "Code INSEE": [codes[i % len(codes)] for i in range(m)],
        }
    ).to_csv(folder / "structures.csv", sep=";", index=False)
    shutil.copy(EXAMPLE, folder / "exemple.csv")
    return {
        "points": folder / "points.csv",
        "candidats": folder / "candidats.csv",
        "structures": folder / "structures.csv",
        "exemple": folder / "exemple.csv",
    }


@pytest.fixture(scope="module")
def posts_results(inputs: dict[str, Path], store_path: Path, sources_dir: Path) -> Path:
    """A batch result (of the fictitious example) for ``zoning map posts``."""
    out = inputs["exemple"].with_name("resultats.csv")
    env = {**os.environ, "ZONING_STORE": str(store_path), "ZONING_SOURCES": str(sources_dir)}
    done = zoning(env, "batch", inputs["exemple"], "-p", "na-mg-2023", "-o", out, "--no-progress")
    assert done.returncode == 0, done.stderr
    return out


def commands(inputs: dict[str, Path], results: Path, out: Path) -> dict[str, list[str | Path]]:
    """Each command writing ``out`` (its suffix chosen per command)."""
    return {
        "assign": ["assign", inputs["points"], "-o", out.with_suffix(".csv"), "--no-progress"],
        "batch": ["batch", inputs["exemple"], "-p", "na-mg-2023", "-o", out.with_suffix(".xlsx"),
                  "--no-progress"],
        "geocode": ["geocode", inputs["exemple"], "-o", out.with_suffix(".csv"), "--no-cache",
                    "--finess-col", "FINESS établissement"],
        "map coverage": ["map", "coverage", "-o", out.with_suffix(".html")],
        "map posts": ["map", "posts", results, "-o", out.with_suffix(".html")],
        "export": ["export", out.with_suffix(".gpkg"), "--postes", results],
    }  # fmt: skip


# -- Ctrl+C while writing -------------------------------------------------------------------
@pytest.mark.slow
def test_sigint_during_assign_keeps_the_previous_file(
    env: dict[str, str], inputs: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "points-zones.csv"
    out.write_text("version précédente\n", encoding="utf-8")
    args = ["assign", inputs["points"], "-o", out, "--chunk-size", "20000", "--no-progress"]
    proc, _, err, mid = interrupt_while_writing(env, args, tmp_path, out.name)
    assert_interrupted_cleanly(proc, err, mid, tmp_path, out.name)
    assert out.read_text(encoding="utf-8") == "version précédente\n"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "source", "name"),
    [
        (["batch", "-p", "na-mg-2023", "--no-progress"], "candidats", "resultats.csv"),
        (["batch", "-p", "na-mg-2023", "--no-progress"], "candidats", "resultats.xlsx"),
        (["geocode", "--no-cache"], "structures", "structures-geo.xlsx"),
    ],
)
def test_sigint_during_table_output(
    env: dict[str, str],
    inputs: dict[str, Path],
    tmp_path: Path,
    command: list[str],
    source: str,
    name: str,
) -> None:
    out = tmp_path / name
    args = [command[0], inputs[source], *command[1:], "-o", out]
    proc, _, err, mid = interrupt_while_writing(env, args, tmp_path, name)
    assert_interrupted_cleanly(proc, err, mid, tmp_path, name)
    assert not out.exists()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["coverage", "posts"])
def test_sigint_during_map_figures(
    env: dict[str, str], posts_results: Path, tmp_path: Path, kind: str
) -> None:
    """The chart beside a map: its rendering happens inside the write."""
    out = tmp_path / "carte.html"
    args = ["map", "coverage"] if kind == "coverage" else ["map", "posts", posts_results]
    target = "carte-departements.png"
    proc, _, err, mid = interrupt_while_writing(env, [*args, "-o", out], tmp_path, target)
    assert_interrupted_cleanly(proc, err, mid, tmp_path, target)
    assert not (tmp_path / target).exists()
    assert not (tmp_path / "carte-departements.html").exists()  # written after the chart
    assert not list(tmp_path.glob(".*.part"))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["couches.gpkg", "couches.shp"])
def test_sigint_during_export(
    env: dict[str, str], posts_results: Path, tmp_path: Path, name: str
) -> None:
    """GDAL writes the layers inside the temporary file (or folder): nothing is left."""
    out = tmp_path / name
    args = ["export", out, "--postes", posts_results]
    proc, _, err, mid = interrupt_while_writing(env, args, tmp_path, name)
    assert_interrupted_cleanly(proc, err, mid, tmp_path, name)
    assert [p.name for p in tmp_path.iterdir() if p.name != "cache"] == []


# -- folders that cannot take the output ---------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["assign", "batch", "geocode", "map coverage", "map posts", "export"]
)
def test_read_only_folder(
    env: dict[str, str], inputs: dict[str, Path], posts_results: Path, tmp_path: Path, name: str
) -> None:
    if ROOT and shutil.which("setpriv") is None:
        pytest.fail("setpriv (util-linux) is needed to run a command without root's overrides")
    folder = tmp_path / "lecture-seule"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        done = zoning(
            env, *commands(inputs, posts_results, folder / "sortie")[name], prefix=UNPRIVILEGED
        )
    finally:
        folder.chmod(0o755)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "lecture seule" in done.stderr and "sortie" in done.stderr
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    "name", ["assign", "batch", "geocode", "map coverage", "map posts", "export"]
)
def test_missing_folder(
    env: dict[str, str], inputs: dict[str, Path], posts_results: Path, tmp_path: Path, name: str
) -> None:
    done = zoning(env, *commands(inputs, posts_results, tmp_path / "absent" / "sortie")[name])
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "dossier de sortie introuvable" in done.stderr and "absent" in done.stderr
    assert not (tmp_path / "absent").exists()


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_full_disk(
    env: dict[str, str], inputs: dict[str, Path], tmp_path: Path, suffix: str
) -> None:
    """A real 1 MB tmpfs in a private mount namespace; the output needs more. Parquet
    fails when the block ends (its last row group is written then)."""
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is needed to mount a small tmpfs")
    folder = tmp_path / "petit-disque"
    folder.mkdir()
    script = (
        'mount -t tmpfs -o size=1m tmpfs "$1" || exit 99; shift; '
        '"$@"; rc=$?; echo "contenu:$(ls -A "$0")"; exit $rc'
    )
    namespace = ["unshare", "--mount"] if ROOT else ["unshare", "--mount", "--map-root-user"]
    cmd = [*namespace, "sh", "-c", script, str(folder), str(folder), sys.executable, "-m",
           "zoning", "assign", str(inputs["points"]), "-o", str(folder / f"sortie{suffix}"),
           "--no-progress"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, timeout=600)
    if done.returncode == 99:
        pytest.fail(f"cannot mount a tmpfs here: {done.stderr}")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "disque plein en écrivant" in done.stderr and f"sortie{suffix}" in done.stderr
    assert done.stdout.strip().endswith("contenu:")  # nothing left on the full disk


def test_disk_message_from_a_read_only_folder_at_write_time(tmp_path: Path) -> None:
    """The write itself (not the check before it) fails in a read-only folder."""
    if ROOT and shutil.which("setpriv") is None:
        pytest.fail("setpriv (util-linux) is needed")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    code = (
        "import sys\nfrom zoning.errors import OutputError\nfrom zoning.io.write import write_csv\n"
        "try:\n    write_csv(sys.argv[1], ['a'], [[1]])\n"
        "except OutputError as exc:\n    print(exc.exit_code, exc)\n"
    )
    try:
        done = subprocess.run(
            [*UNPRIVILEGED, sys.executable, "-c", code, str(folder / "x.csv")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
    finally:
        folder.chmod(0o755)
    assert done.stdout.startswith("2 impossible d'écrire"), done.stdout + done.stderr
    assert "lecture seule" in done.stdout and list(folder.iterdir()) == []


# -- -o equal to the input -------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["assign", "batch", "geocode", "map posts"])
def test_output_equal_to_input_is_refused(
    env: dict[str, str], inputs: dict[str, Path], posts_results: Path, name: str
) -> None:
    source = {"assign": inputs["points"], "batch": inputs["exemple"],
              "geocode": inputs["exemple"], "map posts": posts_results}[name]  # fmt: skip
    before = sha(source)
    args = commands(inputs, posts_results, source)[name]
    args[args.index("-o") + 1] = source
    done = zoning(env, *args)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "aussi un fichier d'entrée" in done.stderr
    assert sha(source) == before


# -- round trips ----------------------------------------------------------------------------------
@pytest.mark.slow
def test_assign_csv_round_trip(
    env: dict[str, str], inputs: dict[str, Path], tmp_path: Path
) -> None:
    """Issue 10 #4: no apostrophe before a longitude, no row split by a bare CR."""
    out = tmp_path / "points-zones.csv"
    done = zoning(env, "assign", inputs["points"], "-o", out, "--no-progress")
    assert done.returncode == 0, done.stderr
    source = pd.read_csv(inputs["points"], dtype=str, keep_default_na=False)
    back = pd.read_csv(out)
    assert len(back) == len(source)
    assert back["lon"].dtype.kind == "f" and back["lat"].dtype.kind == "f"
    assert back.loc[0, "lon"] == -0.18526
    assert not out.read_bytes().count(b"'-")
    assert back.loc[0, "nom"] == "'" + HOSTILE_NAME
    assert back.loc[5, "nom"] == "ligne 1\rligne 2"
    assert list(back["nom"].str.lstrip("'")) == list(source["nom"])


@pytest.mark.slow
def test_batch_outputs_guard_formulas_and_keep_control_characters(
    env: dict[str, str], tmp_path: Path
) -> None:
    example = pd.read_csv(EXAMPLE, sep=";", dtype=str, keep_default_na=False)
    name_col = "Nom (fictif)"
    example.loc[0, name_col] = HOSTILE_NAME
    example.loc[1, name_col] = "nul\x00 cloche\x07 échap\x1b"
    source = tmp_path / "candidats.csv"
    example.to_csv(source, sep=";", index=False, lineterminator="\r\n")
    for suffix in (".xlsx", ".csv"):
        out = tmp_path / f"resultats{suffix}"
        done = zoning(env, "batch", source, "-p", "na-mg-2023", "-o", out, "--no-progress")
        assert done.returncode == 0, done.stderr
        if suffix == ".xlsx":
            ws = load_workbook(out)["Résultats"]
            column = [c.value for c in ws[1]].index(name_col) + 1
            names = [ws.cell(r, column).value for r in range(2, ws.max_row + 1)]
            assert ws.cell(2, column).data_type == "s"
        else:
            back = pd.read_csv(out, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
            names = list(back[name_col])
        assert len(names) == len(example)  # every row kept
        assert names[0] == "'" + HOSTILE_NAME
        expected = "nul␀ cloche␇ échap␛" if suffix == ".xlsx" else "nul\x00 cloche\x07 échap\x1b"
        assert names[1] == expected
