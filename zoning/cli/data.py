"""``zoning data``: get the sources and build the zoning store."""

from __future__ import annotations

from pathlib import Path

import click

from zoning.cli.options import sources_option, store_option


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
@click.option(
    "--accept-changed",
    is_flag=True,
    help="Accepter des fichiers sources différents de ceux du manifeste (taille, sha256) ; "
    "ils sont nommés dans la provenance du magasin (store.json, report.md).",
)
@click.option(
    "--wait",
    "lock_timeout",
    type=float,
    default=-1,
    metavar="SECONDES",
    help="Si un autre `data build` écrit le même magasin : attendre au plus tant de "
    "secondes, puis abandonner (défaut : attendre qu'il ait fini).",
)
def build(
    sources_dir: Path | None,
    store_path: Path | None,
    region: str | None,
    accept_changed: bool,
    lock_timeout: float,
) -> None:
    """Build the zoning store from the source files and print its checks.

    Writes GeoParquet tables, store.json (provenance, format version, files with their
    sizes and sha256) and report.md / report.json (rows read, matched, unmatched with
    why, classes and population shares per region). Source files are checked against
    the sizes and sha256 of data/sources.toml: those that differ are named and refused
    unless --accept-changed.
    """
    from zoning.settings import get_settings
    from zoning.store.build import build_store
    from zoning.store.report import region_lines

    settings = get_settings()
    out = store_path or settings.store
    report = build_store(
        sources_dir or settings.sources,
        out,
        accept_changed=accept_changed,
        lock_timeout=lock_timeout,
    )
    communes = report["communes"]
    rows = report["zoning_rows"]
    click.echo(f"Magasin de zonage écrit dans {out}")
    for line in report.get("accepted_changes", []):
        click.echo(f"  fichier source différent du manifeste, accepté : {line}")
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
    store = ZoningStore.open(store_path)
    click.echo(f"sources used    {store.sources_dir()} (FINESS, La Poste lookups)")
    click.echo(json.dumps(store.provenance(), ensure_ascii=False, indent=1))


@data.command("check-store")
@store_option
def check_store_command(store_path: Path | None) -> None:
    """Vérifie le magasin : version de format, fichiers présents, tailles et sha256.

    Sortie 0 si le magasin est intact ; 2 sinon, avec la liste des fichiers en cause et
    la commande pour le reconstruire.
    """
    from zoning.settings import get_settings
    from zoning.store.integrity import REBUILD, StoreIntegrityError, check_store

    folder = Path(store_path or get_settings().store)
    if not (folder / "store.json").is_file():
        from zoning.errors import StoreMissingError

        raise StoreMissingError(f"aucun magasin de zonage dans {folder}")
    problems = check_store(folder)
    if problems:
        raise StoreIntegrityError(
            f"magasin {folder} abîmé :\n  " + "\n  ".join(problems) + f"\n{REBUILD}"
        )
    import json

    files = json.loads((folder / "store.json").read_text(encoding="utf-8"))["files"]
    click.echo(f"Magasin {folder} intact : {len(files)} fichiers, tailles et sha256 conformes.")
