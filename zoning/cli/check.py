"""``zoning check``: the zone of one place."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from zoning.cli.options import date_option, json_option, store_option
from zoning.errors import InvalidInputError


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
@date_option
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
    --date 2023-11-01 judges against the decree in force that day.

    \b
    Confidentialité : --address envoie l'adresse au service public de la Base
    Adresse Nationale (api-adresse.data.gouv.fr) sauf si ZONING_ADDOK_URL désigne un
    géocodeur local (zoning geocoder serve) ou vaut « off » (aucun envoi : repli sur
    la commune, à vérifier). Une adresse trouvée hors de la commune indiquée est
    refusée : la commune est retenue, à vérifier.
    Exit status: 0 found, 2 bad input, 3 unknown, 4 ambiguous, 5 outside coverage,
    6 geocoder down.
    """
    from zoning.locate import lookup
    from zoning.store import ZoningStore

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
        return
    click.echo(placement.sentence())
    for note in placement.notes:
        click.echo(f"  · {note}")
