"""Rows of a decree annex to the store's communes: by code, name, postal code or TVS.

A row names its commune by INSEE code (of any vintage: carried through the INSEE
movements), by name with its département or postal code (the name as written first, then
without its article), or by territoire de vie-santé through a TVS → commune table.
Each answer comes with a French note saying how the row was resolved.

Codes and names of another vintage are carried to the store's communes by the locating
layer (:mod:`zoning.locate.lookup`), which sits above the store: the caller passes it in
as :class:`CommuneCodes`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Protocol

from zoning.errors import AmbiguousError, InvalidInputError, NotFoundError
from zoning.io.french import format_date
from zoning.io.headers import load_vocabulary
from zoning.sources.names import name_keys, normalize_name
from zoning.sources.vintage import vintage_date
from zoning.store.store import ZoningStore


class CommuneCodes(Protocol):
    """Commune codes and names of any vintage to the store's (:mod:`zoning.locate.lookup`)."""

    def resolve_code(
        self, store: ZoningStore, code: str, vintage: int | None = None
    ) -> tuple[list[str], list[str]]:
        """Codes of the store's vintage for a code of COG ``vintage``, with French notes."""
        ...

    def find_communes(self, store: ZoningStore, postcode: str, name: str) -> list[str]:
        """Codes of the communes named ``name`` under ``postcode``."""
        ...


class Resolver:
    """Row → commune codes of the store's vintage, with a French note."""

    def __init__(
        self, store: ZoningStore, region: str, codes: CommuneCodes, vintage: int | None = None
    ) -> None:
        self.store = store
        # The COG the annex is written in (its decree's): a code a commune nouvelle kept
        # then stands for all the communes of the store's vintage it covers.
        self.vintage = vintage
        self.codes = codes
        communes = store.communes(["code", "name", "departement", "region"])
        self.region_of = dict(zip(communes["code"], communes["region"], strict=True))
        self.by_name: dict[tuple[str, str], set[str]] = {}
        self.by_exact: dict[tuple[str, str], set[str]] = {}
        self.own_keys: dict[str, set[str]] = {}
        self._year = int(store.meta["cog_vintage"])
        for code, name, dep in zip(
            communes["code"], communes["name"], communes["departement"], strict=True
        ):
            self.own_keys[str(code)] = set(name_keys(str(name)))
            self.by_exact.setdefault((str(dep), normalize_name(str(name))), set()).add(str(code))
            for key in name_keys(str(name)):
                self.by_name.setdefault((str(dep), key), set()).add(str(code))
        # Names given to communes after the store's vintage (communes nouvelles...).
        moves = store.code_map()
        later = moves.loc[(moves["date"] != "") & (moves["new_name"] != "")]
        for code, name in zip(later["new_code"], later["new_name"], strict=True):
            dep = str(code)[:3] if str(code).startswith("97") else str(code)[:2]
            for key in name_keys(str(name)):
                self.by_name.setdefault((dep, key), set()).add(str(code))

    def by_code(self, raw: str) -> tuple[list[str], str]:
        codes, notes = self.codes.resolve_code(self.store, raw, self.vintage)
        if codes == [raw.strip().upper().zfill(5)]:
            return codes, ""  # a code of the store's vintage: later events are not news here
        return codes, "code d'un autre millésime : " + "; ".join(notes)

    def by_name_dep(self, name: str, dep: str) -> tuple[list[str], str]:
        dep = dep.strip().upper().zfill(2) if dep.strip().isdigit() else dep.strip().upper()
        # The name as written first (« La Vergne » is not « Vergné »), then its keys.
        hits = set(self.by_exact.get((dep, normalize_name(name)), set()))
        if len(hits) != 1:
            for key in name_keys(name):
                hits |= self.by_name.get((dep, key), set())
        if not hits:
            raise NotFoundError(f"aucune commune « {name} » dans le département {dep}")
        if len(hits) > 1:
            raise AmbiguousError(
                f"« {name} » désigne plusieurs communes du département {dep} : "
                + ", ".join(sorted(hits))
            )
        code = hits.pop()
        if self.vintage is not None and self._store_name_only(code, name):
            # « Vars » is the commune of the store's vintage, not La Boixe that took its
            # code: the name says which.
            return [code], f"nom « {name} » ({dep}) → {code} (nom du COG {self._year})"
        codes, note = self.by_code(code)
        return codes, f"nom « {name} » ({dep}) → {code}" + (f" ; {note}" if note else "")

    def _store_name_only(self, code: str, name: str) -> bool:
        """Whether ``name`` is the store's commune ``code`` and not the later one that took
        its code by the annex's COG."""
        assert self.vintage is not None
        # The latest commune that took the code by the annex's COG.
        later = self.store.keyed.latest_taking(code, vintage_date(self.vintage).isoformat())
        if later is None:
            return False
        keys = name_keys(name)
        return bool(keys & self.own_keys.get(code, set())) and not keys & name_keys(
            str(later["name"])
        )

    def by_postcode(self, name: str, postcode: str) -> tuple[list[str], str]:
        codes = self.codes.find_communes(self.store, postcode, name)
        if len(codes) > 1:
            raise AmbiguousError(
                f"« {name} » au {postcode} désigne plusieurs communes : {', '.join(codes)}"
            )
        return codes, f"nom « {name} » ({postcode}) → {codes[0]}"


