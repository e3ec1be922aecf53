"""INSEE Code officiel géographique: communes, départements, régions, and the
« mouvements des communes » that carry commune codes from one vintage to another."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import pandas as pd

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
