"""``zoning data``: get the sources and build the zoning store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from zoning.cli.options import sources_option, store_option

if TYPE_CHECKING:
    from zoning.settings import Settings


@click.group()
def data() -> None:
    """Download sources, build the zoning store, show what is there.

    \b
    Offline (a folder holding the files of data/sources.toml, e.g. ../shared/data):
      zoning data build --sources ../shared/data
    Online:
      zoning data fetch && zoning data build
    """


@data.command()
@click.option(
    "--dest",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="ZONING_SOURCES",
    help="Where to put the files (env ZONING_SOURCES; default: the user cache).",
)
@click.option("--only", multiple=True, help="Fetch only this source id (repeatable).")
@click.option(
    "--mirror",
    help="Base URL of a mirror laid out like a sources folder (e.g. an ARS intranet copy).",
)
@click.option("--force", is_flag=True, help="Download again files already present.")
def fetch(dest: Path | None, only: tuple[str, ...], mirror: str | None, force: bool) -> None:
    """Download the upstream files listed in data/sources.toml (size and sha256 recorded)."""
    from zoning.settings import get_settings
    from zoning.sources.fetch import fetch_sources
    from zoning.sources.manifest import load_manifest

    dest = dest or get_settings().sources
    records = fetch_sources(
        load_manifest(), dest, only=list(only) or None, mirror=mirror, force=force
    )
    click.echo(f"{len(records)} fichier(s) téléchargé(s) dans {dest}")
    for record in records:
        click.echo(f"  {record['name']}  {record['size']} o  sha256 {record['sha256'][:16]}…")


@data.command()
@sources_option
@store_option
@click.option("--region", default=None, help="Region whose figures are printed (default 75).")
def build(sources_dir: Path | None, store_path: Path | None, region: str | None) -> None:
    """Build the zoning store from the source files and print its checks.

    Writes GeoParquet tables, store.json (provenance) and report.md / report.json
    (rows read, matched, unmatched with why, classes and population shares per region).
    """
    from zoning.settings import get_settings
    from zoning.store.build import build_store
    from zoning.store.report import region_lines

    settings = get_settings()
    out = store_path or settings.store
    report = build_store(sources_dir or settings.sources, out)
    communes = report["communes"]
    rows = report["zoning_rows"]
    click.echo(f"Magasin de zonage écrit dans {out}")
    click.echo(
        f"  communes : {communes['total']} ({communes['with_polygon']} avec contour) ; "
        f"lignes de zonage : {rows['read']} lues, {rows['matched']} rattachées, "
        f"{len(rows['unmatched'])} non rattachées (voir report.md)"
    )
    summary = report["regions"].get(region or settings.region)
    if summary:
        for line in region_lines(summary):
            click.echo(line)
        if summary["unclassified"]:
            click.echo(
                f"  communes sans classe : {len(summary['unclassified'])} (raisons dans report.md)"
            )


@data.command()
@store_option
def info(store_path: Path | None) -> None:
    """Show the settings and what the store holds (provenance)."""
    import json

    from zoning.settings import get_settings
    from zoning.store import ZoningStore

    settings = get_settings()
    click.echo(f"ZONING_STORE    {store_path or settings.store}")
    click.echo(f"ZONING_SOURCES  {settings.sources}")
    click.echo(f"ZONING_CACHE    {settings.cache}")
    click.echo(f"ZONING_ADDOK_URL {settings.addok_url}")
    click.echo(f"ZONING_OSRM_URL {settings.osrm_url or '(none: road distances not computed)'}")
    _echo_rules(settings)
    store = ZoningStore.open(store_path)
    click.echo(f"sources used    {store.sources_dir()} (FINESS, La Poste lookups)")
    click.echo(json.dumps(store.provenance(), ensure_ascii=False, indent=1))


def _echo_rules(settings: Settings) -> None:
    """The rules files in use and where each comes from (shipped or the user folder)."""
    click.echo(f"ZONING_RULES    {settings.rules} (programmes et arrêtés ajoutés ou remplacés)")
    click.echo(f"règles livrées  {settings.data} ({settings.data_origin})")
    click.echo(f"  manifeste     {settings.manifest}")
    for label, rules in (
        ("arrêté", settings.rule_files("decrees")),
        ("programme", settings.rule_files("programmes")),
    ):
        for rule in rules.values():
            click.echo(f"  {label:<12}{rule.id}  [{rule.origin}]  {rule.path}")
