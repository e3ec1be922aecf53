"""``zoning export``: the zoning's layers for QGIS (GeoPackage, FlatGeobuf, Shapefile)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import click

from zoning.cli.french import FrenchCommand
from zoning.cli.options import date_option, store_option


@click.command(cls=FrenchCommand)
@click.argument("output", metavar="SORTIE", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--region",
    metavar="CODE",
    help="Code de la région (INSEE) ; par défaut : ZONING_REGION ou 75 (Nouvelle-Aquitaine).",
)
@click.option(
    "--arrete",
    "decree_id",
    metavar="ID",
    help="Identifiant d'un arrêté chargé (ex. ars-na-2022-04-25) : ses classes, quelle que "
    "soit la date (par défaut : l'arrêté en vigueur à --date, sinon le dernier chargé).",
)
@date_option
@click.option(
    "--depuis",
    "since",
    metavar="ID",
    help="Ajouter la couche « changements » : communes dont la classe diffère de celle de "
    "cet arrêté (chargé, même région).",
)
@click.option(
    "--postes",
    "posts",
    metavar="RESULTATS",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Résultat de `zoning batch` (.geojson, .xlsx, .csv) : ajoute les couches « sites » "
    "et « liens » (établissement → site, statut, distance).",
)
@click.option(
    "--programme",
    "-p",
    "programme_id",
    metavar="ID",
    help="Programme des postes quand leur fichier n'en nomme aucun.",
)
@click.option(
    "--tolerance",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Simplification des contours en mètres (0 : contours du magasin, sans perte).",
)
@store_option
def export(
    output: Path,
    region: str | None,
    decree_id: str | None,
    on: dt.date | None,
    since: str | None,
    posts: Path | None,
    programme_id: str | None,
    tolerance: float,
    store_path: Path | None,
) -> None:
    """Couches SIG du zonage pour QGIS, colorées comme les cartes HTML.

    SORTIE en .gpkg (GeoPackage : toutes les couches, leurs styles QGIS dans la table
    layer_styles et la provenance dans un seul fichier), .fgb (FlatGeobuf) ou .shp
    (Shapefile) : un fichier par couche, SORTIE-communes.shp…, chacun avec son style
    .qml du même nom (QGIS le charge) et SORTIE-provenance.csv ; noms de champs des
    Shapefiles coupés à 10 caractères.

    \b
    Couches : communes (code, nom, département, population, classe, arrêté,
    millésime), changements (avec --depuis), qpv (périmètres si les sources en ont,
    sinon un point par commune et QPV, la description de la couche le dit),
    departements (population par classe, parts et plafonds de l'arrêté, ligne région),
    sites et liens (avec --postes) ; table provenance (arrêté, sources, millésimes,
    version de l'outil).

    \b
    Exemples :
      zoning export couches.gpkg --region 75
      zoning export couches.gpkg --arrete ars-na-2025-12-30 --depuis ars-na-2022-04-25
      zoning export postes.gpkg --postes resultats.geojson
      zoning export couches.shp --region 75 --tolerance 50
    """
    from zoning.io.atomic import check_output
    from zoning.io.gpkg import output_driver
    from zoning.map.export.build import build_export
    from zoning.settings import get_settings
    from zoning.store import ZoningStore

    start = time.perf_counter()
    output_driver(output)  # an unknown suffix is refused before any work
    check_output(output, posts)
    store = ZoningStore.open(store_path)
    bundle = build_export(
        store,
        region=region or get_settings().region,
        on=on,
        decree_id=decree_id,
        since=since,
        posts=posts,
        programme=programme_id,
        tolerance_m=tolerance,
    )
    written = bundle.write(output)
    counts = ", ".join(f"{name} {n}" for name, n in bundle.counts().items())
    decree = bundle.coverage.decree
    click.echo(f"Arrêté : {decree.provenance()}")
    for key, value in bundle.provenance:
        if key == "avertissement":
            click.echo(f"Attention : {value}")
    click.echo(f"Couches : {counts}")
    for path in written:
        click.echo(f"Écrit : {path}")
    click.echo(f"({time.perf_counter() - start:.1f} s)")
