"""Wheel smoke test of `zoning serve`: pages, API and assets from the installed package.

Usage: python .ci/smoke_serve.py ZONING_EXECUTABLE  (ZONING_STORE set to a built store)
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request


def main() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.argv[1], "serve", "--port", str(port), "--workers", "2"])

    def get(path: str) -> str:
        with urllib.request.urlopen(url + path, timeout=30) as answer:
            return str(answer.read().decode("utf-8"))

    try:
        for _ in range(120):
            try:
                get("/health")
                break
            except OSError:
                time.sleep(0.5)
        assert "Guéret" in get("/?q=23096&date=2023-11-01")
        assert '"zone":"ZIP"' in get("/api/check?q=23096&date=2023-11-01")
        for path in (
            "/npm/dsfr/dsfr.min.css",
            "/npm/leaflet/leaflet.js",
            "/static/check.js",
            "/static/batch.js",
            "/api/docs",
            "/liste",
            "/couverture",
            "/donnees",
            "/aide",
            "/aide/guide-planificateur",
        ):
            get(path)
        # The guides and their screenshots come from the wheel's zoning/_docs.
        assert 'src="/aide/img/web-aide.png"' in get("/aide/guide-instructeur")
        with urllib.request.urlopen(url + "/aide/img/web-aide.png", timeout=30) as answer:
            assert answer.read(8) == b"\x89PNG\r\n\x1a\n"
        print("zoning serve: pages, API and assets answered from the installed wheel")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
