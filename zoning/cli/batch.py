"""``zoning batch``: check a list of candidate posts against a programme's rules."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from zoning.report.candidates import Candidates

from zoning.cli.french import FrenchCommand
from zoning.cli.options import store_option


@click.command(name="batch", cls=FrenchCommand)
@click.argument(
    "input_file",
    metavar="ENTREE",
    required=False,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
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
    metavar="SORTIE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Fichier de résultats : .xlsx (avec synthèse, motifs et provenance), .csv ou .geojson.",
)
@click.option(
    "--sheet",
    metavar="FEUILLE",
    default=None,
    help="Feuille à lire (défaut : celle dont les en-têtes sont reconnus, « Dossiers » "
    "pour un export Démarches Simplifiées).",
)
@click.option(
    "--colonnes",
    "mapping_file",
    metavar="FICHIER.toml",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='Correspondances imposées, une par ligne : "En-tête" = "champ" ("" : ignorer).',
)
@click.option(
    "--colonne",
    "mapping_pairs",
    metavar='"EN-TÊTE=CHAMP"',
    multiple=True,
    help="Correspondance imposée pour une colonne (répétable ; prime sur --colonnes).",
)
@click.option(
    "--apercu",
    is_flag=True,
    help="Affiche les correspondances et les cinq premières lignes lues, sans traiter.",
)
@click.option(
    "--modele",
    "template",
    metavar="MODELE.xlsx",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Écrit un modèle vide pour le programme (feuille « Notice » comprise) et s'arrête.",
)
@store_option
@click.option(
    "--geocode/--no-geocode",
    default=False,
    show_default=True,
    help="Géocoder les adresses (service addok de ZONING_ADDOK_URL ; par défaut le service "
    "public BAN de la Géoplateforme, data.geopf.fr/geocodage, par lots /search/csv : les "
    "adresses quittent la machine ; « off » : aucun envoi, repli sur la "
    "commune). Une adresse hors de la commune indiquée est refusée. Géocodeur en panne : "
    "arrêt (code 6), relancer reprend là où le travail s'est arrêté.",
)
@click.option("--no-progress", is_flag=True, help="Sans barre de progression.")
def batch(
    input_file: Path | None,
    programme_id: str,
    output: Path | None,
    sheet: str | None,
    mapping_file: Path | None,
    mapping_pairs: tuple[str, ...],
    apercu: bool,
    template: Path | None,
    store_path: Path | None,
    geocode: bool,
    no_progress: bool,
) -> None:
    """Vérifie une liste de postes candidats (CSV, Excel, ODS) au regard d'un programme.

    \b
    Chaque ligne d'entrée se retrouve dans la sortie, dans le même ordre, avec :
      statut (éligible / non éligible / à vérifier / données invalides), motifs
      et leurs codes (expliqués dans la feuille « Motifs » du .xlsx), zone et
      commune de chaque site, distances, règle des 20 km, prime, financement,
      précision de la localisation.

    \b
    Entrée : CSV (, ; tabulation ; UTF-8, UTF-16 ou Windows-1252, même mélangés),
    Excel (.xlsx, .xls) ou ODS, dont les exports Démarches Simplifiées (feuille
    « Dossiers », blocs répétables pour les sites 2 et 3). Les en-têtes sont reconnus
    par leur sens (« Numéro FINESS de l'établissement employeur », « Nombre de
    demi-journées hebdomadaires à l'hôpital »…) ; la correspondance est affichée avant
    le traitement, les colonnes douteuses signalées, jamais devinées.
    Ce que les données disent déjà n'est pas demandé : le statut de l'établissement
    vient de son FINESS, la spécialité d'un programme mono-spécialité est supposée.

    \b
    Exemples :
      zoning batch data/examples/candidats_exemple.csv -p na-mg-2023 -o resultats.xlsx
      zoning batch dossiers_postes-partages.xlsx -p na-mg-2023 --apercu
      zoning batch export.csv -p na-mg-2023 --colonne "Lieu d'exercice=site1_ville" -o r.xlsx
      zoning batch --modele modele.xlsx -p na-mg-2023

    Sous le seuil du programme (20 km) à vol d'oiseau, la distance routière vient du
    service OSRM de ZONING_OSRM_URL ; sans lui, la règle est « à vérifier ». Un site
    connu par sa seule commune est jugé sur toute la commune : au-delà du seuil partout,
    la règle est remplie ; sinon « à vérifier », avec l'écart à vol d'oiseau.
    """
    from zoning.errors import InvalidInputError
    from zoning.io.xlsx import check_rows_fit
    from zoning.report.candidates import load_candidates, preview
    from zoning.report.columns import require_columns
    from zoning.rules.programme import load_programme

    programme = load_programme(programme_id)
    if template is not None:
        from zoning.report.template import write_template

        headers = write_template(programme, template)
        click.echo(f"Modèle écrit : {template} ({len(headers)} colonnes, feuille « Notice »)")
        return
    if input_file is None:
        raise InvalidInputError("fichier d'entrée manquant (ENTREE), ou --modele MODELE.xlsx")
    overrides = _overrides(mapping_file, mapping_pairs)
    # The mapping is shown before any refusal, so that the user sees what to override.
    candidates = load_candidates(input_file, programme, sheet, overrides, require=False)
    table = candidates.table
    _show_mapping(candidates)
    require_columns(candidates.cmap, programme.hospital_required, table.name)
    if apercu:
        click.echo("Aperçu des cinq premières lignes (ligne, champ, valeur) :")
        for line, name, value in preview(candidates, programme):
            click.echo(f"  {line:>4}  {name:<24} {value}")
        return
    if output is None:
        raise InvalidInputError("fichier de sortie manquant : -o SORTIE (.xlsx, .csv, .geojson)")
    check_rows_fit(output, len(table.rows))  # before any work: Excel holds 1 048 575 rows

    from zoning.io.atomic import check_output
    from zoning.report import service
    from zoning.report.writers import check_output_format, write_batch
    from zoning.store import ZoningStore

    context = service.batch_context(programme, ZoningStore.open(store_path), geocode=geocode)
    check_output_format(output)
    check_output(output, input_file)
    checked = service.run(candidates, context, bar=not no_progress)
    write_batch(checked, output)
    counts = ", ".join(f"{status} {n}" for status, n in checked.counts.items())
    click.echo(
        f"{checked.rows} lignes ({counts}) -> {checked.output} [{checked.programme.id}, "
        f"{checked.seconds:.1f} s]"
    )


def _overrides(mapping_file: Path | None, pairs: tuple[str, ...]) -> dict[str, str | None]:
    """The mappings the person imposed: the file's, then each --colonne (which wins)."""
    from zoning.report.columns import parse_override, read_mapping_file

    overrides: dict[str, str | None] = {}
    if mapping_file is not None:
        overrides.update(read_mapping_file(mapping_file))
    for pair in pairs:
        header, name = parse_override(pair)
        overrides[header] = name
    return overrides


def _show_mapping(candidates: Candidates) -> None:
    """What was read and how each column was matched, on the terminal."""
    from zoning.report.results import mapping_line

    table = candidates.table
    where = f", feuille « {table.sheet} »" if table.sheet else ""
    click.echo(f"{table.name}{where} : {len(table.rows)} lignes, en-tête ligne {table.header_line}")
    for said in table.said():  # other sheets, hidden rows, totals set apart (zoning.io.read)
        click.echo(f"  {said}")
    click.echo("Correspondance des colonnes :")
    for column in candidates.cmap.columns:
        if column.field is not None:
            click.echo(f"  {mapping_line(column)}")
    unused = [c for c in candidates.cmap.columns if c.field is None]
    if unused:
        click.echo(f"Colonnes recopiées sans être utilisées ({len(unused)}) :")
        for column in unused:
            click.echo(f"  {mapping_line(column)}")
    for line in candidates.cmap.warnings:
        click.echo(f"À vérifier : {line}", err=True)
    if candidates.block_sheet:
        click.echo(f"Sites supplémentaires lus dans la feuille « {candidates.block_sheet} »")
