"""The web upload reads through the same bounded reader as the command line.

A decompression bomb (made at test time, never committed) uploaded to ``/api/batch``
is refused with the French message of the CLI, before anything is decompressed.
"""

from __future__ import annotations

from pathlib import Path

import requests
from web.conftest import WebServer
from zipbomb import make_bomb


def test_zip_bomb_upload_refused_in_french(web_server: WebServer, tmp_path: Path) -> None:
    bomb = make_bomb(tmp_path / "bombe.xlsx", 600 << 20)
    answer = requests.post(
        web_server.url + "/api/batch",
        files={"file": ("bombe.xlsx", bomb.read_bytes())},
        data={"programme": "na-mg-2023"},
        headers={"Accept": "application/json"},
        timeout=300,
    )
    assert answer.status_code == 400, answer.text
    assert "classeur refusé" in answer.json()["erreur"]
