"""« À vérifier », the same way everywhere: five surfaces, the same uncertain cases.

The cases are those where the tool cannot give a plain yes or no:

- ``absent``: a commune missing from the loaded decree's table — the table is an annex
  imported at test time with unreadable rows (``--accepter-erreurs``), in a copy of the
  store (the shared store is never written);
- ``reunion``: a point in La Réunion, whose class in the national file is ND;
- ``gap``: a date after the end of the 2022 Nouvelle-Aquitaine decree and before its
  successor came into force (classes of an expired decree);
- ``not_loaded``: a date whose decree is known but whose annex is not in the store;
- ``bad_point``: « 1e308, 1e308 », no coordinates at all: refused, in the same words.

Each case goes through ``zoning check``, ``zoning assign``, ``zoning batch``, the API
(``/api/check`` and ``/api/batch``) and the « Vérifier un lieu » page of a real server on
loopback; each must say « à vérifier » with the reason (or refuse with the same reason),
and ``batch`` and ``/api/batch`` must give the same words.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from hostile.webserver import EXAMPLE, WebServer, running_server

pytestmark = pytest.mark.slow

ZONING = [sys.executable, "-m", "zoning"]
DECREE = "essai-84-annexe-incomplete"
PROGRAMME = "aumg-2025"  # no region enforced: each site judged under its own region's decree


@dataclass(frozen=True)
class Case:
    """One uncertain place and date, as each surface is asked it."""

    name: str
    commune: str | None  # INSEE code (None: a point)
    point: tuple[str, str] | None  # lon, lat as typed (None: the commune's inner point)
    date: str  # AAAA-MM-JJ
    reason: str  # words the reason must hold
    refused: bool = False

    @property
    def query(self) -> str:
        """The search string of the page and the API."""
        return self.commune or f"{self.point[0]}, {self.point[1]}"  # type: ignore[index]

    @property
    def french_date(self) -> str:
        y, m, d = self.date.split("-")
        return f"{d}/{m}/{y}"


CASES = [
    Case("absent", "01001", None, "2025-11-01", "absente"),
    Case("reunion", None, ("55.45", "-20.9"), "2025-11-01", "ND"),
    Case("gap", "23096", None, "2025-06-01", "échu"),
    Case("not_loaded", "23096", None, "2026-06-01", "pas chargé"),
    Case("bad_point", None, ("1e308", "1e308"), "2025-11-01", "hors bornes", refused=True),
]
IDS = [c.name for c in CASES]


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ZONING, *args], capture_output=True, text=True, env={**os.environ, **env}, timeout=600
    )


def _damaged_annex(store: Path, env: dict[str, str], folder: Path) -> Path:
    """The Auvergne-Rhône-Alpes classes written as an annex, two rows made unreadable."""
    exported = folder / "annexe-84.csv"
    done = run("data", "export-decree", "zonmed-84", "-o", str(exported), env=env)
    assert done.returncode == 0, done.stderr
    lines = exported.read_text(encoding="utf-8-sig").splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        code = line.split(";")[0]
        if code == "01001":
            line = "0100X;commune illisible;01;ZIP;0"  # a code that is none
        elif code == "01002":
            line = line.replace(";ZAC;", ";classe ???;").replace(";ZIP;", ";classe ???;")
        out.append(line)
    annex = folder / "annexe-84-abimee.csv"
    annex.write_text("\n".join(out) + "\n", encoding="utf-8")
    return annex


@pytest.fixture(scope="module")
def uncertain_store(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the store with an annex imported despite unreadable rows."""
    folder = tmp_path_factory.mktemp("uncertain")
    store = folder / "store"
    shutil.copytree(store_path, store)
    env = {"ZONING_STORE": str(store)}
    annex = _damaged_annex(store, env, folder)
    args = ["data", "import-decree", str(annex), "--region", "84", "--id", DECREE]
    args += ["--in-force", "2024-01-01"]
    refused = run(*args, env=env)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "--accepter-erreurs" in refused.stderr and "Traceback" not in refused.stderr
    assert DECREE not in (store / "store.json").read_text(encoding="utf-8")
    accepted = run(*args, "--accepter-erreurs", env=env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    return store


def test_import_with_unreadable_rows_is_recorded(uncertain_store: Path) -> None:
    meta = json.loads((uncertain_store / "store.json").read_text(encoding="utf-8"))
    record = next(d for d in meta["decrees"] if d["id"] == DECREE)
    assert "erreur(s) à l'import" in record["classes_origin"]
    assert any("Annexe incomplète" in c for c in record["caveats"])
    report = json.loads(
        (uncertain_store / "decree_reports" / f"{DECREE}.json").read_text(encoding="utf-8")
    )
    errors = [line for line in report["lines"] if line["level"] == "erreur"]
    assert {line["line"] for line in errors} >= {2, 3}  # the two damaged rows, by line
    assert any("01001" in line["message"] for line in errors)


def _inner_point(store: Path, code: str) -> tuple[str, str]:
    """A point inside a commune, from its polygon (shapely, not the tool's lookups)."""
    import geopandas as gpd

    communes = gpd.read_parquet(store / "communes.parquet", columns=["code", "geometry"])
    point = communes.loc[communes["code"] == code].geometry.representative_point().iloc[0]
    return f"{point.x:.6f}", f"{point.y:.6f}"


def _doubt(text: str, case: Case) -> None:
    """« à vérifier » and the case's reason (or, for a refusal, the reason alone)."""
    if not case.refused:
        assert "à vérifier" in text, text
    assert case.reason in text, (case.reason, text)


# -- 1. zoning check ------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_check(case: Case, uncertain_store: Path) -> None:
    where = (
        ["--commune", case.commune]
        if case.commune
        else ["--lon", case.point[0], "--lat", case.point[1]]  # type: ignore[index]
    )
    done = run("check", *where, "--date", case.date, env={"ZONING_STORE": str(uncertain_store)})
    assert "Traceback" not in done.stderr
    if case.refused:
        assert done.returncode == 2
        _doubt(done.stderr, case)
    else:
        assert done.returncode in (0, 5, 7), done.stderr
        _doubt(done.stdout.splitlines()[0], case)


# -- 2. zoning assign -----------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_assign(case: Case, uncertain_store: Path, tmp_path: Path) -> None:
    lon, lat = case.point or _inner_point(uncertain_store, case.commune or "")
    points = tmp_path / "points.csv"
    points.write_text(f"id,lon,lat\n{case.name},{lon},{lat}\n", encoding="utf-8")
    out = tmp_path / "zones.csv"
    done = run(
        "assign", str(points), "-o", str(out), "--date", case.date,
        env={"ZONING_STORE": str(uncertain_store)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["id"] for r in rows] == [case.name]
    if not case.refused and case.commune:
        assert rows[0]["commune"] == case.commune
    _doubt(rows[0]["remarque"], case)


# -- 3. zoning batch (and /api/batch) ------------------------------------------------


def _batch_file(folder: Path) -> Path:
    """The example list's first row, once per case: its site moved to the case's place
    and its start to the case's date."""
    lines = EXAMPLE.read_text(encoding="utf-8-sig").splitlines()
    headers = lines[0].split(";")
    base = lines[1].split(";")
    rows = [lines[0]]
    for case in CASES:
        cells = list(base)
        cells[0] = case.name
        for column in ("Site code INSEE", "Site code postal", "Site commune"):
            cells[headers.index(column)] = ""
        cells[headers.index("Site longitude")] = case.point[0] if case.point else ""
        cells[headers.index("Site latitude")] = case.point[1] if case.point else ""
        if case.commune:
            cells[headers.index("Site code INSEE")] = case.commune
        cells[headers.index("Date de début")] = case.french_date
        rows.append(";".join(cells))
    path = folder / "liste-incertaine.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _zone_reason(row: dict[str, str]) -> str:
    return next(m for m in row["motifs"].split(" | ") if m.startswith("zone sous-dense"))


@pytest.fixture(scope="module")
def batch_rows(uncertain_store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("uncertain-batch")
    out = folder / "resultats.csv"
    done = run(
        "batch", str(_batch_file(folder)), "--programme", PROGRAMME, "-o", str(out),
        env={"ZONING_STORE": str(uncertain_store), "ZONING_ADDOK_URL": "off"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig"), delimiter=";"))
    assert [r["Identifiant"] for r in rows] == IDS  # every row, in order
    return {r["Identifiant"]: r for r in rows}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_batch(case: Case, batch_rows: dict[str, dict]) -> None:
    row = batch_rows[case.name]
    if case.refused:
        assert row["statut"] == "données invalides"
        assert "coordonnées" in _zone_reason(row)
    else:
        assert row["statut"] != "éligible"
        _doubt(_zone_reason(row), case)


# -- 4. the API, 5. the page -----------------------------------------------------------


@pytest.fixture(scope="module")
def server(uncertain_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    env = {"ZONING_STORE": str(uncertain_store), "ZONING_ADDOK_URL": "off"}
    folder = tmp_path_factory.mktemp("uncertain-web")
    with running_server(env, folder, ("--workers", "1")) as started:
        yield started


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_api_check(case: Case, server: WebServer) -> None:
    answer = requests.get(
        f"{server.url}/api/check", params={"q": case.query, "date": case.date}, timeout=60
    )
    if case.refused:
        assert answer.status_code == 400, answer.text
        _doubt(answer.json()["erreur"], case)
    else:
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["verdict"] == "à vérifier" and body["to_verify"] is True
        _doubt(f"à vérifier : {body['motif']}", case)


def test_api_batch_says_what_the_command_says(
    server: WebServer, batch_rows: dict[str, dict], tmp_path: Path
) -> None:
    answer = requests.post(
        f"{server.url}/api/batch",
        files={"file": ("liste.csv", _batch_file(tmp_path).read_bytes())},
        data={"programme": PROGRAMME},
        timeout=300,
    )
    assert answer.status_code == 200, answer.text[:500]
    rows = answer.json()["resultats"]
    assert [r["Identifiant"] for r in rows] == IDS
    for row in rows:
        command = batch_rows[row["Identifiant"]]
        assert row["statut"] == command["statut"]
        assert _zone_reason(row) == _zone_reason(command)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_page(case: Case, server: WebServer) -> None:
    import html

    page = requests.get(f"{server.url}/", params={"q": case.query, "date": case.date}, timeout=60)
    text = html.unescape(page.text)
    if case.refused:
        assert page.status_code == 400
        _doubt(text, case)
    else:
        assert page.status_code == 200
        assert '<span class="fr-badge fr-badge--no-icon fr-badge--warning" id="verdict">' in text
        motif = text.split('id="motif"', 1)[1].split("</p>", 1)[0]
        _doubt("à vérifier " + motif, case)
