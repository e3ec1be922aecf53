"""Join a zoning table keyed by postal code + commune name to INSEE codes of a vintage.

The doctors' zoning file we have names communes as of 2024/2025 and gives their postal
code; the decree's vintage is COG 2022. A row is matched, in this order, by:

1. its name among the communes La Poste lists under its postal code (COG or La Poste spelling);
2. a « ligne 5 » name (a former commune keeping its postal code) under that postal code;
3. a later name of the commune (a commune nouvelle or a renaming after the vintage, from
   INSEE's mouvements): the class then goes to every vintage commune it groups;
4. its name alone within the postal code's département, when unique (postal code moved).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from zoning.sources.cog import carry_codes
from zoning.sources.names import name_keys

VIA_NAME = "nom et code postal"
VIA_LINE5 = "ligne 5 (ancienne commune) et code postal"
VIA_LATER = "nom postérieur (commune nouvelle ou renommée)"
VIA_DEPARTEMENT = "nom dans le département (code postal différent)"


@dataclass
class NameIndex:
    """Lookup tables from postal codes and names to commune codes of one vintage."""

    by_postcode: dict[str, set[str]]
    names: dict[str, set[str]]
    line5: dict[str, set[str]]
    later: dict[str, list[frozenset[str]]]
    by_departement_name: dict[tuple[str, str], set[str]]

    @classmethod
    def build(
        cls,
        communes: pd.DataFrame,
        postal: pd.DataFrame,
        mouvements: pd.DataFrame,
        vintage: date,
        names_until: date | None = None,
    ) -> NameIndex:
        """Index the vintage's communes (``code, name, departement``) and La Poste rows."""
        known = set(communes["code"])
        by_postcode: dict[str, set[str]] = defaultdict(set)
        names: dict[str, set[str]] = defaultdict(set)
        line5: dict[str, set[str]] = defaultdict(set)
        by_dep: dict[tuple[str, str], set[str]] = defaultdict(set)
        for code, name, dep in zip(
            communes["code"], communes["name"], communes["departement"], strict=True
        ):
            names[code] |= name_keys(name)
            for key in name_keys(name):
                by_dep[(dep, key)].add(code)
        for code, name, postcode, l5 in zip(
            postal["code"], postal["name"], postal["postcode"], postal["line5"], strict=True
        ):
            if code not in known:
                continue
            by_postcode[postcode].add(code)
            names[code] |= name_keys(name)
            if l5:
                line5[code] |= name_keys(l5)
        later = _later_names(mouvements, vintage, known, names_until)
        return cls(dict(by_postcode), dict(names), dict(line5), later, dict(by_dep))


def _later_names(
    mouvements: pd.DataFrame, vintage: date, known: set[str], until: date | None
) -> dict[str, list[frozenset[str]]]:
    """Names communes took after ``vintage`` (up to ``until``) -> the communes each covers."""
    later = mouvements[
        (mouvements["date"] > vintage)
        & (mouvements["date"] <= (until or date.max))
        & (mouvements["type_after"] == "COM")
        & (mouvements["type_before"] == "COM")
    ]
    out: dict[str, list[frozenset[str]]] = defaultdict(list)
    for day, group in later.groupby("date"):
        back = carry_codes(mouvements, day, vintage)  # type: ignore[arg-type]
        pairs = group[["code_after", "name_after"]].drop_duplicates()
        for code, name in zip(pairs["code_after"], pairs["name_after"], strict=True):
            members = frozenset(c for c in back.get(code, {code}) if c in known)
            if members:
                for key in name_keys(name):
                    if members not in out[key]:
                        out[key].append(members)
    return dict(out)


def departement_of_postcode(postcode: str) -> str:
    """The département a postal code belongs to (approximate for a few border codes)."""
    if postcode.startswith("97"):
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if postcode < "20200" else "2B"
    return postcode[:2]


def match_row(index: NameIndex, postcode: str, name: str) -> tuple[set[str], str, str]:
    """Codes for one (postal code, name) row, how they were found, and why not if empty."""
    keys = name_keys(name)
    candidates = index.by_postcode.get(postcode, set())
    hits = {c for c in candidates if keys & index.names.get(c, set())}
    later_groups = {g for key in keys for g in index.later.get(key, [])}
    if len(hits) == 1:
        # A commune nouvelle that kept the name of one of its parts covers all of them.
        wider = [g for g in later_groups if hits < g]
        if len(wider) == 1:
            return set(wider[0]), VIA_LATER, ""
        return hits, VIA_NAME, ""
    if len(hits) > 1:
        return set(), "", f"ambigu : {len(hits)} communes « {name} » au {postcode}"
    hits = {c for c in candidates if keys & index.line5.get(c, set())}
    if len(hits) == 1:
        return hits, VIA_LINE5, ""
    groups = later_groups
    if candidates:
        groups = {g for g in groups if g & candidates} or groups
    if len(groups) == 1:
        return set(next(iter(groups))), VIA_LATER, ""
    dep = departement_of_postcode(postcode)
    hits = set().union(*(index.by_departement_name.get((dep, key), set()) for key in keys))
    if len(hits) == 1:
        return hits, VIA_DEPARTEMENT, ""
    if not candidates:
        return set(), "", f"code postal {postcode} inconnu de La Poste et nom introuvable"
    return set(), "", f"aucune commune « {name} » au code postal {postcode}"


def match_zoning_rows(rows: pd.DataFrame, index: NameIndex) -> pd.DataFrame:
    """Add ``codes`` (sorted list), ``via`` and ``reason`` to each zoning row."""
    results = [match_row(index, p, n) for p, n in zip(rows["postcode"], rows["name"], strict=True)]
    out = rows.copy()
    out["codes"] = [sorted(codes) for codes, _, _ in results]
    out["via"] = [via for _, via, _ in results]
    out["reason"] = [reason for _, _, reason in results]
    return out


def classes_by_code(matched: pd.DataFrame) -> pd.DataFrame:
    """One class per commune code: ``code, zone, lines, via, conflict``.

    A commune whose rows disagree keeps no class: ``zone`` is empty and ``conflict`` says
    which classes came from which lines.
    """
    # Plain dictionaries: a pandas group per commune (35 000 of them) took seconds.
    rows_of: dict[str, list[tuple[str | None, Any, str]]] = {}
    for codes, zone, line, via in zip(
        matched["codes"], matched["zone"], matched["line"], matched["via"], strict=True
    ):
        for code in codes:
            rows_of.setdefault(code, []).append((None if pd.isna(zone) else zone, line, via))
    records = []
    for code in sorted(rows_of):
        rows = rows_of[code]
        zones = sorted({z for z, _, _ in rows if z is not None})
        conflict = ""
        if len(zones) > 1:
            conflict = "; ".join(
                f"{z} (ligne(s) {', '.join(str(line) for zone, line, _ in rows if zone == z)})"
                for z in zones
            )
        records.append(
            {
                "code": code,
                "zone": zones[0] if len(zones) == 1 else "",
                "lines": ", ".join(str(line) for _, line, _ in rows),
                "via": ", ".join(sorted({via for _, _, via in rows})),
                "conflict": conflict,
            }
        )
    return pd.DataFrame(records, columns=["code", "zone", "lines", "via", "conflict"])