def gone_by(store: ZoningStore, codes: Iterable[str], vintage: int) -> list[tuple[str, str]]:
    """(code, « La Boixe (16393) depuis le 01/01/2025 ») for the codes of the store's
    vintage that no longer name a commune in COG ``vintage`` (absorbed under another
    code): an annex citing them is not written in that COG."""
    until = vintage_date(vintage).isoformat()
    covered = store.keyed.later_members(until)
    out = []
    for code in sorted({c.strip().upper().zfill(5) for c in codes if c.strip()} & covered):
        later = store.keyed.later_covering(code, until)
        if later is not None and str(later["code"]) != code:
            since = date.fromisoformat(str(later["since"]))
            out.append((code, f"{later['name']} ({later['code']}) depuis le {format_date(since)}"))
    return out


def read_tvs_table(path: Path) -> dict[str, list[str]]:
    """TVS code -> commune codes, from a two-column table (TVS code, INSEE code)."""
    headers, rows = _read_plain(path)
    roles = load_vocabulary("tvs").match(headers)
    tvs_col, code_col = roles.get("tvs"), roles.get("code")
    if tvs_col is None or code_col is None:
        raise InvalidInputError(
            f"{Path(path).name} : colonnes « TVS » et « code INSEE » attendues "
            f"(en-tête lu : {', '.join(headers)})"
        )
    table: dict[str, list[str]] = {}
    for row in rows:
        if len(row) > max(tvs_col, code_col) and row[tvs_col] and row[code_col]:
            table.setdefault(row[tvs_col].strip(), []).append(row[code_col].strip())
    return table


def _read_plain(path: Path) -> tuple[list[str], list[list[str]]]:
    """First row as header: for the TVS table, which has no class column."""
    from zoning.io.read import read_table

    table = read_table(path, what="table TVS")
    return table.headers, table.rows


def resolve_row(
    resolver: Resolver,
    tvs: dict[str, list[str]] | None,
    cell: Callable[[list[str], str], str],
    row: list[str],
) -> tuple[list[str], str]:
    code = cell(row, "code")
    if code:
        return resolver.by_code(code)
    tvs_code = cell(row, "tvs")
    name = cell(row, "name")
    if tvs_code and tvs is None and not name:
        raise InvalidInputError(
            f"territoire de vie-santé « {tvs_code} » sans ses communes : donnez la table "
            "TVS → communes avec --tvs FICHIER"
        )
    if tvs_code and tvs is not None and (tvs_code in tvs or not name):
        members = tvs.get(tvs_code)
        if not members:
            raise NotFoundError(f"TVS « {tvs_code} » absent de la table TVS → communes")
        out: list[str] = []
        for member in members:
            out += resolver.by_code(member)[0]
        return sorted(set(out)), f"TVS {tvs_code} → {len(set(out))} communes"
    if name and cell(row, "postcode"):
        return resolver.by_postcode(name, cell(row, "postcode"))
    if name and cell(row, "departement"):
        return resolver.by_name_dep(name, cell(row, "departement"))
    raise InvalidInputError(
        "ni code INSEE, ni nom de commune avec département ou code postal, ni code QPV"
    )
