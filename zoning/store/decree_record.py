"""The record of an imported decree: the one described in ``data/decrees`` completed, or a
new one built from what the import was given (dates, caps, the annex's file name)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from zoning.errors import InvalidInputError
from zoning.io.french import format_date
from zoning.store.decrees import Decree
from zoning.store.store import ZoningStore


def decree_record(
    store: ZoningStore,
    decree_id: str,
    region: str,
    adopted: date | None,
    in_force: date | None,
    replaces: str | None,
    caps: dict[str, float],
    file_name: str,
    cog_vintage: int | None = None,
) -> tuple[Decree, list[str]]:
    """The decree record to store: the described one completed, or a new one.

    ``cog_vintage``: the COG the annex is written in, when given; else the record's, else
    the store's. Never below the store's: older codes are carried forward anyway.
    """
    warnings: list[str] = []
    store_vintage = int(store.meta["cog_vintage"])
    existing = next((d for d in store.decrees if d.id == decree_id), None)
    origin = f"annexe importée ({file_name}) le {format_date(date.today())}"
    if existing is not None:
        if existing.region != region:
            raise InvalidInputError(
                f"l'arrêté {decree_id} du magasin est de la région {existing.region}, pas {region}"
            )
        changes: dict[str, Any] = {"classes_loaded": True, "classes_origin": origin}
        for key, value in (("adopted", adopted), ("in_force_from", in_force)):
            old = getattr(existing, key)
            if value is not None and old is not None and value != old:
                warnings.append(
                    f"{key} : {format_date(value)} donné, {format_date(old)} dans la fiche "
                    "de l'arrêté (la date donnée est retenue)"
                )
            if value is not None:
                changes[key] = value
        if replaces:
            changes["replaces"] = replaces
        if caps:
            changes["caps"] = caps
        caveats = [c for c in existing.caveats if "Annexe" not in c and "absente" not in c]
        changes["caveats"] = tuple(caveats)
        # The record's COG vintage is kept: the annex names the communes of that COG,
        # stored under the store's codes they cover (a later lookup shows them again).
        changes["cog_vintage"] = max(cog_vintage or existing.cog_vintage, store_vintage)
        return replace(existing, **changes), warnings
    if in_force is None:
        raise InvalidInputError(
            f"arrêté {decree_id} inconnu du magasin : indiquez sa date d'entrée en vigueur "
            "(--in-force AAAA-MM-JJ)"
        )
    region_name = store.region_name(region)
    when = f" du {format_date(adopted)}" if adopted else f" en vigueur le {format_date(in_force)}"
    decree = Decree(
        id=decree_id,
        region=region,
        title=f"Arrêté de zonage médecins ARS {region_name}{when} (annexe {file_name})",
        short=f"arrêté ARS {region_name}{when}",
        cog_vintage=max(cog_vintage or store_vintage, store_vintage),
        adopted=adopted,
        in_force_from=in_force,
        replaces=replaces or "",
        classes_loaded=True,
        classes_origin=origin,
        caps=caps,
    )
    return decree, warnings
