"""addok documents built from the real source files, for an offline geocoder.

Two kinds of documents, in addok's NDJSON import format:

* ``municipality``: every commune of La Poste's postal-code base, at its reference
  point, named as in the COG (La Poste's spelling and ``Ligne_5`` names as extra
  names), with all its postal codes;
* ``street``: the streets of the hospitals of the FINESS-derived Eurostat table, with
  their house numbers at the hospitals' coordinates.

This is not the BAN (no BAN file is available offline): a street that holds no
hospital is unknown to this geocoder, which then falls back on the commune.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from zoning.io.atomic import atomic_open
from zoning.locate.geocode.commune import CommuneLocator, load_postal
from zoning.sources.names import normalize_name

log = logging.getLogger(__name__)

#: Population that maps to importance 1 (Paris has 2.2 M).
_FULL_IMPORTANCE_POPULATION = 2_000_000


@dataclass(frozen=True)
class DocumentStats:
    """How many documents of each type were written."""

    municipalities: int
    streets: int
    housenumbers: int
    skipped_hospitals: int

    @property
    def total(self) -> int:
        """Number of documents (one per line)."""
        return self.municipalities + self.streets


def _commune_names(sources: Path) -> dict[str, str]:
    """INSEE code -> COG 2022 name with accents (communes and Paris/Lyon/Marseille ARM)."""
    from zoning.sources.cog import read_cog_communes
    from zoning.sources.manifest import load_manifest

    source = load_manifest()["cog_communes"]
    cog = read_cog_communes(source.paths(sources)[0], source)
    cog = cog[cog["type"].isin(["COM", "ARM"])]
    return dict(zip(cog["code"], cog["name"], strict=True))


def _populations(sources: Path) -> dict[str, int]:
    from zoning.sources.manifest import load_manifest
    from zoning.sources.population import read_population

    source = load_manifest()["population"]
    table = read_population(source.path(sources), source)
    return dict(zip(table["code"], table["population"].astype(int), strict=True))


def _importance(population: int | None) -> float:
    if not population:
        return 0.0
    return round(min(1.0, math.log10(population + 1) / math.log10(_FULL_IMPORTANCE_POPULATION)), 4)


def municipality_documents(
    postal: pd.DataFrame, names: dict[str, str], populations: dict[str, int]
) -> Iterator[dict[str, Any]]:
    """One ``municipality`` document per INSEE code of La Poste's table."""
    locator = CommuneLocator(postal)
    extra: dict[str, list[str]] = {}
    for row in locator.postal.to_dict("records"):
        bucket = extra.setdefault(str(row["code"]), [])
        for name in (row["name"], row["line5"]):
            if isinstance(name, str) and name and name not in bucket:
                bucket.append(name)
    for code, point in locator.points.items():
        main = names.get(code, point.name)
        # La Poste's upper-case spelling of the same name would only be indexed twice.
        seen = {normalize_name(main)}
        all_names = [main]
        for name in extra.get(code, []):
            if normalize_name(name) not in seen:
                seen.add(normalize_name(name))
                all_names.append(name)
        yield {
            "id": code,
            "type": "municipality",
            "name": all_names,
            "postcode": list(point.postcodes),
            "citycode": code,
            "city": main,
            "lat": point.lat,
            "lon": point.lon,
            "importance": _importance(populations.get(code)),
        }


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", normalize_name(text).lower()).strip("_")


def street_documents(
    hospitals: pd.DataFrame, locator: CommuneLocator, names: dict[str, str]
) -> tuple[list[dict[str, Any]], int]:
    """``street`` documents holding the hospitals' house numbers.

    Returns
    -------
    (documents, skipped)
        ``skipped`` counts hospitals without a street or whose commune is not found.
    """
    streets: dict[tuple[str, str], dict[str, Any]] = {}
    skipped = 0
    for row in hospitals.to_dict("records"):
        street, number = str(row["street"] or ""), str(row["housenumber"] or "")
        lat, lon = float(row["lat"]), float(row["lon"])
        if not street or math.isnan(lat) or math.isnan(lon):
            skipped += 1
            continue
        commune = locator.locate(postcode=row["postcode"], city=row["city"])
        if commune.citycode is None:
            skipped += 1
            continue
        code = commune.citycode
        postcodes = locator.points[code].postcodes
        # CEDEX codes are not street postcodes: keep the commune's own in that case.
        postcode = row["postcode"] if row["postcode"] in postcodes else postcodes[0]
        key = (code, normalize_name(street))
        doc = streets.setdefault(
            key,
            {
                "id": f"{code}_{_slug(street)}",
                "type": "street",
                "name": street,
                "postcode": postcode,
                "citycode": code,
                "city": names.get(code, locator.points[code].name),
                "lat": lat,
                "lon": lon,
                "importance": 0.1,
                "housenumbers": {},
                "_points": [],
            },
        )
        doc["_points"].append((lat, lon))
        if number:
            # Several FINESS sites at one number: keep the first (the parent site).
            doc["housenumbers"].setdefault(number, {"lat": lat, "lon": lon})
    documents = []
    for doc in streets.values():
        points = doc.pop("_points")
        doc["lat"] = round(sum(p[0] for p in points) / len(points), 7)
        doc["lon"] = round(sum(p[1] for p in points) / len(points), 7)
        if not doc["housenumbers"]:
            del doc["housenumbers"]
        documents.append(doc)
    return documents, skipped


def build_documents(sources: Path, out: Path) -> DocumentStats:
    """Write the NDJSON documents of the offline geocoder.

    Parameters
    ----------
    sources
        Folder of source files (La Poste, COG, population, FINESS/Eurostat).
    out
        The ``.ndjson`` file to write (one JSON document per line).

    Returns
    -------
    DocumentStats
        Counts of what was written.
    """
    from zoning.sources.finess_files import read_eurostat_hospitals
    from zoning.sources.manifest import load_manifest

    sources = Path(sources)
    postal = load_postal(sources)
    names = _commune_names(sources)
    populations = _populations(sources)
    source = load_manifest()["finess_hospitals"]
    hospitals = read_eurostat_hospitals(source.path(sources), source)
    locator = CommuneLocator(postal)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    municipalities = streets = housenumbers = 0
    with atomic_open(out) as fh:
        for doc in municipality_documents(postal, names, populations):
            fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
            municipalities += 1
        docs, skipped = street_documents(hospitals, locator, names)
        for doc in docs:
            fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
            streets += 1
            housenumbers += len(doc.get("housenumbers", {}))
    stats = DocumentStats(municipalities, streets, housenumbers, skipped)
    log.info("wrote %s documents to %s (%s)", stats.total, out, stats)
    return stats
