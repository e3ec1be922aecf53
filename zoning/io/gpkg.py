"""GIS files of several layers, for QGIS: a GeoPackage, or one file per layer.

A **GeoPackage** (``.gpkg``, one file) holds every layer, a ``provenance`` table (key,
value: decree, sources and vintages, tool version), the same provenance in GDAL's
dataset metadata (``gpkg_metadata``), each layer's description (``gpkg_contents``) and
each layer's QGIS style in the ``layer_styles`` table, laid out as QGIS writes it, so
that QGIS opens every layer already coloured.

By extension, **FlatGeobuf** (``.fgb``) and **Shapefile** (``.shp``) hold one layer per
file: ``couches.shp`` gives ``couches-communes.shp`` (with its ``.dbf``, ``.shx``,
``.prj``, ``.cpg``), ``couches-qpv.shp``…, each beside its style ``couches-communes.qml``
(QGIS loads a ``.qml`` of the same name as its default style), and
``couches-provenance.csv``. Shapefile field names are cut to 10 characters (see
:func:`short_field_names`; the style follows the renamed field).

Written with pyogrio (GDAL); the extra tables with sqlite3 (a GeoPackage is a SQLite
database), all in a temporary file renamed only when complete
(:mod:`zoning.io.atomic`).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zoning.errors import InvalidInputError, OutputError
from zoning.io.atomic import atomic_files, atomic_path
from zoning.io.qgis_style import LINE, POINT, POLYGON, LayerStyle, qml, sld
from zoning.io.text import snake

__all__ = [
    "FORMATS",
    "Layer",
    "output_driver",
    "short_field_names",
    "write_layers",
]

#: Output suffix -> GDAL driver.
FORMATS = {".gpkg": "GPKG", ".fgb": "FlatGeobuf", ".shp": "ESRI Shapefile"}
PROVENANCE = "provenance"
STYLES_TABLE = "layer_styles"
#: GDAL's name of a GeoPackage's geometry column (pyogrio's default).
GEOMETRY_COLUMN = "geom"
#: GeoPackage 1.3: QGIS 3.22 and GDAL 3.6 (Debian 12) read 1.4 files with a warning.
GPKG_VERSION = "1.3"
_GDAL_TYPES = {POLYGON: "MultiPolygon", LINE: "LineString", POINT: "Point"}


@dataclass
class Layer:
    """One layer to write.

    Attributes
    ----------
    name : str
        Table name (``communes``); ASCII, no spaces.
    frame : geopandas.GeoDataFrame or pandas.DataFrame
        The features (EPSG:4326), or the rows of a table without geometry.
    title : str
        The name QGIS shows (GeoPackage ``identifier``).
    description : str
        What the layer holds and where it comes from (GeoPackage ``description``).
    style : LayerStyle, optional
        Its QGIS style (None for a table).
    """

    name: str
    frame: Any
    title: str
    description: str
    style: LayerStyle | None = None

    @property
    def geometry_type(self) -> str | None:
        """GDAL's geometry type of the layer (None: a table)."""
        return None if self.style is None else _GDAL_TYPES[self.style.geometry]


def output_driver(path: str | Path) -> str:
    """The GDAL driver of an output name, by its suffix.

    Raises
    ------
    InvalidInputError
        Another suffix (the message lists the accepted ones).
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        accepted = ", ".join(FORMATS)
        raise InvalidInputError(
            f"{Path(path).name} : format de couches non pris en charge (attendu : {accepted} ; "
            ".gpkg garde toutes les couches, leurs styles et la provenance dans un seul fichier)"
        )
    return FORMATS[suffix]


#: Word abbreviations for Shapefile's 10-character field names.
_SHORT_WORDS = {
    "population": "pop",
    "departement": "dep",
    "communes": "com",
    "commune": "com",
    "classe": "cl",
    "libelle": "lib",
    "arrete": "arr",
    "avant": "av",
    "apres": "ap",
    "changement": "chg",
    "distance": "dist",
    "programme": "prog",
    "millesime": "mill",
    "etablissement": "etab",
    "plafond": "pl",
    "part": "pt",
    "statut": "st",
    "site": "s",
    "regle": "rg",
    "niveau": "niv",
    "position": "pos",
}


def short_field_names(columns: Sequence[str], limit: int = 10) -> dict[str, str]:
    """Field name -> a unique name of at most ``limit`` characters (Shapefile's DBF).

    Short names are kept; longer ones have their words abbreviated
    (``population_zip`` -> ``pop_zip``), then are cut, a digit making them unique.
    """
    out: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        name = column
        if len(name) > limit:
            name = "_".join(_SHORT_WORDS.get(w, w) for w in name.split("_"))[:limit]
        base, n = name, 1
        while name in taken:
            n += 1
            name = f"{base[: limit - len(str(n))]}{n}"
        taken.add(name)
        out[column] = name
    return out


def _metadata(provenance: Sequence[tuple[str, str]]) -> dict[str, str]:
    """GDAL metadata keys (ASCII words) for the provenance rows."""
    out: dict[str, str] = {}
    for key, value in provenance:
        name = snake(key) or "cle"
        while name in out:
            name += "_"
        out[name] = str(value)
    return out


def _write_frame(frame: Any, path: Path, layer: Layer, driver: str, **options: Any) -> None:
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    try:
        pyogrio.write_dataframe(
            frame,
            path,
            layer=layer.name,
            driver=driver,
            geometry_type=layer.geometry_type,
            promote_to_multi=layer.geometry_type == "MultiPolygon" or None,
            **options,
        )
    except (DataLayerError, DataSourceError) as exc:  # GDAL's own failures (disk full...)
        raise OutputError(f"écriture de la couche {layer.name} impossible : {exc}") from exc


def _provenance_frame(provenance: Sequence[tuple[str, str]]) -> Any:
    import pandas as pd

    return pd.DataFrame(
        {"cle": [k for k, _ in provenance], "valeur": [str(v) for _, v in provenance]}
    )


_STYLES_SQL = f"""CREATE TABLE IF NOT EXISTS {STYLES_TABLE} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    f_table_catalog TEXT(256),
    f_table_schema TEXT(256),
    f_table_name TEXT(256),
    f_geometry_column TEXT(256),
    styleName TEXT(30),
    styleQML TEXT,
    styleSLD TEXT,
    useAsDefault BOOLEAN,
    description TEXT,
    owner TEXT(30),
    ui TEXT(30),
    update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)"""
_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"


def _add_styles(path: Path, layers: Sequence[Layer]) -> None:
    """QGIS's ``layer_styles`` table: one default style per styled layer."""
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.execute(_STYLES_SQL)
            connection.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
                f"last_change) VALUES (?, 'attributes', ?, ?, {_NOW})",
                (STYLES_TABLE, STYLES_TABLE, "styles QGIS des couches (QML et SLD)"),
            )
            for layer in layers:
                if layer.style is None:
                    continue
                connection.execute(
                    f"INSERT INTO {STYLES_TABLE} (f_table_catalog, f_table_schema, "
                    "f_table_name, f_geometry_column, styleName, styleQML, styleSLD, "
                    "useAsDefault, description, owner, ui) VALUES ('', '', ?, ?, ?, ?, ?, 1, "
                    "?, '', NULL)",
                    (
                        layer.name,
                        GEOMETRY_COLUMN,
                        layer.style.name,
                        qml(layer.style),
                        sld(layer.style, layer.name),
                        f"couleurs des cartes HTML de zoning — {layer.title}",
                    ),
                )
    finally:
        connection.close()


