"""Every error class lives in ``zoning/errors.py``, with its exit code and HTTP status."""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

import pytest

from zoning import errors

PACKAGE = Path(errors.__file__).resolve().parent


def _base_name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _is_exception_name(name: str) -> bool:
    builtin = getattr(builtins, name, None)
    if isinstance(builtin, type) and issubclass(builtin, BaseException):
        return True
    # Third-party bases (requests.HTTPError...) and the package's own, by convention.
    return name.endswith(("Error", "Exception", "Warning"))


def exception_classes() -> dict[str, list[str]]:
    """Module path -> names of the exception classes it defines (any base, any depth)."""
    classes = {
        path: [
            n
            for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(n, ast.ClassDef)
        ]
        for path in PACKAGE.rglob("*.py")
    }
    known: set[str] = set()
    found: dict[str, list[str]] = {}
    changed = True
    while changed:  # a class deriving from one of the package's exceptions is one too
        changed = False
        for path, nodes in classes.items():
            for node in nodes:
                if node.name in known:
                    continue
                bases = [_base_name(b) for b in node.bases]
                if any(_is_exception_name(b) or b in known for b in bases):
                    known.add(node.name)
                    found.setdefault(str(path.relative_to(PACKAGE.parent)), []).append(node.name)
                    changed = True
    return found


def test_every_exception_class_is_in_errors_py() -> None:
    found = exception_classes()
    outside = {path: names for path, names in found.items() if path != "zoning/errors.py"}
    assert not outside, f"error classes outside zoning/errors.py: {outside}"
    assert "RoutingError" in found["zoning/errors.py"]


def test_every_error_is_a_zoning_error() -> None:
    defined = [getattr(errors, name) for name in exception_classes()["zoning/errors.py"]]
    assert all(issubclass(kind, errors.ZoningError) for kind in defined)


@pytest.mark.parametrize(
    ("kind", "exit_code", "http_status"),
    [
        (errors.ZoningError, 2, 400),
        (errors.InvalidInputError, 2, 400),
        (errors.ProgrammeFileError, 2, 400),
        (errors.TooLargeError, 2, 413),
        (errors.NotFoundError, 3, 404),
        (errors.AmbiguousError, 4, 409),
        (errors.OutsideCoverageError, 5, 422),
        (errors.DecreeNotLoadedError, 5, 422),
        (errors.SourceMissingError, 2, 400),
        (errors.SourceFormatError, 2, 400),
        (errors.SourceChangedError, 2, 400),
        (errors.DownloadError, 2, 400),
        (errors.StoreMissingError, 2, 503),
        (errors.StoreIntegrityError, 2, 400),
        (errors.ServiceUnavailableError, 6, 503),
        (errors.GeocoderUnavailableError, 6, 503),
        (errors.RetiredGeocoderError, 6, 503),
        (errors.RoutingError, 6, 503),
        (errors.GeocoderError, 2, 400),
        (errors.BusyError, 2, 429),
        (errors.OutputError, 2, 400),
        (errors.OutputInterruptedError, 130, 400),
        (errors.MissingExtraError, 2, 400),
        (errors.MapAssetsMissingError, 2, 400),
    ],
)
def test_exit_codes_and_http_statuses(
    kind: type[errors.ZoningError], exit_code: int, http_status: int
) -> None:
    """The codes of before the move (the CLI's exit codes, web/errors.py's old table)."""
    assert (kind.exit_code, kind.http_status) == (exit_code, http_status)


def test_check_exit_codes_are_named() -> None:
    assert (errors.EXIT_NOT_LOADED, errors.EXIT_EXPIRED) == (5, 7)


def test_http_layer_writes_no_file() -> None:
    """``_http`` is a base module: it imports nothing of the package's layers."""
    tree = ast.parse((PACKAGE / "_http.py").read_text(encoding="utf-8"))
    imported = {
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    layers = (
        "cli",
        "web",
        "map",
        "report",
        "rules",
        "locate",
        "store",
        "sources",
        "io",
        "pointindex",
    )
    assert not {m for m in imported if m.split(".")[1:2] and m.split(".")[1] in layers}
