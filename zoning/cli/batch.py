"""``zoning batch``: check a list of candidate posts against a programme's rules."""

from __future__ import annotations

from pathlib import Path

import click

from zoning.cli.options import store_option


@click.command(name="batch")
@click.argument(
    "input_file", metavar="ENTREE", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--programme",
    "-p",
    "programme_id",
    required=True,
    metavar="ID",
    help="Programme et campagne (fichier data/programmes/ID.toml), ex. na-mg-2023.",
)
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    metavar="SORTIE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Fichier de résultats : .xlsx (avec synthèse et provenance), .csv ou .geojson.",
)
@click.option(
    "--sheet", metavar="FEUILLE", default=None, help="Feuille Excel à lire (défaut : la première)."
)
@store_option
@click.option(
    "--geocode/--no-geocode",
    default=False,
    show_default=True,
    help="Géocoder les adresses (service addok de ZONING_ADDOK_URL ; par défaut le service "
    "public BAN, les adresses quittent la machine ; « off » : aucun envoi, repli sur la "
    "commune). Une adresse hors de la commune indiquée est refusée. Géocodeur en panne : "
    "arrêt (code 6), relancer reprend là où le travail s'est arrêté.",
)
@click.option("--no-progress", is_flag=True, help="Sans barre de progression.")
def batch(
    input_file: Path,
    programme_id: str,
    output: Path,
    sheet: str | None,
    store_path: Path | None,
    geocode: bool,
    no_progress: bool,
) -> None:
    """Vérifie une liste de postes candidats (CSV ou Excel) au regard d'un programme.

    \b
    Chaque ligne d'entrée se retrouve dans la sortie, dans le même ordre, avec :
      statut (éligible / non éligible / à vérifier / données invalides), motifs,
      zone et commune de chaque site, distances, règle des 20 km, prime, financement,
      précision de la localisation.

    \b
    Entrée : CSV (, ; ou tabulation ; UTF-8 ou Windows-1252) ou Excel (.xlsx), en-têtes
    en français, casse et accents indifférents. Colonnes utiles :
      rpps, date inscription ordre, specialite,
      finess | commune etablissement | longitude/latitude etablissement,
      type etablissement, demi-journees hopital (ou quotite hopital en %),
      site code insee | site longitude/latitude | site code postal + site commune |
      site finess | site adresse, type structure, site demi-journees,
      site 2 ..., site 3 ..., date debut, duree (mois), derogation duree (oui/non),
      derogation prime (entités juridiques différentes / unité pénitentiaire).

    \b
    Exemples :
      zoning batch data/examples/candidats_exemple.csv -p na-mg-2023 -o resultats.xlsx
      zoning batch candidats.xlsx -p cvl-assistants-partages -o resultats.csv

    Sous 20 km à vol d'oiseau, la distance routière vient du service OSRM de
    ZONING_OSRM_URL ; sans lui, la règle des 20 km est « à vérifier ».
    """
    from zoning.report.batch import run_batch
    from zoning.rules.distance import road_distance_from_settings
    from zoning.rules.sites import default_finess_locator, default_geocoder
    from zoning.store import ZoningStore

    store = ZoningStore.open(store_path)
    run = run_batch(
        input_file,
        programme_id,
        output,
        store,
        finess=default_finess_locator(store.sources_dir()),
        geocoder=default_geocoder() if geocode else None,
        road_distance=road_distance_from_settings(),
        sheet=sheet,
        progress=not no_progress,
    )
    click.echo("Colonnes reconnues :")
    for line in run.column_map.describe():
        click.echo(f"  {line}")
    if run.column_map.unknown:
        click.echo(
            "Colonnes recopiées sans être utilisées : "
            + ", ".join(f"« {c} »" for c in run.column_map.unknown)
        )
    counts = ", ".join(f"{status} {n}" for status, n in run.counts.items())
    click.echo(
        f"{run.rows} lignes ({counts}) -> {run.output} [{run.programme.id}, {run.seconds:.1f} s]"
    )