def _write_geopackage(
    path: Path, layers: Sequence[Layer], provenance: Sequence[tuple[str, str]]
) -> list[Path]:
    with atomic_path(path) as tmp:
        # GDAL wants a name ending in .gpkg; the journal files go with it.
        work = tmp.with_name(tmp.name + ".gpkg")
        try:
            for i, layer in enumerate(layers):
                options: dict[str, Any] = {
                    "layer_options": {
                        "IDENTIFIER": layer.title,
                        "DESCRIPTION": layer.description,
                    }
                }
                if i == 0:
                    options["dataset_options"] = {"VERSION": GPKG_VERSION}
                    options["dataset_metadata"] = _metadata(provenance)
                _write_frame(layer.frame, work, layer, "GPKG", **options)
            table = Layer(
                PROVENANCE,
                _provenance_frame(provenance),
                "Provenance",
                "arrêté, sources et millésimes, version de l'outil",
            )
            _write_frame(
                table.frame,
                work,
                table,
                "GPKG",
                layer_options={"IDENTIFIER": table.title, "DESCRIPTION": table.description},
            )
            _add_styles(work, layers)
            os.replace(work, tmp)
        finally:
            for extra in ("", "-journal", "-wal", "-shm"):
                Path(f"{work}{extra}").unlink(missing_ok=True)
    return [path]


def _write_files(
    path: Path, layers: Sequence[Layer], provenance: Sequence[tuple[str, str]], driver: str
) -> list[Path]:
    from zoning.io.write import write_frame_csv

    stem, suffix = path.stem, path.suffix.lower()
    shapefile = driver == "ESRI Shapefile"
    names: list[str] = []
    with atomic_files(path) as work:
        for layer in layers:
            name = f"{stem}-{layer.name}"
            frame, style = layer.frame, layer.style
            if layer.geometry_type is None:
                write_frame_csv(frame, work / f"{name}.csv")
                names.append(f"{name}.csv")
                continue
            options: dict[str, Any] = {}
            if shapefile:
                short = short_field_names([c for c in frame.columns if c != "geometry"])
                frame = frame.rename(columns=short)
                if style is not None and style.field:
                    style = style.on_field(short.get(style.field, style.field))
                options["layer_options"] = {"ENCODING": "UTF-8"}
            else:
                options["layer_options"] = {"TITLE": layer.title, "DESCRIPTION": layer.description}
            _write_frame(frame, work / f"{name}{suffix}", layer, driver, **options)
            names.append(f"{name}{suffix}")
            if style is not None:
                (work / f"{name}.qml").write_text(qml(style), encoding="utf-8")
        write_frame_csv(_provenance_frame(provenance), work / f"{stem}-{PROVENANCE}.csv")
        names.append(f"{stem}-{PROVENANCE}.csv")
    return [path.with_name(n) for n in names]


def write_layers(
    path: str | Path, layers: Sequence[Layer], provenance: Sequence[tuple[str, str]]
) -> list[Path]:
    """Write ``layers`` and their ``provenance`` (key, value rows) to ``path``.

    Parameters
    ----------
    path : str or Path
        ``.gpkg`` (everything in one file), ``.fgb`` or ``.shp`` (one file per layer, named
        ``<stem>-<layer><suffix>``, with its ``.qml`` style, and
        ``<stem>-provenance.csv``).
    layers : sequence of Layer
        In the order QGIS lists them.
    provenance : sequence of (str, str)
        What the files were made from.

    Returns
    -------
    list of Path
        The data files written (the GeoPackage; or each layer's file and the provenance).

    Raises
    ------
    InvalidInputError
        An unknown suffix.
    OutputError, OutputInterruptedError
        The write failed or was interrupted: nothing is left under the final names.
    """
    target = Path(path)
    driver = output_driver(target)
    if driver == "GPKG":
        return _write_geopackage(target, layers, provenance)
    return _write_files(target, layers, provenance, driver)
