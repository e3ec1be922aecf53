"""The web app under hostile use, on a real ``zoning serve`` on loopback (one worker).

- an upload over the limit: 413 and a French message (page, or JSON under ``/api/``),
  announced (Content-Length) or sent in chunks;
- heavy work beyond ``ZONING_WEB_HEAVY``: 429, a French message and ``Retry-After``;
  the slot is held for real by the run of a list of 5 000 rows;
- a results file downloaded twice, one after the other or at once: one full answer, the
  other a 404 in French, never a 200 that ends early;
- a damaged results file in the uploads folder: the 500 is the French error page with
  the security headers;
- ``/api/batch`` with inf/NaN values: JSON, never a 500;
- the peak memory of the server under concurrent uploads, measured (``VmHWM``).
"""

from __future__ import annotations

import concurrent.futures
import io
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from hostile.webserver import EXAMPLE, SECURITY_HEADERS, WebServer, running_server

pytestmark = pytest.mark.slow

PROGRAMME = "na-mg-2023"


@pytest.fixture(scope="module")
def server(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """One worker, one slot for heavy work, no geocoder."""
    env = {"ZONING_STORE": str(store_path), "ZONING_ADDOK_URL": "off", "ZONING_WEB_HEAVY": "1"}
    with running_server(env, tmp_path_factory.mktemp("web-hostile"), ("--workers", "1")) as s:
        yield s


def _french_refusal(response: requests.Response, status: int, words: str) -> None:
    """The status, a French message holding ``words``, and the security headers."""
    assert response.status_code == status, response.text[:500]
    for header in SECURITY_HEADERS:
        assert header in response.headers, (header, dict(response.headers))
    if response.request.url and "/api/" in response.request.url:
        assert words in response.json()["erreur"]
    else:
        assert response.headers["content-type"].startswith("text/html")
        assert words in response.text and 'lang="fr"' in response.text


def _example_bytes() -> bytes:
    return EXAMPLE.read_bytes()


def test_upload_over_the_limit_is_413_in_french(server: WebServer) -> None:
    big = b"Identifiant;Nom\n" + b"x;" + b"y" * (11 * 2**20) + b"\n"
    api = requests.post(
        f"{server.url}/api/batch",
        files={"file": ("liste.csv", big)},
        data={"programme": PROGRAMME},
        timeout=60,
    )
    _french_refusal(api, 413, "trop gros")
    page = requests.post(f"{server.url}/liste", files={"fichier": ("liste.csv", big)}, timeout=60)
    _french_refusal(page, 413, "trop gros")

    def chunks() -> Iterator[bytes]:  # no Content-Length: cut while it streams in
        boundary = b"--b0undary\r\n"
        yield boundary + b'Content-Disposition: form-data; name="fichier"; filename="l.csv"\r\n\r\n'
        for _ in range(12):
            yield b"z" * 2**20
        yield b"\r\n--b0undary--\r\n"

    chunked = requests.post(
        f"{server.url}/liste",
        data=chunks(),
        headers={"Content-Type": "multipart/form-data; boundary=b0undary"},
        timeout=60,
    )
    _french_refusal(chunked, 413, "trop gros")
    assert "Traceback" not in server.log_text()


def _start_list(server: WebServer, data: bytes) -> str:
    """Upload a list through the page and start its run; returns its token."""
    sent = requests.post(
        f"{server.url}/liste",
        files={"fichier": ("liste.csv", data)},
        data={"programme": PROGRAMME},
        allow_redirects=False,
        timeout=60,
    )
    assert sent.status_code == 303, sent.text[:500]
    token = sent.headers["location"].rsplit("/", 1)[1]
    page = requests.get(f"{server.url}/liste/{token}", timeout=60).text
    selects = dict(re.findall(r'name="(col\d+)".*?<option value="([^"]*)" selected', page, re.S))
    started = requests.post(
        f"{server.url}/liste/{token}/lancer",
        data={"programme": PROGRAMME, **selects},
        allow_redirects=False,
        timeout=60,
    )
    assert started.status_code == 303, started.text[:500]
    return token


def _wait_done(server: WebServer, token: str, timeout: float = 120) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        state = requests.get(f"{server.url}/liste/{token}/etat", timeout=30).json()
        if state["etat"] in ("terminé", "erreur"):
            return state
        assert time.monotonic() < deadline, state
        time.sleep(0.2)


def _long_list() -> bytes:
    """The example's first rows repeated to the row limit (5 000): a run of seconds."""
    lines = EXAMPLE.read_text(encoding="utf-8-sig").splitlines()
    out = [lines[0]]
    while len(out) <= 5000:
        cells = lines[1 + len(out) % 3].split(";")
        cells[0] = f"R{len(out)}"
        out.append(";".join(cells))
    return ("\n".join(out) + "\n").encode("utf-8")


def _busy_answers(server: WebServer) -> list[requests.Response]:
    """A list, a list through the API and a map, asked while the slot may be taken."""
    return [
        requests.post(
            f"{server.url}/api/batch",
            files={"file": ("liste.csv", _example_bytes())},
            data={"programme": PROGRAMME},
            timeout=120,
        ),
        requests.post(
            f"{server.url}/liste", files={"fichier": ("liste.csv", _example_bytes())}, timeout=60
        ),
        requests.get(f"{server.url}/couverture/carte.html", timeout=120),
    ]


def test_heavy_work_beyond_the_slots_is_429_with_retry_after(server: WebServer) -> None:
    long_list = _long_list()
    for _attempt in range(3):  # a run that ended before the three asks is tried again
        token = _start_list(server, long_list)
        answers = _busy_answers(server)
        still = requests.get(f"{server.url}/liste/{token}/etat", timeout=30).json()["etat"]
        _wait_done(server, token, timeout=600)
        if still == "en cours":
            break
    else:
        pytest.fail("a run of 5 000 rows never outlasted three requests")
    for response in answers:
        _french_refusal(response, 429, "réessayez")
        assert int(response.headers["retry-after"]) > 0
    # Light requests answer meanwhile, and the slot is given back after the run.
    assert requests.get(f"{server.url}/api/check?q=23096", timeout=30).ok
    after = requests.post(
        f"{server.url}/api/batch",
        files={"file": ("liste.csv", _example_bytes())},
        data={"programme": PROGRAMME},
        timeout=120,
    )
    assert after.status_code == 200, after.text[:300]


def test_results_downloaded_twice_second_is_404(server: WebServer) -> None:
    token = _start_list(server, _example_bytes())
    assert _wait_done(server, token)["etat"] == "terminé"
    url = f"{server.url}/liste/{token}/resultats.csv"
    first = requests.get(url, timeout=60)
    assert first.status_code == 200 and len(first.content) == int(first.headers["content-length"])
    assert first.content.count(b"\n") >= 23
    _french_refusal(requests.get(url, timeout=60), 404, "déjà téléchargé")
    # At once, from several clients: one whole file, the others a 404 (never a 200 cut short).
    for name in ("resultats.xlsx", "resultats.geojson"):
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            address = f"{server.url}/liste/{token}/{name}"
            answers = list(pool.map(lambda a: requests.get(a, timeout=60), [address] * 6))
        whole = [a for a in answers if a.status_code == 200]
        assert len(whole) == 1, [a.status_code for a in answers]
        assert len(whole[0].content) == int(whole[0].headers["content-length"]) > 0
        assert all(a.status_code == 404 and "déjà" in a.text for a in answers if a not in whole)
    assert "FileNotFoundError" not in server.log_text()


def _upload_folder(server: WebServer, token: str) -> Path:
    root = server.log.parent
    found = list(root.glob(f"zoning-web-*/{token}"))
    assert found, list(root.iterdir())
    return found[0]


def test_internal_error_is_the_french_page_with_headers(server: WebServer) -> None:
    """A real fault: the results kept beside a finished list, damaged on disk."""
    token = _start_list(server, _example_bytes())
    assert _wait_done(server, token)["etat"] == "terminé"
    (_upload_folder(server, token) / "resultats.json").write_text("[1, 2]", encoding="utf-8")
    page = requests.get(f"{server.url}/liste/{token}", timeout=60)
    _french_refusal(page, 500, "erreur interne")
    assert "Traceback" not in page.text and "TypeError" not in page.text
    unknown = requests.get(f"{server.url}/nulle-part", timeout=30)
    _french_refusal(unknown, 404, "page introuvable")


def test_api_batch_with_inf_and_nan_answers_json(server: WebServer) -> None:
    lines = EXAMPLE.read_text(encoding="utf-8-sig").splitlines()
    headers = lines[0].split(";")
    row = lines[2].split(";")
    bad = []
    for column, value in (
        ("Site longitude", "1e309"),
        ("Site latitude", "-inf"),
        ("Demi-journées hôpital", "NaN"),
        ("Durée (mois)", "inf"),
    ):
        cells = list(row)
        cells[headers.index(column)] = value
        bad.append(";".join(cells))
    data = "\n".join([lines[0], *bad, lines[2]]) + "\n"
    answer = requests.post(
        f"{server.url}/api/batch",
        files={"file": ("liste.csv", data.encode())},
        data={"programme": PROGRAMME},
        timeout=120,
    )
    assert answer.status_code == 200, answer.text[:300]
    results = answer.json()["resultats"]
    assert [r["Identifiant"] for r in results] == [row[0]] * 5
    assert all(r["statut"] == "données invalides" for r in results[:4]), results
    assert results[4]["statut"] == "éligible"


def _peak_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+)", status)[1]) / 1024  # type: ignore[index]


