"""``zoning draft``: a draft zoning (« projet »), its gauges against the caps, its annex.

The options are read in the order typed: each ``--classe`` applies to the communes,
départements and territories that follow it (``--classe ZIP --departement 23 --classe HZ
--commune 23096``). The library does the work (:mod:`zoning.store.draft`,
:mod:`zoning.report.draft_annex`, :mod:`zoning.map.export.draft`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from zoning.cli.french import FrenchCommand
from zoning.cli.options import store_option

_SHOWN = 40
# Options whose order matters: --classe sets the class of the targets that follow it.
_ORDERED = {
    "--classe": "classe",
    "--commune": "commune",
    "--departement": "departement",
    "--territoire": "territoire",
}


class _OrderedCommand(FrenchCommand):
    """Keeps the order of the --classe / target options in ``ctx.meta['draft_steps']``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        steps: list[tuple[str, str]] = []
        i = 0
        while i < len(args):
            arg = args[i]
            if arg == "--":
                break
            name, eq, value = arg.partition("=")
            if name in _ORDERED:
                if not eq:
                    i += 1
                    value = args[i] if i < len(args) else ""
                steps.append((_ORDERED[name], value))
            i += 1
        ctx.meta["draft_steps"] = steps
        return super().parse_args(ctx, args)


def _caps(values: tuple[str, ...]) -> dict[str, float]:
    from zoning.errors import InvalidInputError
    from zoning.io.values import to_number
    from zoning.store.draft import zone_name

    caps = {}
    for value in values:
        zone, sep, number = value.partition("=")
        # Read as the « Simuler » page reads a cap (« 16,8 », « 16.8 % »).
        cap = to_number(number) if sep else None
        if cap is None:
            raise InvalidInputError(f"--plafond {value} : CLASSE=POURCENT attendu (ex. ZIP=16,8)")
        caps[zone_name(zone)] = cap
    return caps


@click.command(cls=_OrderedCommand)
@click.option("--depuis", "base_id", metavar="ARRETE", help="Arrêté chargé de départ.")
@click.option("--region", help="Région d'un projet vide (sans --depuis), ex. 75.")
@click.option(
    "--classe",
    "zones",
    multiple=True,
    help="Classe (ZIP, ZAC, ZV, ZAR, HZ) donnée aux communes, départements et territoires "
    "qui suivent.",
)
@click.option("--commune", "communes", multiple=True, help="Code INSEE (ou liste « a,b,c »).")
@click.option("--departement", "departements", multiple=True, help="Code du département.")
@click.option(
    "--territoire", "territories", multiple=True, help="Code d'un territoire de la table --tvs."
)
@click.option(
    "--tvs",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Table territoire → communes (CSV/XLSX : code du territoire, code INSEE), "
    "par ex. la table TVS de la DREES.",
)
@click.option(
    "--plafond",
    "caps",
    multiple=True,
    metavar="CLASSE=POURCENT",
    help="Plafond de population tapé (remplace celui de l'arrêté), ex. ZIP=16,8.",
)
@click.option(
    "--marge",
    type=float,
    default=None,
    help="Marge autour du plafond, en % du plafond (défaut 5).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Projet à écrire : annexe .xlsx ou .csv (lisible par `zoning data import-decree`) "
    "ou couches .gpkg pour QGIS.",
)
@store_option
@click.pass_context
def draft(ctx: click.Context, /, **kwargs: Any) -> None:
    """Projet de zonage : change des classes, voit les parts de population contre les plafonds.

    \b
    Part d'un arrêté chargé (--depuis) ou d'un projet vide (--region), applique dans
    l'ordre chaque --classe aux communes, départements et territoires qui la suivent,
    puis affiche les jauges (part de la population régionale par classe, plafond et
    marge, « au-dessus du plafond » quand il est franchi) et les communes qui changent.
    Le fichier écrit est un PROJET : il ne devient un arrêté qu'importé par
    `zoning data import-decree`.

    \b
    Exemples :
      zoning draft --depuis ars-na-2022-04-25 --classe ZIP --departement 23 \\
          --classe HZ --commune 23096 -o projet.xlsx
      zoning draft --depuis ars-na-2022-04-25 --tvs tvs.csv --classe ZAC --territoire 87085
      zoning draft --region 75 --plafond ZIP=16,8 --plafond ZAC=45,8 --classe ZIP \\
          --departement 23 -o projet.csv
      zoning data import-decree projet.xlsx --region 75 --id projet-2026 \\
          --in-force 2026-09-01 --replaces ars-na-2022-04-25
    """
    from zoning.errors import InvalidInputError
    from zoning.map.export.draft import write_draft
    from zoning.store import ZoningStore
    from zoning.store.annex_resolve import read_tvs_table
    from zoning.store.draft import DEFAULT_MARGIN, apply, import_command, operation, start

    store = ZoningStore.open(kwargs["store_path"])
    margin = kwargs["marge"] if kwargs["marge"] is not None else DEFAULT_MARGIN
    current = start(store, kwargs["base_id"], kwargs["region"], _caps(kwargs["caps"]), margin)
    tvs = read_tvs_table(kwargs["tvs"]) if kwargs["tvs"] else None
    zone = ""
    for kind, value in ctx.meta.get("draft_steps", []):
        if kind == "classe":
            zone = value
            continue
        if not zone:
            raise InvalidInputError(f"--{kind} {value} : donnez d'abord la classe (--classe ZIP)")
        for key in value.split(",") if kind == "commune" else [value]:
            current = apply(current, operation(current, zone, kind, key, tvs))
    _echo(current)
    if kwargs["output"] is not None:
        write_draft(kwargs["output"], current, store)
        click.echo(f"Écrit (PROJET, non adopté) : {kwargs['output']}")
        annex = kwargs["output"]
        if annex.suffix.lower() == ".gpkg":
            # The GeoPackage is for QGIS; import-decree reads the annex tables.
            annex = annex.with_suffix(".xlsx")
            click.echo(f"Les couches sont pour QGIS ; l'annexe s'écrit avec -o {annex}")
        click.echo(f"Pour l'adopter, après relecture : {import_command(current, str(annex))}")


def _echo(current: Any) -> None:
    from zoning.io.french import format_number
    from zoning.store.draft import changes, gauges, title

    click.echo(title(current))
    click.echo(f"Départ : {current.base_title}")
    for op in current.operations:
        click.echo(f"  {op.label()} ({len(op.codes)} commune(s))")
    click.echo("Jauges (part de la population régionale) :")
    for g in gauges(current):
        cap = (
            f"plafond {format_number(g.cap, 1)} %, marge jusqu'à {format_number(g.limit or 0, 2)} %"
            if g.cap is not None
            else "sans plafond"
        )
        click.echo(
            f"  {g.zone or 'sans classe':<4} {format_number(g.share, 2):>6} % "
            f"({format_number(g.population)} hab., {g.communes} communes) — {cap} — {g.status}"
        )
    moved = changes(current)
    click.echo(f"Changements par rapport au départ : {len(moved)} commune(s)")
    for c in moved[:_SHOWN]:
        click.echo(
            f"  {c.code} {c.name} ({c.departement}) : {c.before or '—'} → {c.after or '—'} "
            f"({format_number(c.population)} hab.)"
        )
    if len(moved) > _SHOWN:
        click.echo(f"  … {len(moved) - _SHOWN} autres : écrivez-les avec -o (.xlsx)")
