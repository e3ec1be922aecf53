"""Commune fallback: an INSEE code, or a postal code and a name, to the commune's point.

The point is La Poste's reference point of the commune. It is flagged precision
``municipality`` and never passed off as an address.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from zoning.locate.geocode.result import GeocodeResult
from zoning.sources.names import name_keys, normalize_name

log = logging.getLogger(__name__)

_CEDEX = re.compile(r"\s+CEDEX\b.*$", re.IGNORECASE)
MUNICIPALITY_NOTE = "point de référence de la commune (La Poste), pas une adresse"


def load_postal(sources: Path | None = None, store: Path | None = None) -> pd.DataFrame:
    """La Poste's table ``code, postcode, name, line5, label, lat, lon``.

    Taken from the zoning store when one is built (``store.postal()``), otherwise read
    from the sources folder.

    Parameters
    ----------
    sources
        Folder of source files (default: settings.sources).
    store
        Folder of the zoning store (default: settings.store).
    """
    from zoning.settings import get_settings

    settings = get_settings()
    store_path = Path(store or settings.store)
    if (store_path / "store.json").is_file() and sources is None:
        try:
            from zoning.store import ZoningStore

            return ZoningStore.open(store_path).postal()
        except ImportError:  # store package not there yet: read the source file
            log.debug("zoning.store unavailable, reading La Poste from the sources folder")
    from zoning.sources.manifest import load_manifest
    from zoning.sources.postal import read_laposte

    source = load_manifest()["laposte"]
    return read_laposte(source.path(Path(sources or settings.sources)), source)


@dataclass(frozen=True)
class CommunePoint:
    """A commune's reference point."""

    code: str
    name: str
    postcodes: tuple[str, ...]
    lon: float
    lat: float


