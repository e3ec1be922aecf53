"""``zoning map``: interactive HTML maps that open offline (coverage, posts)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path
from typing import Any

import click

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
        help="Region code (INSEE), default ZONING_REGION or 75 (Nouvelle-Aquitaine).",
    ),
    date_option,
    store_option,
    click.option(
        "--tolerance",
        type=click.FloatRange(min=0),
        default=150.0,
        show_default=True,
        help="Display simplification in metres (shared borders simplified once; 0 = none).",
    ),
    click.option(
        "--tiles/--no-tiles",
        default=False,
        show_default=True,
        help="Offer an OpenStreetMap background layer (needs the network, off until ticked).",
    ),
    click.option(
        "--figures/--no-figures",
        default=True,
        show_default=True,
        help="Also write the per-département table and chart beside the map.",
    ),
]


def _with_common(func: Any) -> Any:
    for option in reversed(_common):
        func = option(func)
    return func


@click.group("map")
def map_group() -> None:
    """Render interactive maps as single HTML files that open with no network.

    \b
    Leaflet and its plugins are inlined from the project's npm packages
    (run `npm ci` at the repository root once). Examples:
      zoning map coverage -o maps/couverture.html
      zoning map coverage --region 75 --date 2023-06-01 -o maps/na-2023.html
      zoning map posts resultats.csv -o maps/postes.html
    """


@map_group.command("coverage")
@_with_common
@output_option(Path("maps/couverture.html"), "HTML file to write.")
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
    """Communes coloured by zoning class (ZIP, ZAC, hors zonage…), QPV, départements.

    Tooltips give commune, code, class and population; a search box finds a commune by
    name; the legend names the decree, its dates, the data vintages and the tool version.
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
@click.argument("results", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_with_common
@click.option(
    "--coverage/--no-coverage",
    "with_coverage",
    default=True,
    show_default=True,
    help="Draw the communes by class underneath (needs the zoning store).",
)
@output_option(Path("maps/postes.html"), "HTML file to write.")
def posts(
    results: Path,
    region: str | None,
    on: dt.date | None,
    store_path: Path | None,
    tolerance: float,
    tiles: bool,
    figures: bool,
    with_coverage: bool,
    output: Path,
) -> None:
    """Posts of a batch result: hospital and ambulatory sites, distance, status.

    RESULTS is the batch output (CSV, Excel or GeoJSON) with, per post: id, programme,
    statut, site_principal_nom/_lon/_lat, site_nom/_lon/_lat (one row per ambulatory
    site, or numbered site1_…, site2_… columns), distance_km, prime, financement.
    """
    from zoning.map.posts import posts_map, read_posts
    from zoning.map.render import save_map

    _checked_output(output, results)
    table = read_posts(results)
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
