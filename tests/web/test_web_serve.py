"""``zoning serve``: its options and the warning off loopback."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from zoning.cli import cli
from zoning.settings import is_loopback


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.10", False),
        ("intranet.example", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_warning_off_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn.run is replaced here: a test must not listen on every interface."""
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "pas d'authentification" in result.output
    assert calls[0]["host"] == "0.0.0.0" and calls[0]["workers"] == 2
    assert calls[0]["access_log"] is False  # query strings hold addresses
    quiet = CliRunner().invoke(cli, ["serve"])
    assert "pas d'authentification" not in quiet.output
    assert calls[1]["host"] == "127.0.0.1" and calls[1]["port"] == 8000


def test_help_in_french() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert "Lance l'application web" in result.output
