"""FINESS establishments indexed by ET number, from every FINESS file of a sources folder.

The files themselves are read by :mod:`zoning.sources.finess_files`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from zoning.errors import InvalidInputError, NotFoundError
from zoning.identifiers import normalise_finess
from zoning.sources.finess_files import FINESS_COLUMNS, read_etalab, read_eurostat_hospitals

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FinessSite:
    """One FINESS establishment (ET)."""

    finess: str
    name: str
    category_code: str | None
    category: str
    housenumber: str
    street: str
    postcode: str
    city: str
    citycode: str | None
    lon: float | None
    lat: float | None
    geo_quality: str | None
    origin: str
    legal_status: str | None = None

    @property
    def address(self) -> str:
        """One-line postal address: ``"900 ROUTE DE PARIS 01440 VIRIAT"``."""
        parts = (self.housenumber, self.street, self.postcode, self.city)
        return " ".join(p for p in parts if p)


class FinessDirectory:
    """FINESS establishments indexed by ET number.

    Parameters
    ----------
    frames
        Tables with :data:`FINESS_COLUMNS`; on a duplicate number the first one wins
        (pass the etalab extract before the Eurostat table).
    """

    def __init__(self, frames: Iterable[pd.DataFrame]) -> None:
        table = pd.concat(list(frames), ignore_index=True)
        self.table = table.drop_duplicates("finess", keep="first").set_index("finess")

    def __len__(self) -> int:
        return len(self.table)

    def __contains__(self, finess: object) -> bool:
        try:
            return normalise_finess(finess) in self.table.index
        except InvalidInputError:
            return False

    def get(self, finess: object) -> FinessSite:
        """The establishment with this ET number.

        Raises
        ------
        InvalidInputError
            Malformed number.
        NotFoundError
            Well-formed number absent from the loaded files.
        """
        number = normalise_finess(finess)
        if number not in self.table.index:
            raise NotFoundError(
                f"numéro FINESS {number} absent des fichiers chargés "
                f"({len(self)} établissements ; le fichier Eurostat ne contient que les "
                "hôpitaux, pas les centres ni maisons de santé)"
            )
        row = self.table.loc[number]

        def text(key: str) -> str:
            value = row[key]
            return "" if value is None or pd.isna(value) else str(value)

        def number_or_none(key: str) -> float | None:
            value = row[key]
            return None if value is None or pd.isna(value) else float(value)

        return FinessSite(
            finess=number,
            name=text("name"),
            category_code=text("category_code") or None,
            category=text("category"),
            housenumber=text("housenumber"),
            street=text("street"),
            postcode=text("postcode"),
            city=text("city"),
            citycode=text("citycode") or None,
            lon=number_or_none("lon"),
            lat=number_or_none("lat"),
            geo_quality=text("geo_quality") or None,
            origin=text("origin"),
            legal_status=text("legal_status") or None,
        )

    def with_citycodes(self, citycodes: pd.Series) -> FinessDirectory:
        """A copy whose missing ``citycode`` are filled from ``citycodes`` (indexed by FINESS)."""
        table = self.table.copy()
        missing = table["citycode"].isna() | (table["citycode"] == "")
        table.loc[missing, "citycode"] = citycodes.reindex(table.index[missing]).to_numpy()
        clone = FinessDirectory.__new__(FinessDirectory)
        clone.table = table
        return clone


def load_finess_directory(sources_dir: Path) -> FinessDirectory:
    """Every FINESS file in a sources folder: etalab stock extracts first, then Eurostat.

    An empty directory (with a warning) when the folder holds none.
    """
    from zoning.sources.manifest import load_manifest

    frames = [
        read_etalab(p)
        for p in sorted((sources_dir / "finess").glob("etalab-cs1100507-stock-*.csv"))
    ]
    source = load_manifest()["finess_hospitals"]
    if source.is_present(sources_dir):
        frames.append(read_eurostat_hospitals(source.path(sources_dir), source))
    if not frames:
        log.warning("no FINESS file in %s/finess", sources_dir)
        frames.append(pd.DataFrame(columns=list(FINESS_COLUMNS)))
    return FinessDirectory(frames)
