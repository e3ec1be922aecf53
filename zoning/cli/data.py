"""``zoning data``: get the sources and build the zoning store."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from zoning.cli.french import FrenchGroup
from zoning.cli.options import DateParam, output_option, sources_option, store_option

if TYPE_CHECKING:
    from zoning.settings import Settings


@click.group(cls=FrenchGroup)
def data() -> None:
    """Télécharge les sources, construit le magasin de zonage, montre son contenu.

    \b
    Hors ligne (un dossier contenant les fichiers de data/sources.toml, ex. ../shared/data) :
      zoning data build --sources ../shared/data
    En ligne :
      zoning data fetch && zoning data build
    """


@data.command()
@click.option(
    "--dest",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="ZONING_SOURCES",
    help="Dossier où déposer les fichiers (variable ZONING_SOURCES ; par défaut : le cache "
    "de l'utilisateur).",
)
@click.option(
    "--only", multiple=True, help="Télécharger seulement la source de cet identifiant (répétable)."
)
@click.option(
    "--mirror",
    help="URL de base d'un miroir organisé comme un dossier de sources (ex. une copie sur "
    "l'intranet de l'ARS).",
)
@click.option("--force", is_flag=True, help="Télécharger à nouveau les fichiers déjà présents.")
def fetch(dest: Path | None, only: tuple[str, ...], mirror: str | None, force: bool) -> None:
    """Télécharge les fichiers d'origine listés dans data/sources.toml (taille et sha256 notés)."""
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
@click.option(
    "--region", default=None, help="Région dont les chiffres sont affichés (par défaut : 75)."
)
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
    """Construit le magasin de zonage depuis les fichiers sources et affiche ses contrôles.

    Écrit les tables GeoParquet, store.json (provenance, version de format, fichiers avec
    leur taille et sha256) et report.md / report.json (lignes lues, rattachées, non
    rattachées avec la raison, classes et parts de population par région). Les fichiers
    sources sont comparés aux tailles et sha256 de data/sources.toml : ceux qui diffèrent
    sont nommés et refusés, sauf avec --accept-changed.
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
    from zoning.store import ZoningStore

    for decree in ZoningStore.open(out).region_decrees(region or settings.region):
        if not decree.classes_loaded:
            click.echo(
                f"  {decree.provenance()} : classement non chargé (annexe absente des "
                f"sources) — `{decree.import_command()}`"
            )


@data.command()
@store_option
def info(store_path: Path | None) -> None:
    """Affiche les réglages et le contenu du magasin (provenance)."""
    import json

    from zoning.settings import get_settings
    from zoning.store import ZoningStore

    settings = get_settings()
    click.echo(f"ZONING_STORE    {store_path or settings.store}")
    click.echo(f"ZONING_SOURCES  {settings.sources}")
    click.echo(f"ZONING_CACHE    {settings.cache}")
    click.echo(f"ZONING_ADDOK_URL {settings.addok_url}")
    no_osrm = "(aucun : distances routières non calculées)"
    click.echo(f"ZONING_OSRM_URL {settings.osrm_url or no_osrm}")
    _echo_rules(settings)
    store = ZoningStore.open(store_path)
    click.echo(f"sources lues    {store.sources_dir()} (recherches FINESS, La Poste)")
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


def _caps(values: tuple[str, ...]) -> dict[str, float]:
    """``ZIP=16.8`` options as a caps mapping."""
    import math

    from zoning.errors import InvalidInputError

    caps = {}
    for value in values:
        zone, _, share = value.partition("=")
        try:
            cap = float(share.replace(",", ".").strip())
        except ValueError as exc:
            raise InvalidInputError(f"--cap « {value} » : ZONE=POURCENTAGE attendu") from exc
        if not zone.strip():
            raise InvalidInputError(f"--cap « {value} » : ZONE=POURCENTAGE attendu")
        if not (math.isfinite(cap) and 0 <= cap <= 100):
            raise InvalidInputError(
                f"--cap « {value} » : un plafond est un pourcentage de la population, "
                "entre 0 et 100"
            )
        caps[zone.strip().upper()] = cap
    return caps


@data.command("import-decree")
@click.argument("annex", metavar="ANNEXE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--region", required=True, help="Code de la région (ex. 75).")
@click.option("--id", "decree_id", required=True, help="Identifiant (ex. ars-na-2025-12-30).")
@click.option("--adopted", type=DateParam(), help="Date de signature de l'arrêté.")
@click.option("--in-force", "in_force", type=DateParam(), help="Première date d'application.")
@click.option("--replaces", help="Identifiant de l'arrêté remplacé.")
@click.option(
    "--cap", "caps", multiple=True, help="Plafond de population, ex. --cap ZIP=16.8 (répétable)."
)
@click.option(
    "--tvs",
    "tvs_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Table TVS → code INSEE, pour une annexe par territoire de vie-santé.",
)
@click.option("--sheet", help="Feuille du classeur (défaut : la première).")
@click.option(
    "--cog",
    "cog_vintage",
    type=click.IntRange(2000, 2100),
    help="Millésime du COG dans lequel l'annexe écrit ses communes (ex. 2025 : communes "
    "nouvelles sous leur code et leur nom de 2025). Défaut : celui de la fiche de "
    "l'arrêté (data/decrees), sinon celui du magasin.",
)
@click.option(
    "--apercu",
    "--dry-run",
    "dry_run",
    is_flag=True,
    help="Aperçu sans rien écrire : lignes lues, non rattachées, communes par classe, parts "
    "de population et plafonds, changements par rapport à l'arrêté remplacé (--replaces).",
)
@click.option("--overwrite", is_flag=True, help="Remplacer les classes d'un arrêté déjà chargé.")
@click.option(
    "--accepter-erreurs",
    "accept_errors",
    is_flag=True,
    help="Charger l'annexe malgré des lignes illisibles (ignorées, nommées dans le rapport "
    "et dans la provenance de l'arrêté ; une commune absente du tableau est « à vérifier »). "
    "Sans cette option, une annexe avec des lignes illisibles n'est pas chargée (sortie 2).",
)
@store_option
def import_decree(
    annex: Path,
    region: str,
    decree_id: str,
    adopted: date | None,
    in_force: date | None,
    replaces: str | None,
    caps: tuple[str, ...],
    tvs_path: Path | None,
    sheet: str | None,
    cog_vintage: int | None,
    dry_run: bool,
    overwrite: bool,
    accept_errors: bool,
    store_path: Path | None,
) -> None:
    """Charge l'annexe d'un arrêté de zonage dans le magasin (aperçu, puis adoption).

    \b
    ANNEXE : le PDF du recueil des actes administratifs (PDF texte : tableau de
    communes avec codes, communes par territoire de vie-santé, ou listes par
    classe et département), un export CartoSanté (Code;Libellé;… avec les codes
    1_ZIP, 2_ZAC, 3_QPV_ZIP…), ou un tableau CSV, XLSX, ODS. Chaque ligne est
    rattachée à un code INSEE (code imprimé, nom + département ou code postal,
    QPV, ou territoire de vie-santé avec --tvs). Classes lues : ZIP, ZAC, ZV, ZAR,
    HZ / hors zonage, en sigle, en toutes lettres ou en code ; les classes de
    niveau QPV (3_QPV_ZIP…) sont gardées et dites dans les réponses.
    Le rapport (lignes illisibles par page et ligne, codes inconnus ou en double,
    communes absentes, parts de population et plafonds, changements) est affiché ;
    à l'adoption il est gardé dans le magasin avec la trace du fichier (nom,
    sha256, taille, date, version) ; `zoning data remove-decree ID` l'annule.
    \b
    Exemple (arrêté Nouvelle-Aquitaine du 30/12/2025) :
      zoning data import-decree raa-annexe.pdf --region 75 --id ars-na-2025-12-30 \\
        --adopted 2025-12-30 --in-force 2026-02-03 --replaces ars-na-2022-04-25 --apercu
      (puis la même commande sans --apercu pour adopter)
    """
    from zoning.locate import lookup
    from zoning.store import ZoningStore
    from zoning.store.decree_import import import_decree as run_import

    store = ZoningStore.open(store_path)
    report = run_import(
        store,
        annex,
        decree_id=decree_id,
        region=region,
        communes=lookup,
        adopted=adopted,
        in_force=in_force,
        replaces=replaces,
        caps=_caps(caps),
        tvs_path=tvs_path,
        sheet=sheet,
        dry_run=dry_run,
        overwrite=overwrite,
        accept_errors=accept_errors,
        cog_vintage=cog_vintage,
    )
    for line in report.text_lines(max_info=50):
        click.echo(line)
    if report.refused:
        from zoning.errors import InvalidInputError

        raise InvalidInputError(
            f"{annex.name} : {report.count('erreur')} erreur(s) (lignes illisibles ou non "
            "rattachées, communes en conflit ou absentes : voir ci-dessus), annexe non "
            "chargée : corrigez-les, ou relancez avec --accepter-erreurs pour charger le reste "
            "(ces communes seront « à vérifier »)"
        )


@data.command("remove-decree")
@click.argument("decree_id", metavar="ARRETE")
@store_option
def remove_decree(decree_id: str, store_path: Path | None) -> None:
    """Retire les classes d'un arrêté importé (annule `import-decree`).

    \b
    Seul un arrêté importé (qui porte la trace de son fichier) peut être retiré ;
    un arrêté décrit dans data/decrees redevient « classes non chargées », un
    arrêté créé par l'import disparaît. Les arrêtés chargés par la construction
    du magasin sont refusés : ils viennent des sources (reconstruisez le magasin).
    """
    from zoning.settings import get_settings
    from zoning.store.decree_store import remove_decree as run_remove

    click.echo(run_remove(Path(store_path or get_settings().store), decree_id))


@data.command("export-decree")
@click.argument("decree_id", metavar="ARRETE")
@output_option(help="Fichier à écrire (.xlsx, .csv ou .ods).")
@store_option
def export_decree(decree_id: str, output: Path, store_path: Path | None) -> None:
    """Écrit les classes d'un arrêté chargé comme une annexe (code INSEE, commune, classe...)."""
    from zoning.report.decree_tables import write_table
    from zoning.store import ZoningStore
    from zoning.store.decree_store import export_table

    store = ZoningStore.open(store_path)
    headers, rows = export_table(store, decree_id)
    decree = store.decree(decree_id)
    write_table(output, {"annexe": (headers, rows)}, provenance=_provenance(store, decree))
    click.echo(f"{len(rows)} communes écrites dans {output} ({decree.provenance()})")


def _provenance(store: Any, decree: Any) -> list[list[Any]]:
    """Provenance rows for an exported table: decree, store, tool version."""
    from zoning import __version__

    return [
        ["arrêté", decree.provenance()],
        ["origine des classes", decree.classes_origin],
        ["magasin construit le", store.meta.get("built_at")],
        ["millésime des codes communes", f"COG {store.meta.get('cog_vintage')}"],
        ["outil", f"zoning {__version__}"],
    ]


@data.command("check-store")
@store_option
def check_store_command(store_path: Path | None) -> None:
    """Vérifie le magasin : version de format, fichiers présents, tailles et sha256.

    Sortie 0 si le magasin est intact ; 2 sinon, avec la liste des fichiers en cause et
    la commande pour le reconstruire.
    """
    from zoning.errors import StoreIntegrityError
    from zoning.settings import get_settings
    from zoning.store.integrity import REBUILD, check_store

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
