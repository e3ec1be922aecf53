"""Commune codes through the INSEE movements: an older code carried to the store's COG
vintage, and the communes created or renamed after it (communes nouvelles, restored
communes) that a form filled in today or a later decree may name."""

from __future__ import annotations

from datetime import date
from typing import Any

from zoning.errors import ZoningError
from zoning.io.french import format_date
from zoning.sources.names import name_keys
from zoning.sources.vintage import vintage_date
from zoning.store.decrees import Decree
from zoning.store.store import DecreeChoice, ZoningStore


def vintage_year(store: ZoningStore) -> int:
    """The COG vintage of the store's communes."""
    return int(store.meta["cog_vintage"])


def vintage_iso(store: ZoningStore) -> str:
    """The date of the store's COG vintage (1 January), ISO: the movements' bound."""
    return vintage_date(vintage_year(store)).isoformat()


def carry(store: ZoningStore, code: str, *, forward: bool) -> set[str]:
    """Follow one code through the movements, date by date.

    Forward: from any older vintage up to the store's vintage (mergers). Backward: from a
    code created after the store's vintage to the vintage communes it groups.
    """
    vintage = vintage_iso(store)
    frm, to = ("old_code", "new_code") if forward else ("new_code", "old_code")
    current, bound = {code}, "" if forward else "9999"
    while True:
        if forward:
            events = store.keyed.events_from(current, bound, vintage)
        else:
            events = store.keyed.events_to(current, vintage, bound)
        if not events:
            return current
        day = events[0]["date"] if forward else events[-1]["date"]
        step = [e for e in events if e["date"] == day]
        current = set().union(*({e[to] for e in step if e[frm] == c} or {c} for c in current))
        bound = day


#: What a code absorbed into a commune was, by its INSEE movement kind.
PART_OF = {
    "COMD": "une commune déléguée",
    "COMA": "une commune associée",
    "ARM": "un arrondissement municipal",
}


def later_notes(later: list[dict[str, Any]]) -> list[str]:
    """Notes for the movements a commune of the vintage went through afterwards."""
    if not later:
        return []
    notes, seen = [], set()
    for event in later:
        if event["old_name"] != event["new_name"] and event["new_code"] not in seen:
            seen.add(event["new_code"])
            notes.append(
                f"depuis le {event['date']}, {event['old_name']} fait partie de "
                f"{event['new_name']} ({event['new_code']})"
            )
    return notes


def covered_later(
    store: ZoningStore,
    rows: dict[str, dict[str, Any]],
    choices: dict[str, DecreeChoice | ZoningError],
) -> set[str]:
    """Codes of ``rows`` that a later commune covers in the COG of their region's decree."""
    out: set[str] = set()
    for region, choice in choices.items():
        if isinstance(choice, ZoningError) or choice.decree.cog_vintage <= vintage_year(store):
            continue
        covered = store.keyed.later_members(vintage_date(choice.decree.cog_vintage).isoformat())
        out |= {c for c, r in rows.items() if str(r["region"]) == region and c in covered}
    return out


def decree_commune(store: ZoningStore, code: str, decree: Decree) -> dict[str, Any] | None:
    """The later commune covering ``code`` in the decree's COG vintage, if it differs."""
    if decree.cog_vintage <= vintage_year(store):
        return None
    until = vintage_date(decree.cog_vintage).isoformat()
    return store.keyed.later_covering(code, until)


def later_head(later: dict[str, Any]) -> str:
    """« La Boixe (16393, commune nouvelle le 01/01/2025) »."""
    since = date.fromisoformat(str(later["since"]))
    return f"{later['name']} ({later['code']}, {later['kind']} le {format_date(since)})"


def named_later(store: ZoningStore, code: str, name: str | None) -> dict[str, Any] | None:
    """The later commune a code (and name, if given) designates, or ``None`` for the
    store's own commune.

    A code alone is read as today's COG writes it (what a form filled in today gives);
    a name settles it when it is the store's commune's and not the later one's (« Vars »
    for 16393, which La Boixe took in 2025).
    """
    later = store.keyed.latest_taking(code)
    if later is None or not name:
        return later
    keys = name_keys(name)
    if keys & name_keys(str(later["name"])):
        return later
    commune = store.keyed.commune(code)
    if commune is not None and keys & name_keys(str(commune["name"])):
        return None
    return later
