"""The page, the API and the command line give one file the same verdicts, with and
without a road-distance service (issue 26: the web app used to run without it).

Real parts only: ``zoning serve`` and ``zoning batch`` in subprocesses over the real
store and FINESS file, and a routing service on loopback speaking OSRM's route API.
The list is made here (hospital of Guéret, sites at set distances: synthetic rows).
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import requests
from loopback import send_json, serve
from pyproj import Geod
from web.conftest import ZONING, WebServer, running_server

GEOD = Geod(ellps="WGS84")
GUERET_CH = (1.87113, 46.16497)  # FINESS 230000820 in the Eurostat extract
#: Straight-line distances (km) of the ambulatory sites from the hospital: under 20 km
#: the road distance decides (« à vérifier » without a service).
DISTANCES = (12.0, 17.0, 19.5, 26.0)
ROAD_FACTOR = 1.3
COLUMNS = ("statut", "motifs", "regle_20km_site1", "distance_route_km_site1", "prime_verdict")


class _Routing(BaseHTTPRequestHandler):
    """OSRM's route API on loopback: the road is 1.3 times the geodesic (tests only)."""

    def do_GET(self) -> None:
        found = re.search(r"/route/v1/\w+/([-\d.]+),([-\d.]+);([-\d.]+),([-\d.]+)", self.path)
        body: dict[str, object] = {"code": "InvalidUrl"}
        if found:
            lon1, lat1, lon2, lat2 = map(float, found.groups())
            metres = GEOD.inv(lon1, lat1, lon2, lat2)[2] * ROAD_FACTOR
            body = {"code": "Ok", "routes": [{"distance": round(metres, 1), "duration": 1.0}]}
        send_json(self, 200, body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def routing() -> Iterator[str]:
    with serve(_Routing) as url:
        yield url


#: A programme with a premium, so with the 20 km rule.
PROGRAMME = "ars-specialistes-60pc-2025"
HEADER = [
    "Identifiant", "FINESS établissement", "Demi-journées hôpital", "Site longitude",
    "Site latitude", "Date de début",
]  # fmt: skip


def _list(path: Path) -> Path:
    """Posts of the CH of Guéret with a site due east at each of :data:`DISTANCES`."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    for k, km in enumerate(DISTANCES, start=1):
        lon, lat, _ = GEOD.fwd(GUERET_CH[0], GUERET_CH[1], 90.0, km * 1000)
        writer.writerow([f"D{k:02d}", "230000820", "4", f"{lon:.6f}", f"{lat:.6f}", "01/11/2025"])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _rows(text: str) -> list[tuple[str, ...]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    return [tuple(row[c] for c in COLUMNS) for row in reader]


def _cli(source: Path, env: dict[str, str], tmp: Path) -> list[tuple[str, ...]]:
    out = tmp / "cli.csv"
    command = [str(ZONING), "batch", str(source), "-p", PROGRAMME, "-o", str(out)]
    subprocess.run(
        [*command, "--no-progress"],
        check=True,
        capture_output=True,
        env={**os.environ, "ZONING_CACHE": str(tmp / "cache"), **env},
    )
    return _rows(out.read_text(encoding="utf-8-sig"))


def _api(server: WebServer, source: Path) -> list[tuple[str, ...]]:
    answer = requests.post(
        server.url + "/api/batch",
        files={"file": (source.name, source.read_bytes())},
        data={"programme": PROGRAMME},
        headers={"Accept": "application/json"},
        timeout=300,
    )
    assert answer.status_code == 200, answer.text

    def text(value: object) -> str:
        return "" if value is None else str(value)  # as the CSV writes a cell

    return [tuple(text(r[c]) for c in COLUMNS) for r in answer.json()["resultats"]]


def _page(server: WebServer, source: Path) -> list[tuple[str, ...]]:
    sent = requests.post(
        server.url + "/liste",
        files={"fichier": (source.name, source.read_bytes())},
        data={"programme": PROGRAMME},
        timeout=60,
    )
    assert sent.status_code == 200 and "/liste/" in sent.url, sent.text[-500:]
    form = {"programme": PROGRAMME}
    for number in range(len(HEADER)):
        found = re.search(
            rf'id="col{number}" name="col{number}">.*?value="([^"]*)" selected', sent.text, re.S
        )
        form[f"col{number}"] = found.group(1) if found else ""
    assert requests.post(sent.url + "/lancer", data=form, timeout=60).status_code == 200
    for _ in range(1200):
        state = requests.get(sent.url + "/etat", timeout=60).json()
        if state["etat"] != "en cours":
            break
        time.sleep(0.05)
    assert state["etat"] == "terminé", state
    answer = requests.get(sent.url + "/resultats.csv", timeout=60)
    assert answer.status_code == 200
    return _rows(answer.content.decode("utf-8-sig"))


@pytest.mark.parametrize("with_routing", [False, True], ids=["sans-osrm", "osrm"])
def test_page_api_and_cli_agree(
    with_routing: bool,
    routing: str,
    store_path: Path,
    sources_dir: Path,
    tmp_path: Path,
) -> None:
    source = _list(tmp_path / "liste.csv")
    env = {
        "ZONING_STORE": str(store_path),
        "ZONING_SOURCES": str(sources_dir),
        "ZONING_ADDOK_URL": "off",
        "ZONING_OSRM_URL": routing if with_routing else "",
    }
    cli = _cli(source, env, tmp_path)
    (tmp_path / "web").mkdir()
    with running_server(env, tmp_path / "web") as server:
        page = _page(server, source)
        api = _api(server, source)
    assert page == cli
    assert api == cli
    road = [row[COLUMNS.index("distance_route_km_site1")] for row in cli]
    rule = [row[COLUMNS.index("regle_20km_site1")] for row in cli]
    if with_routing:
        # Asked under 20 km only; 17 km and 19.5 km as the crow flies are over 20 by road.
        assert [bool(r) for r in road] == [True, True, True, False]
        assert not any("vérifier" in r for r in rule[1:]), rule
    else:
        assert not any(road)
        assert all("vérifier" in r for r in rule[:3]), rule
