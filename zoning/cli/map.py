"""``zoning map``: interactive HTML maps that open offline (coverage, posts)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path
from typing import Any

import click

from zoning.cli.french import FrenchGroup
from zoning.cli.options import date_option, output_option, store_option

log = logging.getLogger(__name__)


def _open_store(store: Path | None) -> Any:
    from zoning.store import ZoningStore

    return ZoningStore.open(store)


def _coverage(
    store: Path | None,
    region: str | None,
    on: dt.date | None,
    tolerance: float,
    decree_id: str | None = None,
) -> Any:
    from zoning.map.data import load_coverage
    from zoning.settings import get_settings

    return load_coverage(
        _open_store(store),
        region=region or get_settings().region,
        on=on,
        tolerance_m=tolerance,
        decree_id=decree_id,
    )


def _checked_output(output: Path, *inputs: Path) -> Path:
    """Refuse an unwritable output before the work; create the default ``maps/`` folder."""
    from zoning.io.atomic import check_output

    ctx = click.get_current_context()
    if ctx.get_parameter_source("output") is click.core.ParameterSource.DEFAULT:
        output.parent.mkdir(parents=True, exist_ok=True)
    return check_output(output, *inputs)


def _figures(coverage: Any, posts: Any, output: Path) -> list[Path]:
    from zoning.map.figures import write_figures

    return write_figures(coverage, output.with_suffix(""), posts=posts)


_common = [
    click.option(
        "--region",
        metavar="CODE",
        help="Code de la région (INSEE) ; par défaut : ZONING_REGION ou 75 (Nouvelle-Aquitaine).",
    ),
    date_option,
    store_option,
    click.option(
        "--tolerance",
        type=click.FloatRange(min=0),
        default=150.0,
        show_default=True,
        help="Simplification de l'affichage, en mètres (frontières partagées simplifiées une "
        "fois ; 0 = aucune).",
    ),
    click.option(
        "--tiles/--no-tiles",
        default=False,
        show_default=True,
        help="Proposer un fond OpenStreetMap (réseau requis ; masqué tant qu'il n'est pas coché).",
    ),
    click.option(
        "--figures/--no-figures",
        default=True,
        show_default=True,
        help="Écrire aussi, à côté de la carte, le tableau et le graphique par département.",
    ),
]


def _with_common(func: Any) -> Any:
    for option in reversed(_common):
        func = option(func)
    return func


@click.group("map", cls=FrenchGroup)
def map_group() -> None:
    """Produit des cartes interactives, chacune en un seul fichier HTML lisible sans réseau.

    \b
    Leaflet et ses extensions sont intégrés depuis les paquets npm du projet
    (lancer `npm ci` une fois à la racine du dépôt). Exemples :
      zoning map coverage -o maps/couverture.html
      zoning map coverage --region 75 --date 2023-06-01 -o maps/na-2023.html
      zoning map posts resultats.csv -o maps/postes.html
    """


@map_group.command("coverage")
@_with_common
@output_option(Path("maps/couverture.html"), "Fichier HTML à écrire.")
@click.option(
    "--decree",
    "decree_id",
    help="Identifiant d'un arrêté chargé (ex. ars-na-2025-12-30) : ses classes, quelle que "
    "soit la date.",
)
def coverage(
    decree_id: str | None,
    region: str | None,
    on: dt.date | None,
    store_path: Path | None,
    tolerance: float,
    tiles: bool,
    figures: bool,
    output: Path,
) -> None:
    """Communes colorées selon leur classe (ZIP, ZAC, hors zonage…), QPV, départements.

    Les infobulles donnent commune, code, classe et population ; un champ de recherche
    trouve une commune par son nom ; la légende indique l'arrêté, ses dates, les
    millésimes des données et la version de l'outil.
    """
    from zoning.map.coverage import coverage_map
    from zoning.map.render import save_map

    start = time.perf_counter()
    _checked_output(output)
    data = _coverage(store_path, region, on, tolerance, decree_id)
    path = save_map(coverage_map(data, tiles=tiles), output)
    size = path.stat().st_size / 1e6
    click.echo(
        f"Carte écrite : {path} ({len(data.communes)} communes, {size:.1f} Mo, "
        f"{time.perf_counter() - start:.1f} s)"
    )
    if figures:
        for extra in _figures(data, None, output):
            click.echo(f"Figure écrite : {extra}")


@map_group.command("posts")
@click.argument(
    "results", metavar="RESULTATS", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@_with_common
@click.option(
    "--coverage/--no-coverage",
    "with_coverage",
    default=True,
    show_default=True,
    help="Dessiner dessous les communes selon leur classe (magasin de zonage requis).",
)
@click.option(
    "--programme",
    "-p",
    "programme_id",
    metavar="ID",
    help="Programme des postes quand le fichier n'en nomme aucun connu (ni colonne « programme »"
    ", ni provenance d'un batch) : son seuil de distance de la prime est dessiné.",
)
@output_option(Path("maps/postes.html"), "Fichier HTML à écrire.")
def posts(
    results: Path,
    region: str | None,
    on: dt.date | None,
    store_path: Path | None,
    tolerance: float,
    tiles: bool,
    figures: bool,
    with_coverage: bool,
    programme_id: str | None,
    output: Path,
) -> None:
    """Postes d'un résultat de batch : site hospitalier, sites ambulatoires, distance, statut.

    RESULTATS est la sortie de `zoning batch` (CSV, Excel ou GeoJSON), lue par ses propres
    noms de colonnes, ou un fichier fait à la main avec, par poste : id, programme, statut,
    site_principal_nom/_lon/_lat, site_nom/_lon/_lat (une ligne par site ambulatoire, ou
    colonnes numérotées site1_…, site2_…), distance_km, prime, financement. Distances et
    verdicts sont ceux du fichier ; le cercle autour du site principal est le seuil de la
    prime du programme.
    """
    from zoning.map.posts.page import posts_map
    from zoning.map.posts.read import read_posts
    from zoning.map.render import save_map

    _checked_output(output, results)
    table = read_posts(results, programme_id)
    data = _coverage(store_path, region, on, tolerance) if with_coverage or figures else None
    fmap = posts_map(table, data if with_coverage else None, tiles=tiles)
    path = save_map(fmap, output)
    click.echo(
        f"Carte écrite : {path} ({table.rows['post_id'].nunique()} postes, "
        f"{int(table.rows['drawable'].sum())} trajets dessinés)"
    )
    for note in table.notes:
        click.echo(f"Attention : {note}")
    if figures and data is not None:
        for extra in _figures(data, table, output):
            click.echo(f"Figure écrite : {extra}")
