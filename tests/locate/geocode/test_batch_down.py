"""``zoning batch --geocode`` with the geocoder going down, with real processes.

addok (gunicorn) is stopped for real in the middle of a batch, and a private Redis is
killed for real: the batch stops after the retry budget with exit 6 and a French
message, writes no result file that would look complete, keeps the answers it got in
the cache, and a re-run resumes without asking the server again for a finished row.
A loopback proxy in front of addok only counts the rows the server answered.
"""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
import requests

from zoning.cli import main
from zoning.locate.geocode import Geocoder
from zoning.locate.geocode.addok import DEFAULT_CHUNK_SIZE
from zoning.locate.geocode.server import LocalGeocoder

HEADER = (
    "Identifiant;FINESS établissement;Demi-journées hôpital;Site adresse;Site code postal;"
    "Site commune;Type de structure;Date de début;Durée (mois);Date d'inscription à l'Ordre"
)


def write_candidates(path: Path, hospitals: pd.DataFrame) -> int:
    """One candidate per real hospital address (Guéret hospital, one site each)."""
    lines = [HEADER]
    for i, row in enumerate(hospitals.to_dict("records")):
        street = f"{row['housenumber']} {row['street']}".strip().replace(";", " ")
        lines.append(
            f"C{i:04d};230000820;5;{street};{row['postcode']};{row['city']};MSP;"
            "01/11/2023;24;15/09/2023"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 1


class CountingProxy:
    """Forwards to addok; counts the rows addok answered; ``on_request(n)`` runs before
    the n-th CSV upload is forwarded (to stop the real server at that moment)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.answered = 0
        self.uploads = 0
        self.on_request: object = None
        lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self, method: str) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if method == "POST":
                    with lock:
                        proxy.uploads += 1
                        n = proxy.uploads
                    if callable(proxy.on_request):
                        proxy.on_request(n)
                try:
                    up = requests.request(
                        method, proxy.upstream + self.path, data=body or None,
                        headers={"Content-Type": self.headers.get("Content-Type", "")},
                        timeout=120,
                    )  # fmt: skip
                    status, content = up.status_code, up.content
                except requests.ConnectionError:
                    status, content = 502, b"upstream down"  # what a reverse proxy says
                if method == "POST" and status == 200:
                    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
                    with lock:
                        proxy.answered += max(0, len(rows) - 1)
                self.send_response(status)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def do_POST(self) -> None:
                self._forward("POST")

            def do_GET(self) -> None:
                self._forward("GET")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> CountingProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def hospitals(_tables: Geocoder) -> pd.DataFrame:
    table = _tables.finess.table.reset_index()
    table = table[table["street"].fillna("") != ""]
    return table.drop_duplicates(["housenumber", "street", "postcode", "city"])


def batch_env(url: str, geo_sources: Path, store_path: Path, tmp_path: Path) -> dict[str, str]:
    """Settings of one batch run: geocoder URL, real sources and store, private cache."""
    return {
        "ZONING_ADDOK_URL": url,
        "ZONING_SOURCES": str(geo_sources),
        "ZONING_STORE": str(store_path),
        "ZONING_CACHE": str(tmp_path / "cache"),
    }


def run_batch(args: list[str], env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> int:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SystemExit) as info:
        main([*args, "--no-progress"])
        raise SystemExit(0)
    code = info.value.code
    return int(code) if isinstance(code, int) else 1


def test_addok_killed_mid_batch_exit_6_then_resume(
    addok_server: LocalGeocoder,
    hospitals: pd.DataFrame,
    geo_sources: Path,
    store_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = tmp_path / "candidats.csv"
    # Chunks of DEFAULT_CHUNK_SIZE (2 000) rows: two go through, addok dies on the third.
    n = write_candidates(source, hospitals.iloc[: 2 * DEFAULT_CHUNK_SIZE + 600])
    out = tmp_path / "resultats.csv"
    args = ["batch", str(source), "-p", "na-mg-2023", "-o", str(out), "--geocode"]
    with CountingProxy(addok_server.url) as proxy:
        env = batch_env(proxy.url, geo_sources, store_path, tmp_path)

        def kill_on_third(upload: int) -> None:
            if upload == 3:  # two chunks went through; addok dies for real
                addok_server.stop_http()

        proxy.on_request = kill_on_third
        try:
            code = run_batch(args, env, monkeypatch)
        finally:
            addok_server.start_http()
        err = capsys.readouterr().err
        assert code == 6, err
        assert "Erreur : géocodage interrompu" in err and "relancez" in err
        assert "Traceback" not in err
        assert not out.exists()  # no result file that would look complete
        first = proxy.answered
        match = re.search(r"(\d+) adresse\(s\) sur (\d+)", err)
        assert match, err
        cached, distinct = int(match.group(1)), int(match.group(2))
        assert 0 < first == cached < distinct <= n  # identical addresses are sent once

        proxy.on_request = None
        proxy.answered = 0
        assert run_batch(args, env, monkeypatch) == 0, capsys.readouterr().err
        second = proxy.answered
    assert first + second == distinct  # every distinct address asked once, none lost
    result = pd.read_csv(out, sep=None, engine="python", dtype=str, encoding="utf-8-sig")
    assert list(result["Identifiant"]) == [f"C{i:04d}" for i in range(n)]  # all, in order
    text = out.read_text("utf-8-sig")
    assert "géocodeur indisponible" not in text and text.count("\n") == n + 1


@pytest.fixture
def small_addok(addok_documents: Path, tmp_path: Path) -> Iterator[LocalGeocoder]:
    """A second real addok + Redis, private to this test (its Redis gets killed)."""
    docs = tmp_path / "docs.ndjson"
    with addok_documents.open(encoding="utf-8") as src, docs.open("w", encoding="utf-8") as dst:
        for line in src:
            if '"citycode": "23' in line or '"citycode":"23' in line:
                dst.write(line)
    with LocalGeocoder(docs, workdir=tmp_path / "run", workers=1) as server:
        yield server


@pytest.mark.parametrize("fault", ["nothing listening", "redis killed"])
def test_geocoder_down_stops_at_once_with_exit_6(
    fault: str,
    request: pytest.FixtureRequest,
    geo_sources: Path,
    store_path: Path,
    hospitals: pd.DataFrame,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Before: 7.5 s per row and exit 0; now one retry budget for the whole batch.

    « nothing listening »: port 9; « redis killed »: a private addok whose Redis is
    killed for real (addok answers HTTP 500)."""
    url, expected = "http://127.0.0.1:9", "ne répond pas après 5 essais"
    rows = hospitals.iloc[:40]
    if fault == "redis killed":
        server: LocalGeocoder = request.getfixturevalue("small_addok")
        assert server.redis is not None
        os.killpg(server.redis.pid, signal.SIGKILL)
        server.redis.wait(timeout=10)
        url, expected = server.url, "HTTP 500"
        rows = hospitals[hospitals["postcode"].str.startswith("23")].iloc[:20]
    source = tmp_path / "candidats.csv"
    write_candidates(source, rows)
    out = tmp_path / "resultats.xlsx"
    env = batch_env(url, geo_sources, store_path, tmp_path)
    args = ["batch", str(source), "-p", "na-mg-2023", "-o", str(out), "--geocode"]
    assert run_batch(args, env, monkeypatch) == 6
    err = capsys.readouterr().err
    assert "Erreur : géocodage interrompu" in err and expected in err, err
    assert "Traceback" not in err and not out.exists()
