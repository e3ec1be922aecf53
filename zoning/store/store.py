"""Reading a built zoning store.

Tables are read on first use and kept; geometry-free questions (a commune code, a
postal code) never import geopandas, so a cold ``zoning check`` stays fast.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zoning.errors import DecreeNotLoadedError, OutsideCoverageError, StoreMissingError
from zoning.io.french import format_date
from zoning.settings import get_settings
from zoning.store.decrees import EXPIRED, IN_FORCE, NOT_LOADED, Decree
from zoning.store.integrity import check_sizes, damaged, read_meta
from zoning.store.keyed import FILENAME as KEYED_FILENAME
from zoning.store.keyed import KeyedIndex

if TYPE_CHECKING:
    import geopandas as gpd
    import numpy as np
    import pandas as pd

    from zoning.pointindex import PointIndex


log = logging.getLogger(__name__)

__all__ = ["EXPIRED", "IN_FORCE", "NOT_LOADED", "DecreeChoice", "ZoningStore"]

# Folder name prefix of the saved point indexes (one per polygon table).
POINT_INDEX_PREFIX = "pointindex_"


@dataclass(frozen=True)
class DecreeChoice:
    """The decree that answers for a region on a day, and how far it can be trusted.

    ``status`` is :data:`IN_FORCE` (its classes answer), :data:`NOT_LOADED` (the decree
    in force has no class table in the store: no class, « à vérifier », ``caveat``
    names the command that loads it) or :data:`EXPIRED` (past the decree's stated end,
    before its successor applies: its classes, with ``caveat`` saying so).
    """

    decree: Decree
    status: str
    day: date | None
    caveat: str = ""


def _not_loaded(decree: Decree, on: date | None) -> str:
    when = f"le {format_date(on)}" if on else "à ce jour"
    return (
        f"{decree.provenance()} s'applique {when}, mais son classement (annexe) n'est pas "
        f"chargé dans le magasin : à vérifier. Chargez l'annexe publiée par l'ARS avec "
        f"`{decree.import_command()}`"
    )


def _expired(decree: Decree, successor: Decree | None, on: date) -> str:
    ended = decree.in_force_until
    text = f"{decree.short} échu le {format_date(ended)}" if ended else f"{decree.short} échu"
    if decree.end_basis:
        text += f" ({decree.end_basis})"
    if successor is None:
        return (
            text + " ; aucun arrêté suivant connu du magasin : classes de l'arrêté échu, à vérifier"
        )
    if successor.in_force_from:
        text += f", remplacé le {format_date(successor.in_force_from)} par {successor.short}"
    else:
        text += f", remplacé par {successor.short} (date d'effet inconnue)"
    if successor.adopted and successor.adopted <= on:
        published = f", publié le {format_date(successor.published)}" if successor.published else ""
        text += f" (adopté le {format_date(successor.adopted)}{published})"
    return text + " : classes de l'arrêté échu, à vérifier"


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
        meta = read_meta(folder)  # format version
        check_sizes(folder, meta)  # every file there, none truncated (no hashing here)
        return cls(folder, meta)

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

    def region_decrees(self, region: str) -> list[Decree]:
        """The region's decree records, oldest first (by entry into force)."""
        found = [d for d in self.decrees if d.region == region]
        return sorted(found, key=lambda d: (d.in_force_from or date.min, d.id))

    def successor(self, decree: Decree) -> Decree | None:
        """The record that replaces ``decree`` (named, or the next one of its region)."""
        records = self.region_decrees(decree.region)
        for other in records:
            if other.id == decree.replaced_by or (decree.id and other.replaces == decree.id):
                return other
        later = [
            d
            for d in records
            if d.in_force_from and decree.in_force_from and d.in_force_from > decree.in_force_from
        ]
        return later[0] if later else None

    def decree_on(self, region: str, on: date | None = None) -> DecreeChoice:
        """Which decree answers for ``region`` on ``on``, and how sure that answer is.

        ``None`` means the latest decree whose classes are loaded (a later record without
        classes is named in the caveat). See :class:`DecreeChoice` for the statuses.

        Raises
        ------
        OutsideCoverageError
            When the store has no decree for that region, or the day is before the first.
        """
        records = self.region_decrees(region)
        if not records:
            raise OutsideCoverageError(f"la région {region} n'est pas couverte par le magasin")
        if on is None:
            loaded = [d for d in records if d.classes_loaded]
            if not loaded:
                return DecreeChoice(records[-1], NOT_LOADED, None, _not_loaded(records[-1], None))
            latest = loaded[-1]
            later = [
                d
                for d in records
                if not d.classes_loaded
                and d.in_force_from
                and latest.in_force_from
                and d.in_force_from > latest.in_force_from
            ]
            caveat = ""
            if later and later[-1].in_force_from:  # always dated (filtered above): for mypy
                caveat = (
                    f"sans date, jugé sous le dernier arrêté chargé ; {later[-1].short} "
                    f"(en vigueur le {format_date(later[-1].in_force_from)}) n'est pas chargé"
                )
            return DecreeChoice(latest, IN_FORCE, None, caveat)
        in_force = [d for d in records if d.in_force_on(on)]
        if in_force:
            decree = in_force[-1]
            if decree.classes_loaded:
                return DecreeChoice(decree, IN_FORCE, on)
            return DecreeChoice(decree, NOT_LOADED, on, _not_loaded(decree, on))
        ended = [d for d in records if d.in_force_until and d.in_force_until <= on]
        if ended:
            last = max(ended, key=lambda d: d.in_force_until or date.min)
            if last.classes_loaded:
                return DecreeChoice(last, EXPIRED, on, _expired(last, self.successor(last), on))
        known = "; ".join(d.provenance() for d in records)
        raise OutsideCoverageError(
            f"aucun arrêté de zonage connu en vigueur le {format_date(on)} pour la région "
            f"{self.region_name(region)} (connus : {known})"
        )

    def decree_for(self, region: str, on: date | None = None) -> Decree:
        """The decree whose classes answer for ``region`` on ``on`` (``None``: the latest).

        An expired decree not yet replaced is returned (with a warning in the log: the
        placement-level API, :meth:`decree_on`, carries the caveat to the user).

        Raises
        ------
        OutsideCoverageError
            No decree for that region or day, or (:class:`DecreeNotLoadedError`) the
            decree in force that day has no classes loaded.
        """
        choice = self.decree_on(region, on)
        if choice.status == NOT_LOADED:
            raise DecreeNotLoadedError(choice.caveat)
        if choice.status == EXPIRED:
            log.warning("%s", choice.caveat)
        return choice.decree

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
        try:
            return KeyedIndex(self.path / KEYED_FILENAME)
        except sqlite3.Error as exc:
            raise damaged(self.path, KEYED_FILENAME, exc) from exc

    def point_index(self, table: str) -> tuple[np.ndarray, PointIndex]:
        """Codes (in polygon order) and saved point index of ``communes`` or
        ``qpv_polygons``, opened once per store (memory-mapped, polygons decoded lazily).

        Raises
        ------
        StoreMissingError
            When the store was built without point indexes.
        """
        index = self.polygon_index(table)
        key = f"point_codes:{table}"
        if key not in self._cache:
            import numpy as np

            self._cache[key] = np.asarray(self.keyed.polygon_codes(table), dtype=object)
        return self._cache[key], index

    def polygon_index(self, table: str) -> PointIndex:
        """The saved point index of ``communes`` or ``qpv_polygons`` alone (see
        :meth:`point_index`), for callers that read the codes as Arrow columns."""
        key = f"point_index:{table}"
        if key not in self._cache:
            from zoning.pointindex import INDEX_FILE, PointIndex

            folder = self.path / f"{POINT_INDEX_PREFIX}{table}"
            if not folder.is_dir():
                raise StoreMissingError(
                    f"le magasin {self.path} n'a pas d'index de points ({folder.name}) : "
                    "reconstruisez-le avec `zoning data build`"
                )
            try:
                self._cache[key] = PointIndex.load(folder)
            except (OSError, ValueError, KeyError, TypeError) as exc:  # overwritten, cut
                raise damaged(self.path, f"{folder.name}/{INDEX_FILE}", exc) from exc
        index: PointIndex = self._cache[key]  # the cache holds several kinds of values
        return index

    # -- tables ------------------------------------------------------------------------

    def _read(self, reader: Any, name: str, **kwargs: Any) -> Any:
        """Read one file of the store; a damaged file gives the « rebuild » message."""
        try:
            return reader(self.path / name, **kwargs)
        except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
            raise damaged(self.path, name, exc) from exc

    def _table(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        key = name if columns is None else f"{name}:{','.join(columns)}"
        if key not in self._cache:
            import pandas as pd

            self._cache[key] = self._read(pd.read_parquet, f"{name}.parquet", columns=columns)
        frame: pd.DataFrame = self._cache[key]  # the cache holds several kinds of values
        return frame

    def communes(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Communes of the store's vintage, sorted by code (no geometry)."""
        cols = columns or ["code", "name", "departement", "region", "population"]
        return self._table("communes", cols)

    def communes_gdf(self, region: str | None = None) -> gpd.GeoDataFrame:
        """Communes with their polygons (EPSG:4326), optionally of one region."""
        import geopandas as gpd

        if "communes_gdf" not in self._cache:
            self._cache["communes_gdf"] = self._read(gpd.read_parquet, "communes.parquet")
        frame = self._cache["communes_gdf"]
        if region is not None:
            frame = frame.loc[frame["region"] == region].reset_index(drop=True)
        return frame

    def later_communes(self) -> gpd.GeoDataFrame:
        """Communes of COG vintages after the store's (communes nouvelles, renamings,
        restorations): ``code, name, since, kind, members, check`` and their polygon (the
        union of the communes they cover; none when ``check`` says why it is unknown)."""
        import geopandas as gpd

        frame: gpd.GeoDataFrame = self._read(gpd.read_parquet, "later_communes.parquet")
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
            self._cache["qpv_polygons"] = self._read(gpd.read_parquet, "qpv_polygons.parquet")
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
