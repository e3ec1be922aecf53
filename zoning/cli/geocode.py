"""``zoning geocode``: geocode a CSV/Excel file (FINESS, BAN address, commune)."""

from __future__ import annotations

from pathlib import Path

import click

from zoning.cli.french import FrenchCommand
from zoning.cli.options import sources_option


@click.command("geocode", cls=FrenchCommand)
@click.argument("input_file", metavar="ENTREE", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Fichier de sortie : .csv (UTF-8 avec BOM, même séparateur) ou .xlsx.",
)
@click.option("--address-col", help="Colonne de l'adresse (auto : Adresse, Voie...).")
@click.option(
    "--number-col", help="Colonne du numéro dans la voie, s'il est à part (auto : Numéro)."
)
@click.option("--postcode-col", help="Colonne du code postal (auto : Code postal, CP).")
@click.option("--city-col", help="Colonne du nom de la commune (auto : Commune, Ville).")
@click.option("--citycode-col", help="Colonne du code INSEE (auto : Code INSEE, Insee).")
@click.option("--finess-col", help="Colonne du numéro FINESS ET (auto : FINESS, N° FINESS).")
@click.option("--sheet", help="Feuille Excel à lire (par défaut : la première).")
@click.option(
    "--addok-url",
    envvar="ZONING_ADDOK_URL",
    show_envvar=True,
    help="Géocodeur addok/BAN (par défaut : les réglages ; voir `zoning geocoder serve`).",
)
@sources_option
@click.option(
    "--min-score",
    default=0.5,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Réponse addok sous ce score : repli sur la commune.",
)
@click.option(
    "--chunk-size",
    default=2000,
    show_default=True,
    type=click.IntRange(1, 10000),
    help="Lignes par requête /search/csv (une requête par lot).",
)
@click.option(
    "--retries",
    default=None,
    type=click.IntRange(0, 20),
    help="Nouvelles tentatives par requête si le géocodeur tarde trop ou limite le débit "
    "(HTTP 429 : le délai Retry-After est respecté) ; par défaut ZONING_HTTP_RETRIES (4).",
)
@click.option("--no-cache", is_flag=True, help="Ne pas lire ni écrire le cache des réponses.")
def geocode(
    input_file: Path,
    output: Path,
    address_col: str | None,
    number_col: str | None,
    postcode_col: str | None,
    city_col: str | None,
    citycode_col: str | None,
    finess_col: str | None,
    sheet: str | None,
    addok_url: str | None,
    sources_dir: Path | None,
    min_score: float,
    chunk_size: int,
    retries: int | None,
    no_cache: bool,
) -> None:
    """Géocode chaque ligne d'un fichier CSV ou Excel.

    \b
    Pour chaque ligne, dans cet ordre :
      1. numéro FINESS connu -> coordonnées FINESS (précision « finess ») ;
      2. adresse reconnue par la BAN/addok -> « address » ou « street » ;
      3. sinon le point de référence de la commune (code INSEE, ou code postal
         et nom) -> « municipality », jamais présenté comme une adresse ;
      4. sinon « none », avec la raison.
    Toutes les lignes ressortent, dans l'ordre, avec longitude, latitude,
    precision, source, score, label, citycode et reason.

    \b
    Exemples :
      zoning geocode structures.csv -o structures_geo.xlsx
      zoning geocode liste.csv -o sortie.csv --address-col "Adresse du site" --city-col Ville
      zoning geocoder serve &   # géocodeur local hors ligne, puis ZONING_ADDOK_URL=...

    Les réponses sont gardées en cache (ZONING_CACHE) : relancer ne coûte rien et reprend
    un traitement interrompu par une panne du géocodeur (code de sortie 6).

    \b
    Confidentialité : par défaut les adresses partent au service public de la Base
    Adresse Nationale, servi par la Géoplateforme de l'IGN (data.geopf.fr/geocodage),
    par lots de --chunk-size lignes (/search/csv) ; ZONING_ADDOK_URL=off : aucune
    adresse ne quitte la machine (repli sur la commune, à vérifier). Une adresse
    trouvée hors de la commune indiquée (code INSEE, code postal et commune, ou
    « 64100 Bayonne » en fin d'adresse) est refusée : la commune est retenue.
    """
    from tqdm import tqdm

    from zoning.io.xlsx import EXCEL_SUFFIXES
    from zoning.locate.geocode.pipeline import Geocoder
    from zoning.report.geocode_table import geocode_file

    if output.suffix.lower() not in (".csv", *EXCEL_SUFFIXES):
        from zoning.errors import InvalidInputError

        raise InvalidInputError(
            f"{output.name} : format de sortie non pris en charge (.csv, .xlsx) ; rien n'est écrit"
        )

    geocoder = Geocoder(
        url=addok_url,
        sources=sources_dir,
        cache_path=False if no_cache else None,
        min_score=min_score,
        chunk_size=chunk_size,
        retries=retries,
    )
    with tqdm(desc="géocodage", unit="ligne", disable=None) as bar:

        def set_total(total: int) -> None:
            bar.total = total
            bar.refresh()

        frame, outcome, columns = geocode_file(
            input_file, output, geocoder, sheet=sheet, progress=bar.update, on_total=set_total,
            address=address_col, number=number_col, postcode=postcode_col,
            city=city_col, citycode=citycode_col, finess=finess_col,
        )  # fmt: skip
    counts: dict[str, int] = {}
    for r in outcome.results:
        counts[r.precision] = counts.get(r.precision, 0) + 1
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    click.echo(f"Colonnes : {columns.describe()}")
    click.echo(f"{len(frame)} ligne(s) écrites dans {output} ({summary})")
    if outcome.error:
        from zoning.errors import GeocoderUnavailableError

        raise GeocoderUnavailableError(
            f"{outcome.unfinished} ligne(s) non géocodée(s), le fichier est écrit quand même : "
            f"{outcome.error}"
        )
