"""The zone classes of the decrees: their labels, which are under-served, and the class
of a commune under the decree of a date."""

from __future__ import annotations

from datetime import date
from typing import Any

from zoning.errors import NotFoundError
from zoning.store.decrees import Decree
from zoning.store.store import NOT_LOADED, DecreeChoice, ZoningStore

UNDER_SERVED = frozenset({"ZIP", "ZAC"})
ZONE_LABELS = {
    "ZIP": "zone d'intervention prioritaire",
    "ZAC": "zone d'action complémentaire",
    "ZV": "zone de vigilance",
    "HZ": "hors zonage",
    "ZAR": "zone d'accompagnement régional",
    "ND": "classement non disponible",
}
#: Why a commune judged by a loaded decree has no class there.
ABSENT = "commune absente du tableau de l'arrêté"


def zone_of(store: ZoningStore, code: str, on: date | None = None) -> tuple[Decree, str, str]:
    """Decree, class (``""`` when none) and note for a commune code of the store's vintage."""
    commune = store.keyed.commune(code)
    if commune is None:
        raise NotFoundError(f"code commune inconnu « {code} »")
    choice, zone, note = zone_of_commune(store, commune, on)
    return choice.decree, zone, note


def zone_of_commune(
    store: ZoningStore, commune: dict[str, Any], on: date | None
) -> tuple[DecreeChoice, str, str]:
    """The decree chosen for a commune row's region on ``on``, the commune's class there
    (``""`` when none: decree not loaded, or commune absent from its table) and the
    store's note on it."""
    choice = store.decree_on(str(commune["region"]), on)
    if choice.status == NOT_LOADED:
        return choice, "", ""
    row = store.keyed.zone(choice.decree.id, commune["code"])
    if row is None:
        return choice, "", ABSENT
    return choice, str(row["zone"]), str(row["note"])
