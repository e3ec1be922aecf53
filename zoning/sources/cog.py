"""INSEE Code officiel géographique: communes, départements, régions, and the
« mouvements des communes » that carry commune codes from one vintage to another."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import pandas as pd

from zoning.io.french import format_date
from zoning.sources._tables import pick_columns, read_table
from zoning.sources.manifest import Source
from zoning.sources.vintage import vintage_date

__all__ = [
    "carry_codes",
    "commune_events",
    "read_cog_communes",
    "read_cog_table",
    "read_mouvements",
    "vintage_date",
]


def read_cog_communes(path: Path, source: Source) -> pd.DataFrame:
    """Communes of one COG vintage: ``type, code, region, departement, name, parent``.

    ``type`` is COM (commune), COMD (commune déléguée), COMA (associée) or ARM
    (arrondissement municipal); ``parent`` is the COM a COMD/COMA/ARM belongs to.
    """
    return pick_columns(read_table(path), source.fields, path)


def read_cog_table(path: Path) -> pd.DataFrame:
    """A COG départements or régions table, as written by INSEE."""
    return read_table(path)


def read_mouvements(path: Path, source: Source) -> pd.DataFrame:
    """INSEE's « mouvements des communes », with ``date`` parsed to ``datetime.date``."""
    frame = pick_columns(read_table(path), source.fields, path)
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d").dt.date
    return frame


def commune_events(mouvements: pd.DataFrame, after: date, until: date) -> pd.DataFrame:
    """COM -> COM events with ``after < date <= until``, oldest first."""
    mask = (
        (mouvements["type_before"] == "COM")
        & (mouvements["type_after"] == "COM")
        & (mouvements["date"] > after)
        & (mouvements["date"] <= until)
    )
    return mouvements.loc[mask].sort_values("date", kind="stable")


def carry_codes(mouvements: pd.DataFrame, start: date, end: date) -> dict[str, set[str]]:
    """Where each commune code of ``start`` went by ``end`` (or came from, when ``end < start``).

    Only codes touched by an event appear; an absent code is unchanged. A merger maps
    several codes to one; a split (« rétablissement ») maps one code to several.
    """
    forward = end >= start
    events = commune_events(mouvements, min(start, end), max(start, end))
    mapping: dict[str, set[str]] = {}
    groups = list(events.groupby("date", sort=True))
    if not forward:
        groups.reverse()
    for _, group in groups:
        step: dict[str, set[str]] = defaultdict(set)
        src, dst = ("code_before", "code_after") if forward else ("code_after", "code_before")
        for a, b in zip(group[src], group[dst], strict=True):
            step[a].add(b)
        # compose: codes already carried move on; codes seen for the first time start here
        for code, targets in list(mapping.items()):
            moved: set[str] = set()
            for t in targets:
                moved |= step.get(t, {t})
            mapping[code] = moved
        for code, targets in step.items():
            if code not in mapping:
                mapping[code] = set(targets)
    return {k: v for k, v in mapping.items() if v != {k}}


#: What a later commune row says, by INSEE's movement code (``MOD``).
_LATER_KIND = {
    "10": "renommée",
    "21": "rétablie",
    "31": "fusion",
    "32": "commune nouvelle",
    "33": "fusion-association",
    "34": "fusion",
    "41": "nouveau code (changement de département)",
    "50": "nouveau code (transfert de chef-lieu)",
}


def later_communes(mouvements: pd.DataFrame, vintage: date, base_codes: set[str]) -> pd.DataFrame:
    """Communes (codes or names) that appeared after ``vintage``, each with the communes of
    the vintage whose territory it covers.

    One row per commune of a later COG that is not a commune of ``vintage`` under the
    same code and name: ``code, name, since`` (ISO date of the movement), ``kind``
    (« commune nouvelle », « renommée »…), ``members`` (codes of ``vintage``, space-joined)
    and ``check``: empty when the commune is a whole union of ``vintage`` communes (a merger,
    a renaming), else why its territory is unknown here — a commune restored from one
    of ``vintage`` (a split: the 2018 polygons do not draw the new boundary), or a
    movement that leads to no commune of ``vintage``. Never a silent guess.
    """
    events = commune_events(mouvements, vintage, date.max)
    rows = []
    for key, group in events.groupby("date", sort=True):
        day: date = key  # type: ignore[assignment]
        back = carry_codes(mouvements, day, vintage)
        forth = carry_codes(mouvements, vintage, day)
        seen: set[tuple[str, str]] = set()
        for code, name, mod in zip(
            group["code_after"], group["name_after"], group["mod"], strict=True
        ):
            if (code, name) in seen:
                continue
            seen.add((code, name))
            members = sorted(c for c in back.get(code, {code}) if c in base_codes)
            split = [m for m in members if len(forth.get(m, {m})) > 1]
            check = ""
            if not members:
                check = f"aucune commune du COG {vintage.year} ne correspond à ce code"
            elif split:
                parts = sorted(set().union(*(forth[m] for m in split)))
                check = (
                    f"rétablie le {format_date(day)} à partir de {' '.join(split)} (partagée entre "
                    f"{', '.join(parts)}) : limites absentes des contours de 2018, à vérifier"
                )
            rows.append(
                {
                    "code": code,
                    "name": name,
                    "since": day.isoformat(),
                    "kind": _LATER_KIND.get(str(mod), f"mouvement {mod}"),
                    "members": " ".join(members),
                    "check": check,
                }
            )
    columns = ["code", "name", "since", "kind", "members", "check"]
    table = pd.DataFrame(rows, columns=columns)
    # A code of the vintage under its own name with the same territory is no later commune.
    same = (table["members"] == table["code"]) & (table["check"] == "")
    renamed = table["kind"] == "renommée"
    return table.loc[~same | renamed].reset_index(drop=True)