def test_memory_under_concurrent_uploads(server: WebServer) -> None:
    """Eight 9 MB uploads at once: the worker's peak memory stays bounded (one slot)."""
    before = _peak_mb(server.process.pid)
    rows = io.StringIO()
    rows.write(EXAMPLE.read_text(encoding="utf-8-sig").splitlines()[0] + "\n")
    filler = EXAMPLE.read_text(encoding="utf-8-sig").splitlines()[2]
    while rows.tell() < 9 * 2**20:
        rows.write(filler + "\n")
    data = rows.getvalue().encode()

    def send(_: int) -> int:
        return requests.post(
            f"{server.url}/api/batch",
            files={"file": ("liste.csv", data)},
            data={"programme": PROGRAMME},
            timeout=300,
        ).status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(send, range(8)))
    peak = _peak_mb(server.process.pid)
    print(
        f"\npeak RSS of the worker: {before:.0f} MB before, {peak:.0f} MB after 8 uploads "
        f"of {len(data) / 2**20:.1f} MB at once; statuses {sorted(statuses)}"
    )
    # Each list is over the row limit (400, read then refused) or waits its turn (429).
    assert set(statuses) <= {400, 429}, statuses
    assert peak < before + 600, (before, peak)
    assert os.path.exists(f"/proc/{server.process.pid}")
