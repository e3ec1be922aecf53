"""``zoning compare``: what changed between two decrees."""

from __future__ import annotations

from pathlib import Path

import click

from zoning.cli.french import FrenchCommand
from zoning.cli.options import store_option

_SHOWN = 40


@click.command(cls=FrenchCommand)
@click.argument("before_id", metavar="ARRETE_AVANT")
@click.argument("after_id", metavar="ARRETE_APRES")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Fichier à écrire : .xlsx / .ods (changements, départements, région, provenance), "
    ".csv (changements) ou .html (carte des changements).",
)
@click.option("--tiles", is_flag=True, help="Fond OpenStreetMap sur la carte (réseau requis).")
@store_option
def compare(
    before_id: str, after_id: str, output: Path | None, tiles: bool, store_path: Path | None
) -> None:
    """Communes dont la classe change entre deux arrêtés chargés, et populations.

    \b
    Exemples :
      zoning compare ars-na-2022-04-25 ars-na-2025-12-30
      zoning compare ars-na-2022-04-25 ars-na-2025-12-30 -o changements.xlsx
      zoning compare ars-na-2022-04-25 ars-na-2025-12-30 -o changements.html
    Population : INSEE (celle du magasin), comparée aux plafonds de chaque arrêté.
    """
    from zoning.io.xlsx import frame_sheet
    from zoning.report.compare import provenance_rows
    from zoning.report.decree_tables import SUFFIXES
    from zoning.store import ZoningStore
    from zoning.store.decree_compare import CHANGE_HEADERS, compare_decrees

    maps = (".html", ".htm")
    if output is not None and output.suffix.lower() not in (*SUFFIXES, *maps):
        from zoning.errors import InvalidInputError

        raise InvalidInputError(
            f"{output.name} : format de sortie non pris en charge ({', '.join((*SUFFIXES, *maps))})"
        )
    store = ZoningStore.open(store_path)
    comparison = compare_decrees(store, before_id, after_id)
    for line in comparison.summary_lines():
        click.echo(line)
    if output is None:
        for row in comparison.change_rows()[:_SHOWN]:
            click.echo("  " + " ; ".join(str(v) for v in row))
        if len(comparison.changes) > _SHOWN:
            click.echo(f"  … {len(comparison.changes) - _SHOWN} autres : écrivez-les avec -o")
        return
    if output.suffix.lower() in maps:
        from zoning.map.changes import changes_map
        from zoning.map.data import load_coverage
        from zoning.map.render import save_map

        data = load_coverage(store, decree_id=after_id)
        save_map(changes_map(data, comparison, tiles=tiles), output)
    else:
        from zoning.report.decree_tables import write_table

        write_table(
            output,
            {
                "changements": (CHANGE_HEADERS, comparison.change_rows()),
                "departements": frame_sheet(comparison.departements),
                "region": frame_sheet(comparison.region),
            },
            provenance=provenance_rows(store, comparison),
        )
    click.echo(f"Écrit : {output}")
