"""``zoning geocoder``: a local, offline addok geocoder built from the source files."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import click

from zoning.cli.french import FrenchGroup
from zoning.cli.options import sources_option

log = logging.getLogger(__name__)


@click.group("geocoder", cls=FrenchGroup)
def geocoder() -> None:
    """Géocodeur local hors ligne (addok + Redis) construit depuis les sources.

    \b
    Il connaît chaque commune de la base des codes postaux de La Poste (point de
    référence) et les adresses des hôpitaux FINESS ; ce n'est pas la BAN complète.
    Utilisation courante :
      zoning geocoder build --sources ../shared/data -o addok-docs.ndjson
      zoning geocoder serve --documents addok-docs.ndjson --port 7878
      ZONING_ADDOK_URL=http://127.0.0.1:7878 zoning geocode liste.csv -o sortie.xlsx
    """


@geocoder.command("build")
@sources_option
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Fichier NDJSON des documents addok à écrire.",
)
def build(sources_dir: Path | None, output: Path) -> None:
    """Écrit les documents addok (communes + voies des hôpitaux) en NDJSON."""
    from zoning.locate.geocode.documents import build_documents
    from zoning.settings import get_settings

    stats = build_documents(sources_dir or get_settings().sources, output)
    click.echo(
        f"{stats.total} documents écrits dans {output} : {stats.municipalities} communes, "
        f"{stats.streets} voies ({stats.housenumbers} numéros), "
        f"{stats.skipped_hospitals} hôpitaux sans voie ou commune ignorés"
    )


@geocoder.command("serve")
@click.option(
    "--documents",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Documents NDJSON (par défaut : construits au lancement depuis --sources).",
)
@sources_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface d'écoute ; gardez la boucle locale sauf pour partager le service.",
)
@click.option("--port", default=7878, show_default=True, type=int, help="Port HTTP.")
@click.option(
    "--workers", type=int, help="Processus gunicorn (par défaut : nombre de cœurs, au moins 2)."
)
def serve(
    documents: Path | None,
    sources_dir: Path | None,
    host: str,
    port: int,
    workers: int | None,
) -> None:
    """Lance Redis (socket Unix privée) et addok (gunicorn) jusqu'à Ctrl-C."""
    import signal
    import tempfile

    from zoning._compat import import_optional

    for needed in ("addok", "addok_csv", "gunicorn"):
        import_optional(needed)  # before the index is built: a missing extra is named, exit 2

    from zoning.locate.geocode.documents import build_documents
    from zoning.locate.geocode.server import LocalGeocoder
    from zoning.settings import get_settings

    def stop_on_term(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # same clean shutdown as Ctrl-C (Redis and gunicorn stopped)

    signal.signal(signal.SIGTERM, stop_on_term)
    with tempfile.TemporaryDirectory(prefix="zoning-geocoder-") as tmp:
        if documents is None:
            documents = Path(tmp) / "documents.ndjson"
            build_documents(sources_dir or get_settings().sources, documents)
        click.echo("Chargement de l'index (environ 30 s)...", err=True)
        with LocalGeocoder(documents, host=host, port=port, workers=workers) as local:
            click.echo(f"Géocodeur prêt : {local.url}")
            click.echo(f"  export ZONING_ADDOK_URL={local.url}")
            click.echo("Ctrl-C pour arrêter.")
            try:
                while local.http is not None and local.http.poll() is None:
                    time.sleep(1)
            except KeyboardInterrupt:
                click.echo("Arrêt.", err=True)
