"""The point index is a package of its own: it imports nothing else from ``zoning``."""

from __future__ import annotations

import subprocess
import sys


def test_pointindex_imports_no_other_zoning_module() -> None:
    code = (
        "import sys, pkgutil, importlib, zoning.pointindex\n"
        "for m in pkgutil.iter_modules(zoning.pointindex.__path__):\n"
        "    importlib.import_module('zoning.pointindex.' + m.name)\n"
        "others = sorted(m for m in sys.modules if m.startswith('zoning.')"
        " and not m.startswith('zoning.pointindex'))\n"
        "print(','.join(others))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
    assert (
        "zoning.pointindex"
        in subprocess.run(
            [sys.executable, "-c", "import sys, zoning.pointindex; print(list(sys.modules))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )


def test_store_and_locate_do_not_import_each_other_at_load() -> None:
    code = (
        "import sys, zoning.store.build, zoning.store.store\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('zoning.locate'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
