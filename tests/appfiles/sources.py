"""The raw sources read directly, without the tool's code: communes, zones, QPV, hospitals.

Independent of ``zoning`` on purpose (no ``import zoning`` here or in :mod:`truth`): the
expected answers of the generated files must not share the tool's mistakes. Everything
is read with the standard library (``csv``, ``json``) and pyproj/shapely for distances.

Which communes are drawn, and why their class is certain
---------------------------------------------------------
The zoning file is keyed by (postal code, commune name) of about 2025 (SOURCES.md §2). A
zoning row is joined to a COG 2022 commune when exactly one La Poste row of its postal
code carries its name (commune name or « ligne 5 », folded: no accents, no case,
hyphens/apostrophes as spaces, « St » as « Saint »). A commune is **safe** when:

- it is a COG 2022 commune of Nouvelle-Aquitaine untouched by any movement after
  2022-01-01 (same code and name from the 2022 decree until 2026);
- every zoning row joined to it gives the same class, and at least one does.

A **commune nouvelle** of 2023-2026 (movements with a COM → COM merger after 2022) is
drawn under its current name: its 2022 constituents are read from the movements; the
class under the 2022 decree is certain only when every constituent has a joined class
and they agree (a row of the zoning file under the new name counts for every
constituent: the file names communes as of its date). Otherwise the truth is « à
vérifier ».
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

NA_DEPARTEMENTS = ("16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87")
CLASSES = {"1_ZIP": "ZIP", "2_ZAC": "ZAC", "3_HZ": "HZ", "4_ZAR": "ZAR"}
#: Eurostat facility types of general hospitals (the posts are in medicine, not psychiatry).
GENERAL_HOSPITALS = {
    "Centre Hospitalier (C.H.)",
    "Centre Hospitalier Régional (C.H.R.)",
    "Centre hospitalier, ex Hôpital local",
}
#: Names of a hospital's main sites; day units, SMUR antennas, clinics for psychiatry... left out.
MAIN_SITE = re.compile(r"^(CENTRE HOSPITALIER|CH |CHU|CHI |CHIC |GROUPE HOSPITALIER|GH |HOPITAL)")
SIDE_UNIT = re.compile(r"SMUR|PSY|JOUR|CDAG|CMP|EHPAD|USLD|UNITE|CONSULT|ANTENNE|SSR|SLD|EHPA")
#: Commune movements that merge or absorb communes (INSEE MOD codes 31, 32, 33, 34).
MERGERS = {"31", "32", "33", "34"}


def fold(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, « st » as « saint »."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    text = re.sub(r"\bste\b", "sainte", re.sub(r"\bst\b", "saint", text))
    return text


@dataclass
class Commune:
    code: str
    name: str  # LIBELLE of COG 2022, with article
    dep: str
    postcodes: list[str] = field(default_factory=list)
    lat: float | None = None
    lon: float | None = None


@dataclass
class Nouvelle:
    """A commune nouvelle created after 2022 from NA communes."""

    code: str
    name: str
    date: str
    constituents: list[str]


@dataclass
class Hospital:
    finess: str
    name: str
    lat: float
    lon: float
    postcode: str
    city: str
    kind: str


class Sources:
    """The raw source folder, read lazily."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _csv(self, rel: str, delimiter: str = ",") -> list[dict[str, str]]:
        with (self.root / rel).open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle, delimiter=delimiter))

    @cached_property
    def cog_rows(self) -> list[dict[str, str]]:
        return self._csv("cog_communes/cog2022_communes.csv")

    @cached_property
    def communes(self) -> dict[str, Commune]:
        """COG 2022 communes of NA, with La Poste postal codes and reference points."""
        out = {
            r["COM"]: Commune(r["COM"], r["LIBELLE"], r["DEP"])
            for r in self.cog_rows
            if r["TYPECOM"] == "COM" and r["DEP"] in NA_DEPARTEMENTS
        }
        for r in self.laposte:
            commune = out.get(r["Code_commune_INSEE"])
            if commune is None:
                continue
            if r["Code_postal"] not in commune.postcodes:
                commune.postcodes.append(r["Code_postal"])
            if commune.lat is None and r["latitude"]:
                commune.lat, commune.lon = float(r["latitude"]), float(r["longitude"])
        return out

    @cached_property
    def dep_names(self) -> dict[str, str]:
        return {r["DEP"]: r["LIBELLE"] for r in self._csv("cog_communes/cog2022_departements.csv")}

    @cached_property
    def laposte(self) -> list[dict[str, str]]:
        return self._csv("cog_communes/laposte_hexasmal_2022-02.csv", ";")

    @cached_property
    def laposte_by_cp(self) -> dict[str, list[dict[str, str]]]:
        out: dict[str, list[dict[str, str]]] = defaultdict(list)
        for r in self.laposte:
            out[r["Code_postal"]].append(r)
        return out

    @cached_property
    def movements(self) -> list[dict[str, str]]:
        return self._csv("cog_communes/cog_mouvements_communes_to2026.csv")

    @cached_property
    def moved_since_2022(self) -> set[str]:
        """Codes touched by any movement after 2022-01-01 (before or after side)."""
        out: set[str] = set()
        for r in self.movements:
            if r["DATE_EFF"] > "2022-01-01":
                out.update((r["COM_AV"], r["COM_AP"]))
        return out

    @cached_property
    def nouvelles(self) -> dict[str, Nouvelle]:
        """Communes nouvelles 2023-2026 built from NA COG 2022 communes, by current code."""
        parts: dict[str, set[str]] = defaultdict(set)
        info: dict[str, tuple[str, str]] = {}
        for r in self.movements:
            if (
                r["DATE_EFF"] > "2022-01-01"
                and r["MOD"] in MERGERS
                and r["TYPECOM_AV"] == "COM"
                and r["TYPECOM_AP"] == "COM"
                and r["COM_AV"] in self.communes
            ):
                parts[r["COM_AP"]].add(r["COM_AV"])
                info[r["COM_AP"]] = (r["LIBELLE_AP"], r["DATE_EFF"])
        # A later movement may rename or merge again: keep only final codes (no later AV).
        later = {r["COM_AV"] for r in self.movements if r["DATE_EFF"] > "2022-01-01"}
        out = {}
        for code, members in parts.items():
            name, date = info[code]
            if code in later and any(
                r["COM_AV"] == code and r["COM_AP"] != code and r["DATE_EFF"] > date
                for r in self.movements
            ):
                continue
            out[code] = Nouvelle(code, name, date, sorted(members))
        return out

    @cached_property
    def zones(self) -> dict[str, str | None]:
        """COG 2022 NA code -> class (None when rows disagree); codes without rows absent."""
        by_cp = self.laposte_by_cp
        nouvelle_by_name = {fold(n.name): n for n in self.nouvelles.values()}
        found: dict[str, set[str]] = defaultdict(set)
        for r in self._csv("zonage_medecins/zonmed_ZonageMed_national.csv"):
            cp = r["Code_postal"].strip().zfill(5)
            if cp[:2] not in NA_DEPARTEMENTS or r["Zonage"] not in CLASSES:
                continue
            name = fold(r["Nom_commune"])
            codes = {
                p["Code_commune_INSEE"]
                for p in by_cp.get(cp, [])
                if name in (fold(p["Nom_commune"]), fold(p["Ligne_5"]))
            }
            if name in nouvelle_by_name:
                # The file names communes as of its date: a row under a commune nouvelle's
                # name counts for every constituent, also when the new commune kept the
                # name of one of them (Aunac-sur-Charente + Moutonneau, 2025).
                nouvelle = nouvelle_by_name[name]
                if any(cp in self.communes[c].postcodes for c in nouvelle.constituents):
                    codes |= set(nouvelle.constituents)
            if len(codes) > 1 and name not in nouvelle_by_name:
                continue  # one name for several communes of one postal code: not joined
            for code in codes:
                found[code].add(CLASSES[r["Zonage"]])
        return {c: (z.pop() if len(z) == 1 else None) for c, z in found.items()}

    @cached_property
    def safe_codes(self) -> list[str]:
        """NA COG 2022 communes whose class and identity are certain (module doc)."""
        return sorted(
            c
            for c in self.communes
            if c not in self.moved_since_2022 and self.zones.get(c) and self.communes[c].postcodes
        )

    @cached_property
    def names_count(self) -> dict[str, int]:
        """How many places of France bear each folded name: COM, COMD, COMA of COG 2022,
        and every name given by a movement since (a name drawn alone must be unique in
        2026 as well; a commune renamed counts twice, which only leaves it out)."""
        out: dict[str, int] = defaultdict(int)
        for r in self.cog_rows:
            out[fold(r["LIBELLE"])] += 1
        for r in self.movements:
            if r["DATE_EFF"] > "2022-01-01" and r["COM_AV"] != r["COM_AP"]:
                out[fold(r["LIBELLE_AP"])] += 1
        return out

    def unique_postcode(self, code: str) -> str | None:
        """A postal code of ``code`` where its name designates it alone (La Poste)."""
        name = fold(self.communes[code].name)
        for cp in self.communes[code].postcodes:
            same = {
                p["Code_commune_INSEE"]
                for p in self.laposte_by_cp[cp]
                if fold(p["Nom_commune"]) == name
            }
            if same <= {code}:
                return cp
        return None

    @cached_property
    def qpv(self) -> dict[str, list[str]]:
        """Commune code (COG 2025) -> QPV 2024 codes."""
        data = json.loads(
            (self.root / "qpv" / "anct_qpv2024_communes_centroides.geojson").read_text()
        )
        out: dict[str, list[str]] = {}
        for feature in data["features"]:
            p = feature["properties"]
            out[p["insee_com"]] = [q.strip() for q in str(p["code_qp"]).split(",") if q.strip()]
        return out

    @cached_property
    def hospitals(self) -> list[Hospital]:
        """Public general hospitals of NA with a good position (geo_qual 1)."""
        out = []
        for r in self._csv("finess/eurostat_healthcare_FR_hospitals_2020.csv"):
            finess = r["id"].zfill(9)
            if (
                finess[:2] in NA_DEPARTEMENTS
                and r["public_private"] == "public"
                and r["facility_type"] in GENERAL_HOSPITALS
                and MAIN_SITE.match(r["hospital_name"])
                and not SIDE_UNIT.search(r["hospital_name"])
                and r["geo_qual"] == "1"
                and r["lat"]
                and r["lon"]
            ):
                out.append(
                    Hospital(
                        finess,
                        r["hospital_name"],
                        float(r["lat"]),
                        float(r["lon"]),
                        r["postcode"],
                        r["city"],
                        r["facility_type"],
                    )
                )
        return out

    @cached_property
    def polygons_2018(self) -> dict[str, list[dict[str, object]]]:
        """Code 2018 -> GeoJSON geometries, NA départements only."""
        out: dict[str, list[dict[str, object]]] = defaultdict(list)
        for path in sorted((self.root / "communes_france_geojson_2018").glob("communes-*.geojson")):
            if path.name.split("-")[1] not in NA_DEPARTEMENTS:
                continue
            for feature in json.loads(path.read_text())["features"]:
                out[feature["properties"]["code"]].append(feature["geometry"])
        return out

    @cached_property
    def to_2022(self) -> dict[str, str]:
        """Code 2018 -> code 2022 through the movements of 2018-01-02..2022-01-01."""
        step = {
            r["COM_AV"]: r["COM_AP"]
            for r in self.movements
            if "2018-01-02" <= r["DATE_EFF"] <= "2022-01-01"
            and r["TYPECOM_AP"] == "COM"
            and r["COM_AV"] != r["COM_AP"]
        }
        out = {}
        for code in self.polygons_2018:
            seen = code
            for _ in range(5):
                seen = step.get(seen, seen)
            out[code] = seen
        return out

    @cached_property
    def _by_2022(self) -> dict[str, list[dict[str, object]]]:
        out: dict[str, list[dict[str, object]]] = defaultdict(list)
        for old, new in self.to_2022.items():
            out[new] += self.polygons_2018[old]
        return out

    def geometries_2022(self, code: str) -> list[dict[str, object]]:
        """The 2018 polygons that make up COG 2022 commune ``code``."""
        return self._by_2022.get(code, [])

    @cached_property
    def _tree(self) -> tuple[object, list[str]]:
        import shapely
        from shapely.geometry import shape

        codes = list(self.polygons_2018)
        geometries = [shapely.union_all([shape(g) for g in self.polygons_2018[c]]) for c in codes]
        return shapely.STRtree(geometries), [self.to_2022[c] for c in codes]

    def commune_at(self, lon: float, lat: float) -> str | None:
        """COG 2022 code of the NA commune holding the point (None outside NA)."""
        from shapely.geometry import Point

        tree, codes = self._tree
        hits = tree.query(Point(lon, lat), predicate="intersects")  # type: ignore[attr-defined]
        found = {codes[i] for i in hits}
        return found.pop() if len(found) == 1 else None