class CommuneLocator:
    """Find a commune from its INSEE code, or a postal code and a name.

    Parameters
    ----------
    postal
        La Poste's table as given by :func:`load_postal`.
    """

    def __init__(self, postal: pd.DataFrame) -> None:
        self.postal = postal.dropna(subset=["lat", "lon"]).reset_index(drop=True)

    @classmethod
    def load(cls, sources: Path | None = None) -> CommuneLocator:
        """Build from the store or the sources folder (see :func:`load_postal`)."""
        return cls(load_postal(sources))

    @cached_property
    def points(self) -> dict[str, CommunePoint]:
        """INSEE code -> reference point (the row without a ``Ligne_5`` first)."""
        table = self.postal.assign(_has_line5=self.postal["line5"].fillna("") != "")
        table = table.sort_values(["code", "_has_line5"], kind="stable")
        postcodes: dict[str, tuple[str, ...]] = {}
        for code, postcode in zip(table["code"], table["postcode"], strict=True):
            known = postcodes.get(code, ())
            if postcode not in known:
                postcodes[code] = (*known, postcode)
        first = table.drop_duplicates("code", keep="first")
        return {
            str(row["code"]): CommunePoint(
                str(row["code"]),
                str(row["name"]),
                postcodes[str(row["code"])],
                float(row["lon"]),
                float(row["lat"]),
            )
            for row in first.to_dict("records")
        }

    @cached_property
    def _index(self) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]]:
        """(postcode -> codes, name key -> codes, "postcode|key" -> codes)."""
        by_postcode: dict[str, set[str]] = {}
        by_key: dict[str, set[str]] = {}
        by_both: dict[str, set[str]] = {}
        for row in self.postal.to_dict("records"):
            code, postcode = str(row["code"]), str(row["postcode"])
            by_postcode.setdefault(postcode, set()).add(code)
            for name in (row["name"], row["label"], row["line5"]):
                if isinstance(name, str) and name:
                    for key in name_keys(name):
                        by_key.setdefault(key, set()).add(code)
                        by_both.setdefault(f"{postcode}|{key}", set()).add(code)
        return by_postcode, by_key, by_both

    def codes_for(self, postcode: str | None = None, city: str | None = None) -> list[str]:
        """INSEE codes matching a postal code and/or a name (exact after normalisation)."""
        by_postcode, by_key, by_both = self._index
        postcode = postcode.strip().zfill(5) if postcode else None
        keys = (name_keys(city) | {normalize_name(city)}) if city else set()
        found: set[str] = set()
        if postcode and keys:
            for key in keys:
                found |= by_both.get(f"{postcode}|{key}", set())
        elif postcode:
            found = by_postcode.get(postcode, set())
        else:
            for key in keys:
                found |= by_key.get(key, set())
        return sorted(found)

    def codes_with_prefix(self, city: str, departement: str) -> list[str]:
        """INSEE codes of the département whose name starts with ``city`` (whole words)."""
        _, by_key, _ = self._index
        prefix = normalize_name(city) + " "
        found: set[str] = set()
        for key, codes in by_key.items():
            if key.startswith(prefix):
                found |= {c for c in codes if c.startswith(departement)}
        return sorted(found)

    def by_code(self, citycode: str) -> GeocodeResult:
        """The reference point of the commune with this INSEE code."""
        point = self.points.get(str(citycode).strip().zfill(5))
        if point is None:
            return GeocodeResult.failed(
                f"code commune INSEE « {citycode} » inconnu de la base La Poste 2022"
            )
        return self._result(point, MUNICIPALITY_NOTE)

    def locate(
        self,
        postcode: str | None = None,
        city: str | None = None,
        citycode: str | None = None,
    ) -> GeocodeResult:
        """The commune's point from an INSEE code, or a postal code and/or a name.

        Parameters
        ----------
        postcode
            Postal code (5 digits; a lost leading zero is restored).
        city
            Commune name, any case or accents; a ``Ligne_5`` name (hamlet, former
            commune) is accepted.
        citycode
            INSEE code; when given it wins over the other two.

        Returns
        -------
        GeocodeResult
            Precision ``municipality`` with a French note, or ``none`` with the reason.
        """
        if citycode and str(citycode).strip():
            return self.by_code(str(citycode))
        postcode = str(postcode).strip().zfill(5) if postcode and str(postcode).strip() else None
        city = _CEDEX.sub("", city).strip() if city and city.strip() else None
        if not postcode and not city:
            return GeocodeResult.failed("ni commune, ni code postal, ni code INSEE fourni")
        codes = self.codes_for(postcode, city)
        note = MUNICIPALITY_NOTE
        if not codes and postcode and city:
            # A CEDEX or mistyped postal code: look for the name in the same département.
            dept = postcode[:2]
            codes = [c for c in self.codes_for(None, city) if c.startswith(dept)]
            note = f"code postal {postcode} sans commune « {city} » ; commune trouvée par son nom"
            if not codes:
                # A name cut short on a CEDEX line (« LA TESTE » for La Teste-de-Buch).
                codes = self.codes_with_prefix(city, dept)
            if not codes:
                codes = self.codes_for(postcode, None)
                if len(codes) == 1:
                    note = (
                        f"commune « {city} » inconnue au code postal {postcode} ; "
                        "seule commune de ce code postal retenue"
                    )
        if not codes:
            what = " ".join(p for p in (postcode, city) if p)
            return GeocodeResult.failed(f"aucune commune trouvée pour « {what} »")
        if len(codes) > 1:
            names = ", ".join(f"{self.points[c].name} ({c})" for c in codes[:5] if c in self.points)
            return GeocodeResult.failed(
                f"{len(codes)} communes possibles : {names} ; précisez le nom ou le code postal"
            )
        point = self.points[codes[0]]
        if note != MUNICIPALITY_NOTE:
            note = f"{note} ; {MUNICIPALITY_NOTE}"
        return self._result(point, note)

    @staticmethod
    def _result(point: CommunePoint, note: str) -> GeocodeResult:
        return GeocodeResult(
            lon=point.lon,
            lat=point.lat,
            precision="municipality",
            source="laposte",
            score=None,
            label=f"{point.name} ({point.code})",
            citycode=point.code,
            reason=note,
        )
