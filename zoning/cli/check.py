"""``zoning check``: the zone of one place."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from zoning.cli.french import FrenchCommand
from zoning.cli.options import DateParam, json_option, store_option
from zoning.errors import EXIT_EXPIRED, EXIT_NOT_LOADED, InvalidInputError

if TYPE_CHECKING:
    from zoning.store import ZoningStore


@click.command(cls=FrenchCommand)
@click.option("--commune", "code", help="Code INSEE de la commune, tout millésime (ex. 23096).")
@click.option("--postcode", help="Code postal, avec --name.")
@click.option("--name", help="Nom de la commune, avec --postcode.")
@click.option("--lon", type=float, help="Longitude (degrés WGS84), avec --lat.")
@click.option("--lat", type=float, help="Latitude (degrés WGS84), avec --lon.")
@click.option(
    "--address",
    help="Adresse postale, géocodée puis vérifiée dans la commune indiquée. Par défaut "
    "l'adresse est envoyée au service public BAN de la Géoplateforme (data.geopf.fr) ; "
    "ZONING_ADDOK_URL=off : aucune adresse ne quitte la machine (repli sur la commune).",
)
@click.option("--finess", help="Numéro FINESS d'établissement (ET, 9 caractères).")
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
    """Indique la zone d'un lieu, et sous quel arrêté.

    \b
    Indiquez un seul lieu :
      zoning check --commune 23096                  # Guéret : ZIP, zone sous-dense
      zoning check --commune 16355                  # ancien code, converti et signalé
      zoning check --postcode 33000 --name Bordeaux
      zoning check --postcode 16330 --name "La Boixe"   # commune nouvelle 2025 : anciennes communes
      zoning check --lon -0.5792 --lat 44.8378      # point : contours des communes et QPV
      zoning check --address "39 avenue de la Sénatorerie 23000 Guéret"
      zoning check --finess 230000820
    --date 2023-11-01 juge selon l'arrêté en vigueur ce jour-là ; sans --date,
    l'arrêté du jour (celui dont relève un dossier déposé aujourd'hui).
    --historique donne la classe sous chaque arrêté connu du magasin.

    \b
    Confidentialité : --address envoie l'adresse au service public de la Base
    Adresse Nationale (Géoplateforme de l'IGN, data.geopf.fr/geocodage) sauf si
    ZONING_ADDOK_URL désigne un géocodeur local (zoning geocoder serve) ou vaut
    « off » (aucun envoi : repli sur la commune, à vérifier). Une adresse trouvée
    hors de la commune indiquée est refusée : la commune est retenue, à vérifier.

    \b
    Code de sortie : 0 réponse, 2 entrée invalide, 3 inconnu, 4 ambigu,
    5 hors couverture -- y compris une date dont l'arrêté est connu mais dont
      les classes ne sont pas chargées (la réponse nomme l'arrêté et la
      commande `zoning data import-decree` qui le charge),
    6 géocodeur indisponible,
    7 classes d'un arrêté expiré dont le successeur n'est pas encore en vigueur
      (réponse donnée avec « à vérifier » : l'utilisateur décide).
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
        from zoning.locate.answer import PlaceAnswer

        _echo_json(PlaceAnswer.of(placement).model_dump(mode="json"))
    else:
        click.echo(placement.sentence())
        from zoning.reasons import title

        for motif in placement.motifs():  # the sentence says it in full; the code and title
            click.echo(f"  motif {motif.code} : {title(motif.code) or motif.text}")
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
        from zoning.locate.answer import HistoryRow

        _echo_json(
            {
                commune: [HistoryRow.model_validate(row).model_dump(mode="json") for row in rows]
                for commune, rows in out.items()
            }
        )
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


def _echo_json(data: object) -> None:
    """JSON for people and scripts alike: indented, accents as they are."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=1))
