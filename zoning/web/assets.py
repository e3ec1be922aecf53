"""The npm files the web application serves, in one table.

The pages load the design system of the French State (DSFR) and Leaflet from the npm
packages installed by ``npm ci`` (``package.json``), never from a CDN: the application
runs on closed networks. :data:`NPM_FOLDERS` is the only list of what is served; the files
the pages load are listed in ``zoning/npm_assets.toml`` (``files``), which ships them in the
wheel.
"""

from __future__ import annotations

from pathlib import Path

from zoning.errors import MapAssetsMissingError
from zoning.map.assets import node_modules

__all__ = ["NPM_FOLDERS", "STATIC_DIR", "npm_folder"]

#: URL prefix under ``/npm/`` -> folder under ``node_modules`` (served read-only, as is).
NPM_FOLDERS: dict[str, str] = {
    "dsfr": "@gouvfr/dsfr/dist",
    "leaflet": "leaflet/dist",
    "swagger": "swagger-ui-dist",
}

#: The application's own scripts and stylesheets.
STATIC_DIR = Path(__file__).resolve().parent / "static"


def npm_folder(prefix: str) -> Path:
    """The installed folder of one :data:`NPM_FOLDERS` entry.

    Raises
    ------
    MapAssetsMissingError
        When the npm package is not installed (with the command that installs it).
    """
    folder = node_modules() / NPM_FOLDERS[prefix]
    if not folder.is_dir():
        raise MapAssetsMissingError(
            f"paquet npm absent : {folder} (lancez `npm ci` à la racine du projet)"
        )
    return folder
