"""Open a GeoPackage written by ``zoning export`` in QGIS and render it (docs/img/export-qgis.png).

Run with the Python that has QGIS's bindings (Debian: ``apt-get install qgis
python3-qgis``; not a dependency of zoning)::

    zoning export couches.gpkg --region 75 --postes resultats.geojson
    QT_QPA_PLATFORM=offscreen /usr/bin/python3 docs/qgis_render.py couches.gpkg \
        -o docs/img/export-qgis.png

Every layer is loaded as QGIS loads it (its default style read from the GeoPackage's
``layer_styles`` table, nothing set here) and the script prints, per layer, the renderer
QGIS built and its categories' colours: ``--check`` exits 1 when a styled layer comes
without its style. The image is a QGIS print layout: the map, QGIS's own legend, a title
and the provenance line of the file.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path
from typing import Any

#: Drawing order, bottom to top.
ORDER = ("communes", "changements", "departements", "qpv", "liens", "sites")


def _layers(gpkg: Path) -> list[str]:
    with sqlite3.connect(gpkg) as connection:
        rows = connection.execute(
            "SELECT table_name FROM gpkg_contents WHERE data_type = 'features'"
        ).fetchall()
    names = [r[0] for r in rows]
    return sorted(names, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))


def describe(layer: Any) -> str:
    """One line: the layer, its feature count, renderer and categories."""
    renderer = layer.renderer()
    kind = renderer.type() if renderer else "aucun"
    text = f"{layer.name()}: {layer.featureCount()} entités, rendu {kind}"
    if kind == "categorizedSymbol":
        cats = ", ".join(f"{c.value()}={c.symbol().color().name()}" for c in renderer.categories())
        text += f" sur « {renderer.classAttribute()} » ({cats})"
    elif kind == "singleSymbol":
        text += f" ({renderer.symbol().color().name()})"
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gpkg", type=Path)
    parser.add_argument("-o", "--out", type=Path, default=Path("docs/img/export-qgis.png"))
    parser.add_argument("--check", action="store_true", help="exit 1 if a style is missing")
    args = parser.parse_args(argv)

    from qgis.core import (
        Qgis,
        QgsApplication,
        QgsLayout,
        QgsLayoutExporter,
        QgsLayoutItemLabel,
        QgsLayoutItemLegend,
        QgsLayoutItemMap,
        QgsLayoutPoint,
        QgsLayoutSize,
        QgsProject,
        QgsUnitTypes,
        QgsVectorLayer,
    )
    from qgis.PyQt.QtGui import QFont

    app = QgsApplication([], False)
    app.initQgis()
    project = QgsProject.instance()
    missing = []
    loaded = []
    for name in _layers(args.gpkg):
        layer = QgsVectorLayer(f"{args.gpkg}|layername={name}", name, "ogr")
        if not layer.isValid():
            print(f"{name}: couche illisible", file=sys.stderr)
            missing.append(name)
            continue
        line = describe(layer)
        print(line)
        # A layer QGIS styled itself gets a singleSymbol renderer of a random colour.
        if "categorizedSymbol" not in line and name in ("communes", "sites", "liens"):
            missing.append(name)
        loaded.append(layer)
    for layer in reversed(loaded):  # QGIS draws the first of the list on top
        project.addMapLayer(layer)

    layout = QgsLayout(project)
    layout.initializeDefaults()
    page = layout.pageCollection().page(0)
    page.setPageSize(QgsLayoutSize(297, 210, QgsUnitTypes.LayoutMillimeters))
    title = QgsLayoutItemLabel(layout)
    with sqlite3.connect(args.gpkg) as connection:
        prov = dict(connection.execute("SELECT cle, valeur FROM provenance").fetchall())
    title.setText(
        f"{args.gpkg.name} (zoning export) ouvert dans QGIS {Qgis.version().split('-')[0]}"
        f"\n{prov.get('arrêté', '')}"
    )
    title.setFont(QFont("DejaVu Sans", 11))
    title.attemptMove(QgsLayoutPoint(6, 3, QgsUnitTypes.LayoutMillimeters))
    title.attemptResize(QgsLayoutSize(285, 12, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(title)
    frame = QgsLayoutItemMap(layout)
    frame.attemptMove(QgsLayoutPoint(6, 16, QgsUnitTypes.LayoutMillimeters))
    frame.attemptResize(QgsLayoutSize(190, 184, QgsUnitTypes.LayoutMillimeters))
    frame.setLayers(list(reversed(loaded)))  # the first of the list is drawn on top
    extent = loaded[0].extent()
    extent.scale(1.03)
    frame.setExtent(extent)
    layout.addLayoutItem(frame)
    legend = QgsLayoutItemLegend(layout)
    legend.setLinkedMap(frame)
    legend.setTitle("Couches")
    legend.attemptMove(QgsLayoutPoint(200, 16, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(legend)
    footer = QgsLayoutItemLabel(layout)
    footer.setText(
        f"Styles lus dans la table layer_styles du GeoPackage ; {prov.get('outil', '')} ; "
        f"données : {prov.get('source cog_communes', '')}, "
        f"{prov.get('source population', '')}, QPV : {prov.get('source qpv_communes', '')}"
    )
    footer.setFont(QFont("DejaVu Sans", 7))
    footer.attemptMove(QgsLayoutPoint(6, 202, QgsUnitTypes.LayoutMillimeters))
    footer.attemptResize(QgsLayoutSize(285, 6, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(footer)
    settings = QgsLayoutExporter.ImageExportSettings()
    settings.dpi = 110
    args.out.parent.mkdir(parents=True, exist_ok=True)
    result = QgsLayoutExporter(layout).exportToImage(str(args.out), settings)
    print(f"image : {args.out} (export {result})")
    app.exitQgis()
    if args.check and missing:
        print(f"styles absents : {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
