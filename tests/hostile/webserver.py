"""Helpers of the hostile web tests: the real server on loopback, the example list."""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))

from web.conftest import WebServer, running_server  # noqa: E402

EXAMPLE = TESTS.parent / "data" / "examples" / "candidats_exemple.csv"
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options")

__all__ = ["EXAMPLE", "SECURITY_HEADERS", "WebServer", "running_server"]
