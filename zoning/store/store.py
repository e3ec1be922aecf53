"""Reading a built zoning store.

Tables are read on first use and kept; geometry-free questions (a commune code, a
postal code) never import geopandas, so a cold ``zoning check`` stays fast.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zoning.errors import OutsideCoverageError, StoreMissingError
from zoning.settings import get_settings
from zoning.store.decrees import Decree
from zoning.store.keyed import FILENAME as KEYED_FILENAME
from zoning.store.keyed import KeyedIndex

if TYPE_CHECKING:
    import geopandas as gpd
    import numpy as np
    import pandas as pd

    from zoning.pointindex import PointIndex


# Folder name prefix of the saved point indexes (one per polygon table).
POINT_INDEX_PREFIX = "pointindex_"


class ZoningStore:
    """A zoning store folder: commune polygons, classes per decree, QPV, code mappings."""

    def __init__(self, path: Path, meta: dict[str, Any]) -> None:
        self.path = path
        self.meta = meta
        self._cache: dict[str, Any] = {}

    @classmethod
    def open(cls, path: Path | str | None = None) -> ZoningStore:
        """Open the store at ``path`` (default: the ``ZONING_STORE`` setting).

        Raises
        ------
        StoreMissingError
            When no store has been built there, with the command that builds one.
        """
        folder = Path(path or get_settings().store)
        meta_path = folder / "store.json"
        if not meta_path.is_file():
            raise StoreMissingError(
                f"aucun magasin de zonage dans {folder} : construisez-le avec "
                "`zoning data build --sources DOSSIER` (ou réglez ZONING_STORE)"
            )
        return cls(folder, json.loads(meta_path.read_text(encoding="utf-8")))

    # -- decrees -----------------------------------------------------------------------

    @cached_property
    def decrees(self) -> list[Decree]:
        """Every decree the store holds classes for."""
        return [Decree.from_dict(d) for d in self.meta["decrees"]]

    def decree(self, decree_id: str) -> Decree:
        """The decree with this id."""
        for decree in self.decrees:
            if decree.id == decree_id:
                return decree
        known = ", ".join(d.id for d in self.decrees if not d.id.startswith("zonmed-"))
        raise OutsideCoverageError(f"arrêté inconnu « {decree_id} » (arrêtés décrits : {known})")

    def decree_for(self, region: str, on: date | None = None) -> Decree:
        """The decree of ``region`` in force on ``on`` (``None``: the latest one).

        Raises
        ------
        OutsideCoverageError
            When the store has no decree for that region, or none in force that day.
        """
        candidates = [d for d in self.decrees if d.region == region]
        if not candidates:
            raise OutsideCoverageError(f"la région {region} n'est pas couverte par le magasin")
        if on is None:
            return max(candidates, key=lambda d: d.in_force_from or date.min)
        in_force = [d for d in candidates if d.in_force_on(on)]
        if not in_force:
            known = "; ".join(d.provenance() for d in candidates)
            raise OutsideCoverageError(
                f"aucun arrêté de zonage connu en vigueur le {on:%d/%m/%Y} pour la région "
                f"{self.region_name(region)} (connus : {known})"
            )
        return max(in_force, key=lambda d: d.in_force_from or date.min)

    def sources_dir(self) -> Path:
        """Where to read source files this store does not hold (FINESS, La Poste...).

        ``ZONING_SOURCES`` when set, else the folder the store was built from if it is
        still there, else the default sources folder.
        """
        import os

        if os.environ.get("ZONING_SOURCES"):
            return get_settings().sources
        built_from = Path(self.meta.get("sources_dir", ""))
        if built_from.is_dir():
            return built_from
        return get_settings().sources

    def region_name(self, region: str) -> str:
        """The region's name (its code if unknown)."""
        return str(self.meta.get("regions", {}).get(region, region))

    @cached_property
    def keyed(self) -> KeyedIndex:
        """Keyed lookups (SQLite), for answers that need no bulk table."""
        return KeyedIndex(self.path / KEYED_FILENAME)

    def point_index(self, table: str) -> tuple[np.ndarray, PointIndex]:
        """Codes (in polygon order) and saved point index of ``communes`` or
        ``qpv_polygons``, opened once per store (memory-mapped, polygons decoded lazily).

        Raises
        ------
        StoreMissingError
            When the store was built without point indexes.
        """
        key = f"point_index:{table}"
        if key not in self._cache:
            import numpy as np

            from zoning.pointindex import load_index

            folder = self.path / f"{POINT_INDEX_PREFIX}{table}"
            if not folder.is_dir():
                raise StoreMissingError(
                    f"le magasin {self.path} n'a pas d'index de points ({folder.name}) : "
                    "reconstruisez-le avec `zoning data build`"
                )
            codes = np.asarray(self.keyed.polygon_codes(table), dtype=object)
            self._cache[key] = (codes, load_index(folder))
        return self._cache[key]

    # -- tables ------------------------------------------------------------------------

    def _table(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        key = name if columns is None else f"{name}:{','.join(columns)}"
        if key not in self._cache:
            import pandas as pd

            self._cache[key] = pd.read_parquet(self.path / f"{name}.parquet", columns=columns)
        return self._cache[key]

    def communes(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Communes of the store's vintage, sorted by code (no geometry)."""
        cols = columns or ["code", "name", "departement", "region", "population"]
        return self._table("communes", cols)

    def communes_gdf(self, region: str | None = None) -> gpd.GeoDataFrame:
        """Communes with their polygons (EPSG:4326), optionally of one region."""
        import geopandas as gpd

        if "communes_gdf" not in self._cache:
            self._cache["communes_gdf"] = gpd.read_parquet(self.path / "communes.parquet")
        frame = self._cache["communes_gdf"]
        if region is not None:
            frame = frame.loc[frame["region"] == region].reset_index(drop=True)
        return frame

    def zones(self, decree_id: str | None = None) -> pd.DataFrame:
        """Class per commune: ``decree_id, code, zone, lines, via, note``."""
        table = self._table("zones")
        if decree_id is not None:
            table = table.loc[table["decree_id"] == decree_id].reset_index(drop=True)
        return table

    def qpv_polygons(self) -> gpd.GeoDataFrame:
        """QPV perimeters (may be empty when the sources had none)."""
        import geopandas as gpd

        if "qpv_polygons" not in self._cache:
            self._cache["qpv_polygons"] = gpd.read_parquet(self.path / "qpv_polygons.parquet")
        return self._cache["qpv_polygons"]

    def qpv_communes(self) -> pd.DataFrame:
        """QPV listed per commune: ``commune, code_qp, name_qp, qpv_list, note``."""
        return self._table("qpv_communes")

    def postal(self) -> pd.DataFrame:
        """La Poste rows: ``code, name, postcode, line5, label, lat, lon``."""
        return self._table("postal")

    def code_map(self) -> pd.DataFrame:
        """Commune code movements: ``old_code, new_code, date, mod, old_name, new_name``."""
        return self._table("code_map")

    def report(self) -> dict[str, Any]:
        """The build report."""
        return dict(json.loads((self.path / "report.json").read_text(encoding="utf-8")))

    def provenance(self) -> dict[str, Any]:
        """What produced answers from this store: tool, build date, sources and decrees."""
        from zoning import __version__

        return {
            "tool_version": __version__,
            "store_tool_version": self.meta["tool_version"],
            "store_built_at": self.meta["built_at"],
            "cog_vintage": self.meta["cog_vintage"],
            "decrees": [d.provenance() for d in self.decrees if not d.id.startswith("zonmed-")],
            "sources": {sid: s["vintage"] for sid, s in self.meta["sources"].items()},
        }
