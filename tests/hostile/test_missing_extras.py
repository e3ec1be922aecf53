"""A command whose optional extra is not installed says which extra, in French, exit 2.

The extras are installed on this machine (the lock installs them all), so their absence is
simulated: an import hook in the child process refuses the named modules. This is the one
fault here that cannot be caused for real without a second virtualenv per case.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

BLOCKER = textwrap.dedent(
    """
    import sys
    from importlib.abc import MetaPathFinder

    class Missing(MetaPathFinder):  # simulated: the extra is not installed
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    BLOCKED = set(sys.argv[1].split(","))
    sys.meta_path.insert(0, Missing())
    from zoning.cli import main
    main(sys.argv[2:])
    """
)


@pytest.mark.parametrize(
    ("blocked", "args", "extra"),
    [
        ("uvicorn", ["serve", "--port", "8765"], "web"),
        ("fastapi,uvicorn", ["serve", "--port", "8765"], "web"),
        ("gunicorn,addok", ["geocoder", "serve"], "geocoder"),
    ],
)
def test_missing_extra_is_named(tmp_path, blocked: str, args: list[str], extra: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", BLOCKER, blocked, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"ZONING_STORE": str(tmp_path / "store"), "PATH": "/usr/bin:/bin"},
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, done.stderr
    assert f"zoning[{extra}]" in done.stderr
    assert "Erreur :" in done.stderr
