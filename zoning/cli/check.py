"""``zoning check``: the zone of one place."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from zoning.cli.options import DateParam, json_option, store_option
from zoning.errors import InvalidInputError

if TYPE_CHECKING:
    from zoning.store import ZoningStore

# Exit status of an answer that needs checking (see the command's help and the README).
EXIT_NOT_LOADED = 5  # the decree in force that day has no classes in the store
EXIT_EXPIRED = 7  # classes of a decree past its stated end, successor not yet in force


@click.command()
@click.option("--commune", "code", help="INSEE commune code, any vintage (e.g. 23096).")
@click.option("--postcode", help="Postal code, with --name.")
@click.option("--name", help="Commune name, with --postcode.")
@click.option("--lon", type=float, help="Longitude (WGS84 degrees), with --lat.")
@click.option("--lat", type=float, help="Latitude (WGS84 degrees), with --lon.")
@click.option(
    "--address",
    help="Adresse postale, géocodée puis vérifiée dans la commune indiquée. Par défaut "
    "l'adresse est envoyée au service public BAN (api-adresse.data.gouv.fr) ; "
    "ZONING_ADDOK_URL=off : aucune adresse ne quitte la machine (repli sur la commune).",
)
@click.option("--finess", help="A FINESS establishment number (ET, 9 characters).")
@click.option(
    "--historique",
    "show_history",
    is_flag=True,
    help="Classe de la commune sous chaque arrêté connu du magasin (chargé ou non).",
)
@click.option(
    "--date",
    "on",
    type=DateParam(),
    default=None,
    help="Juger selon l'arrêté en vigueur ce jour-là (défaut : aujourd'hui).",
)
@json_option
@store_option
def check(
    code: str | None,
    postcode: str | None,
    name: str | None,
    lon: float | None,
    lat: float | None,
    address: str | None,
    finess: str | None,
    show_history: bool,
    on: date | None,
    as_json: bool,
    store_path: Path | None,
) -> None:
    """Say which zone a place is in, under which decree.

    \b
    Give exactly one place:
      zoning check --commune 23096                  # Guéret : ZIP, zone sous-dense
      zoning check --commune 16355                  # old code, mapped and said so
      zoning check --postcode 33000 --name Bordeaux
      zoning check --lon -0.5792 --lat 44.8378      # point: commune and QPV polygons
      zoning check --address "39 avenue de la Sénatorerie 23000 Guéret"
      zoning check --finess 230000820
    --date 2023-11-01 judges against the decree in force that day; without
    --date, today's decree (the one an application filed today falls under).
    --historique lists the class under every decree the store knows.

    \b
    Confidentialité : --address envoie l'adresse au service public de la Base
    Adresse Nationale (api-adresse.data.gouv.fr) sauf si ZONING_ADDOK_URL désigne un
    géocodeur local (zoning geocoder serve) ou vaut « off » (aucun envoi : repli sur
    la commune, à vérifier). Une adresse trouvée hors de la commune indiquée est
    refusée : la commune est retenue, à vérifier.

    \b
    Exit status: 0 answer, 2 bad input, 3 unknown, 4 ambiguous,
    5 outside coverage -- including a date whose decree is known but whose
      classes are not loaded (the answer names the decree and the
      `zoning data import-decree` command that loads it),
    6 geocoder down,
    7 classes of an expired decree whose successor is not yet in force
      (answer given with « à vérifier »: the user decides).
    """
    from zoning.locate import lookup
    from zoning.store import ZoningStore
    from zoning.store.store import EXPIRED, NOT_LOADED

    given = [
        code is not None,
        postcode is not None or name is not None,
        lon is not None or lat is not None,
        address is not None,
        finess is not None,
    ]
    if sum(given) != 1:
        raise InvalidInputError(
            "indiquez un seul lieu : --commune, --postcode et --name, --lon et --lat, "
            "--address ou --finess"
        )
    store = ZoningStore.open(store_path)
    if show_history:
        _print_history(store, code, postcode, name, as_json)
        return
    if on is None:
        on = date.today()
    if code is not None:
        placement = lookup.by_commune(store, code, on)
    elif postcode is not None or name is not None:
        if not (postcode and name):
            raise InvalidInputError("--postcode et --name vont ensemble")
        placement = lookup.by_postcode_name(store, postcode, name, on)
    elif lon is not None or lat is not None:
        if lon is None or lat is None:
            raise InvalidInputError("--lon et --lat vont ensemble")
        placement = lookup.by_point(store, lon, lat, on)
    else:
        from zoning.locate.place import place_query

        placement = place_query(store, address=address, finess=finess, on=on)
    if as_json:
        click.echo(json.dumps(placement.to_dict(), ensure_ascii=False, indent=1))
    else:
        click.echo(placement.sentence())
        for note in placement.notes:
            click.echo(f"  · {note}")
    code_out = {NOT_LOADED: EXIT_NOT_LOADED, EXPIRED: EXIT_EXPIRED}
    if placement.decree_status in code_out:
        # SystemExit, not click's Exit: under `python -m zoning` (standalone_mode off)
        # click would turn Exit into a return value and the status would be lost.
        sys.exit(code_out[placement.decree_status])


def _print_history(
    store: ZoningStore, code: str | None, postcode: str | None, name: str | None, as_json: bool
) -> None:
    """The class of one commune under every decree record of its region."""
    from zoning.locate import lookup

    if code is not None:
        codes, _ = lookup.resolve_code(store, code)
    elif postcode and name:
        codes = lookup.find_communes(store, postcode, name)
    else:
        raise InvalidInputError("--historique demande --commune, ou --postcode et --name")
    out = {c: lookup.history(store, c) for c in codes}
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    names = store.keyed.names(codes)
    for commune, rows in out.items():
        click.echo(f"{names.get(commune, commune)} ({commune}) :")
        for row in rows:
            zone = (
                row["zone"]
                if row["zone"]
                else "classement non chargé"
                if not row["classes_loaded"]
                else "sans classe"
            )
            note = f" — {row['note']}" if row["note"] else ""
            click.echo(f"  {row['title']} : {zone}{note}")
