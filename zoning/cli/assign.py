"""``zoning assign``: commune, zone and QPV for every point of a large file."""

from __future__ import annotations

import gc
from datetime import date
from pathlib import Path

import click

from zoning.cli.french import FrenchCommand
from zoning.cli.options import date_option, output_option, store_option


@click.command(cls=FrenchCommand)
@click.argument(
    "input_file", metavar="ENTREE", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@output_option(help="Fichier CSV ou Parquet à écrire (selon l'extension).")
@click.option("--lon-col", default="lon", show_default=True, help="Colonne de longitude (WGS84).")
@click.option("--lat-col", default="lat", show_default=True, help="Colonne de latitude (WGS84).")
@click.option(
    "--sep",
    default="auto",
    show_default=True,
    help="Séparateur CSV (entrée et sortie) ; auto : détecté (; , tabulation |).",
)
@click.option(
    "--encoding",
    default="auto",
    show_default=True,
    help="Encodage du CSV d'entrée ; auto : UTF-8 ligne par ligne, Windows-1252 sinon.",
)
@click.option(
    "--chunk-size",
    default=1_000_000,
    show_default=True,
    type=click.IntRange(1_000),
    help="Nombre de lignes gardées en mémoire à la fois.",
)
@click.option(
    "--workers",
    type=click.IntRange(1),
    default=None,
    help="Fils de calcul traitant les blocs en parallèle (défaut : les cœurs disponibles).",
)
@click.option("--no-progress", is_flag=True, help="Sans barre de progression.")
@date_option
@store_option
def assign(
    input_file: Path,
    output: Path,
    lon_col: str,
    lat_col: str,
    sep: str,
    encoding: str,
    chunk_size: int,
    workers: int | None,
    no_progress: bool,
    on: date | None,
    store_path: Path | None,
) -> None:
    """Ajoute commune, classe de zonage, arrêté et QPV à chaque point d'un CSV ou d'un Parquet.

    \b
    Lit le fichier bloc par bloc (10 millions de points en moins de 1 Go) ; chaque ligne
    est gardée, dans l'ordre ; une ligne aux coordonnées absentes ou illisibles reçoit des
    colonnes vides. La colonne « remarque » dit « à vérifier » et pourquoi quand la classe
    n'est pas sûre : arrêté en vigueur non chargé, arrêté échu, arrêté plus récent non
    chargé (sans --date), commune absente du tableau de l'arrêté.
      zoning assign adresses.parquet -o adresses-zones.parquet
      zoning assign sites.csv --lon-col x --lat-col y -o out.csv
    """
    from zoning._gc import paused_gc
    from zoning._malloc import keep_freed_memory

    keep_freed_memory()
    # Few objects but big arrays: the collector has nothing to find, and its passes
    # over the imports' objects cost more than the objects of the run.
    with paused_gc():
        from zoning.io.csvstream import check_text_file, sniff_file, text_encoding
        from zoning.locate.stream.zones import assign_zones_file
        from zoning.store import ZoningStore

        if input_file.suffix.lower() not in (".parquet", ".pq"):
            check_text_file(input_file)
            encoding = text_encoding(encoding, input_file)
            if sep == "auto":
                sep = sniff_file(input_file, encoding)

        report = assign_zones_file(
            ZoningStore.open(store_path),
            input_file,
            output,
            lon_col=lon_col,
            lat_col=lat_col,
            on=on,
            chunk_size=chunk_size,
            sep=sep,
            encoding=encoding,
            progress=not no_progress,
            workers=workers,
        )
    click.echo(
        f"{report.rows} lignes -> {output} : {report.matched} dans une commune, "
        f"{report.bad_coords} coordonnées illisibles ({report.seconds:.1f} s, "
        f"mémoire max {report.peak_rss_mb:.0f} Mo)"
    )
    # What the run allocated is freed by reference counting at exit: frozen, it is
    # spared the interpreter's last collection, a walk over every object (20 ms).
    gc.freeze()
