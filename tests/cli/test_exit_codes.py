"""Small reliability fixes of issue 10: exit codes and refusals, with real processes."""

from __future__ import annotations

import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from zoning.cli import main

ZONING = [sys.executable, "-m", "zoning"]
EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "examples" / "candidats_exemple.csv"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
        raise SystemExit(0)
    code = info.value.code
    return (code if isinstance(code, int) else 1), capsys.readouterr().err


def test_programme_id_is_a_name_not_a_path(
    store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for bad in ("../../pyproject", "/etc/passwd", "NA-MG-2023", "na_mg"):
        args = ["batch", str(EXAMPLE), "-p", bad, "-o", str(tmp_path / "x.csv")]
        code, err = run([*args, "--store", str(store_path), "--no-progress"], capsys)
        assert code == 2, (bad, err)
        assert "identifiant de programme invalide" in err and "na-mg-2023" in err
        assert "Traceback" not in err
    assert not (tmp_path / "x.csv").exists()


def test_malformed_finess_is_bad_input(
    store_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZONING_ADDOK_URL", "off")
    code, err = run(["check", "--finess", "12AB", "--store", str(store_path)], capsys)
    assert code == 2 and "FINESS" in err, err


def test_fetch_only_unknown_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(["data", "fetch", "--only", "nope", "--dest", str(tmp_path)], capsys)
    assert code == 2
    assert "source(s) inconnue(s) : nope" in err and "laposte" in err
    assert not list(tmp_path.iterdir())  # nothing downloaded, no log written


def test_geocoder_serve_on_a_busy_port(tmp_path: Path) -> None:
    """Another program answers on the port: before, « prêt » and exit 0."""

    class Other(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    other = ThreadingHTTPServer(("127.0.0.1", 0), Other)
    thread = threading.Thread(target=other.serve_forever, daemon=True)
    thread.start()
    documents = tmp_path / "docs.ndjson"
    documents.write_text("", encoding="utf-8")
    try:
        port = str(other.server_address[1])
        done = subprocess.run(
            [*ZONING, "geocoder", "serve", "--documents", str(documents), "--port", port],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        other.shutdown()
        other.server_close()
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"le port {port} de 127.0.0.1 est déjà utilisé" in done.stderr
    assert "prêt" not in done.stdout and "Traceback" not in done.stderr
