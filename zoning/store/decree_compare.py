"""Compare two decrees: which communes changed class, and the population that moved.

A store-level computation (the decree import previews it against the decree it replaces);
:mod:`zoning.report.compare` writes it out for ``zoning compare``.

Populations are the store's (INSEE, carried to the store's commune vintage), the same
figure the build report and the maps use for the caps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from zoning.errors import InvalidInputError
from zoning.io.french import format_number
from zoning.sources.vintage import vintage_date
from zoning.store.decrees import Decree
from zoning.store.store import ZoningStore

UNDER_SERVED = ("ZIP", "ZAC")
NONE_LABEL = "sans classe"
CLASS_ORDER = ("ZIP", "ZAC", "ZV", "ZAR", "HZ", "ND", NONE_LABEL)

CHANGE_HEADERS = [
    "code_insee",
    "commune",
    "departement",
    "population",
    "classe_avant",
    "classe_apres",
    "changement",
    "commune_apres",
]


def change_kind(before: str, after: str) -> str:
    """French label of a class change (« entrée en ZIP », « sortie de zonage »...)."""
    if before not in UNDER_SERVED and after in UNDER_SERVED:
        return f"entrée en {after}"
    if before in UNDER_SERVED and after not in UNDER_SERVED:
        return "sortie de zonage" if after != NONE_LABEL else f"sortie de {before} (sans classe)"
    return f"{before} → {after}"


@dataclass
class Comparison:
    """Two decrees' classes side by side."""

    before: Decree
    after: Decree
    changes: pd.DataFrame
    departements: pd.DataFrame
    region: pd.DataFrame

    def change_rows(self) -> list[list[Any]]:
        """Rows of :data:`CHANGE_HEADERS`."""
        return [list(r) for r in self.changes[CHANGE_HEADERS].itertuples(index=False)]

    def summary_lines(self) -> list[str]:
        """French lines: changes count, then per class the population in, out, and caps."""
        lines = [
            f"Comparaison : {self.before.provenance()} → {self.after.provenance()}",
            f"  communes dont la classe change : {len(self.changes)} "
            f"({format_number(int(self.changes['population'].sum()), separator=' ')} habitants)",
        ]
        for row in self.region.to_dict("records"):
            zone = row["classe"]
            before = _cap(zone, row["plafond_avant"])
            after = _cap(zone, row["plafond_apres"])
            lines.append(
                f"  {zone:<12} avant {row['part_avant']:6.2f} % ({before})  "
                f"après {row['part_apres']:6.2f} % ({after})  "
                f"entrées {format_number(int(row['population_entree']), separator=' '):>9}  "
                f"sorties {format_number(int(row['population_sortie']), separator=' '):>9}"
            )
        return lines


def _cap(zone: str, cap: float | None) -> str:
    if zone not in UNDER_SERVED:
        return "sans plafond"
    return f"plafond {cap} %" if cap is not None and cap == cap else "plafond inconnu"


def _classes(store: ZoningStore, decree: Decree) -> pd.Series:
    if not decree.classes_loaded:
        raise InvalidInputError(
            f"{decree.provenance()} : classement non chargé, comparaison impossible "
            f"(chargez son annexe avec `{decree.import_command()}`)"
        )
    zones = store.zones(decree.id).drop_duplicates("code").set_index("code")["zone"]
    return zones.replace("", NONE_LABEL)


def compare_decrees(store: ZoningStore, before_id: str, after_id: str) -> Comparison:
    """Class changes between two loaded decrees of one region."""
    before, after = store.decree(before_id), store.decree(after_id)
    return compare_classes(store, before, after, _classes(store, after))


def compare_classes(
    store: ZoningStore, before: Decree, after: Decree, after_classes: pd.Series
) -> Comparison:
    """Class changes from a loaded decree to classes by commune code (a previewed import)."""
    after_classes = after_classes[~after_classes.index.duplicated()].replace("", NONE_LABEL)
    before_id, after_id = before.id, after.id
    if before.region != after.region:
        raise InvalidInputError(
            f"les arrêtés {before_id} (région {before.region}) et {after_id} "
            f"(région {after.region}) ne portent pas sur la même région"
        )
    communes = store.communes()
    communes = communes.loc[communes["region"] == before.region].set_index("code")
    frame = pd.DataFrame(
        {
            "commune": communes["name"],
            "departement": communes["departement"],
            "population": communes["population"].astype("int64"),
            "classe_avant": _classes(store, before).reindex(communes.index).fillna(NONE_LABEL),
            "classe_apres": after_classes.reindex(communes.index).fillna(NONE_LABEL),
        }
    )
    frame.index.name = "code_insee"
    frame = frame.reset_index()
    changed = frame.loc[frame["classe_avant"] != frame["classe_apres"]].copy()
    changed["changement"] = [
        change_kind(b, a)
        for b, a in zip(changed["classe_avant"], changed["classe_apres"], strict=True)
    ]
    changed = changed.sort_values(["departement", "code_insee"], ignore_index=True)
    changed["commune_apres"] = _decree_communes(store, after, list(changed["code_insee"]))
    departements = _totals(frame, ["departement"], before, after)
    region = _totals(frame, [], before, after)
    return Comparison(before, after, changed, departements, region)


def _decree_communes(store: ZoningStore, decree: Decree, codes: list[str]) -> list[str]:
    """« La Boixe (16393) » for a commune of the store's vintage that a commune of the
    decree's later COG covers (a merger or a renaming since), else ``""``.

    Decrees are compared commune by commune of the store's vintage: a commune absorbed
    into a commune nouvelle takes the class the later decree gives to that commune, and
    is changed when it differs from its own former class; this column says which one.
    """
    if decree.cog_vintage <= int(store.meta["cog_vintage"]):
        return [""] * len(codes)
    until = vintage_date(decree.cog_vintage).isoformat()
    out = []
    for code in codes:
        later = store.keyed.later_covering(code, until)
        out.append(f"{later['name']} ({later['code']})" if later else "")
    return out


def _totals(frame: pd.DataFrame, keys: list[str], before: Decree, after: Decree) -> pd.DataFrame:
    """Per class (and key): population before, after, entering, leaving; shares and caps."""
    rows = []
    groups = frame.groupby(keys) if keys else [((), frame)]
    for key, group in groups:
        total = int(group["population"].sum())
        for zone in CLASS_ORDER:
            was = group["classe_avant"] == zone
            now = group["classe_apres"] == zone
            if not (was.any() or now.any()):
                continue
            pop_before = int(group.loc[was, "population"].sum())
            pop_after = int(group.loc[now, "population"].sum())
            row = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
            row.update(
                classe=zone,
                population_avant=pop_before,
                population_apres=pop_after,
                population_entree=int(group.loc[now & ~was, "population"].sum()),
                population_sortie=int(group.loc[was & ~now, "population"].sum()),
                part_avant=round(100 * pop_before / total, 2) if total else 0.0,
                part_apres=round(100 * pop_after / total, 2) if total else 0.0,
                plafond_avant=before.caps.get(zone) if not keys else None,
                plafond_apres=after.caps.get(zone) if not keys else None,
            )
            rows.append(row)
    return pd.DataFrame(rows)
