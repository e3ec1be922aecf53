"""Optional parts of the tool: which extra brings which module, and one clear message.

The web application, the local geocoder and dask are extras of the package
(``pip install "zoning[web]"``...). A command that needs one imports it through
:func:`import_optional`, and :func:`extra_for` lets the command line turn any
``ModuleNotFoundError`` of an optional module into a French message naming the extra,
rather than a traceback.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from zoning.errors import MissingExtraError

#: top-level module -> (extra that installs it, what it is for, in French)
OPTIONAL_MODULES: dict[str, tuple[str, str]] = {
    "fastapi": ("web", "l'application web (zoning serve)"),
    "uvicorn": ("web", "l'application web (zoning serve)"),
    "jinja2": ("web", "l'application web (zoning serve)"),
    "multipart": ("web", "l'application web (zoning serve)"),
    "python_multipart": ("web", "l'application web (zoning serve)"),
    "httpx": ("web", "l'application web (zoning serve)"),
    "starlette": ("web", "l'application web (zoning serve)"),
    "addok": ("geocoder", "le géocodeur local (zoning geocoder)"),
    "addok_csv": ("geocoder", "le géocodeur local (zoning geocoder)"),
    "addok_fr": ("geocoder", "le géocodeur local (zoning geocoder)"),
    "addok_france": ("geocoder", "le géocodeur local (zoning geocoder)"),
    "gunicorn": ("geocoder", "le géocodeur local (zoning geocoder)"),
    "dask": ("dask", "le calcul distribué (zoning assign --dask)"),
    "dask_geopandas": ("dask", "le calcul distribué (zoning assign --dask)"),
    "distributed": ("dask", "le calcul distribué (zoning assign --dask)"),
}


def missing_extra_error(module_name: str) -> MissingExtraError | None:
    """The French error for a missing optional module, or ``None`` if it is not optional."""
    top = module_name.split(".", 1)[0]
    if top not in OPTIONAL_MODULES:
        return None
    extra, purpose = OPTIONAL_MODULES[top]
    return MissingExtraError(
        f"le module « {top} » manque : il sert à {purpose}. Installez l'option « {extra} » : "
        f'pip install "zoning[{extra}]" (dans un dépôt : bash tasks.sh main).'
    )


def import_optional(module_name: str) -> ModuleType:
    """Import an optional module, or raise :class:`MissingExtraError` naming its extra."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        error = missing_extra_error(exc.name or module_name)
        if error is None:
            raise
        raise error from exc
