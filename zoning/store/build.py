"""Build a zoning store from a folder of source files.

The store is a folder of Parquet tables (GeoParquet for geometries) plus ``store.json``
(what was built, from which files, with which tool version) and a build report
(``report.json`` and ``report.md``). See :mod:`zoning.store.store` for reading it.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from zoning import __version__
from zoning._gc import paused_gc
from zoning.io.write import write_json
from zoning.pointindex import PointIndex, build_index
from zoning.settings import get_settings
from zoning.sources.cog import (
    carry_codes,
    later_communes,
    read_cog_communes,
    read_cog_table,
    read_mouvements,
    vintage_date,
)
from zoning.sources.communes import read_commune_polygons
from zoning.sources.integrity import file_digest
from zoning.sources.manifest import Source, load_manifest
from zoning.sources.population import read_population
from zoning.sources.postal import read_laposte
from zoning.sources.qpv import read_qpv_communes, read_qpv_polygons
from zoning.sources.zonage import read_zoning_table
from zoning.store.decrees import load_decree_files
from zoning.store.integrity import STORE_FORMAT, file_table, store_lock
from zoning.store.keyed import FILENAME as KEYED_FILENAME
from zoning.store.keyed import write_keyed
from zoning.store.match import NameIndex, classes_by_code, match_zoning_rows
from zoning.store.report import build_report, write_report
from zoning.store.store import POINT_INDEX_PREFIX
from zoning.store.tables import (
    carry_frame,
    code_map_frame,
    complete_postal,
    decrees_for_regions,
    dissolve_by_code,
    explain_missing,
    later_geometries,
    store_vintage,
    zones_table,
)

log = logging.getLogger(__name__)


def _file_entry(path: Path) -> dict[str, Any]:
    """Name, size and sha256 of a source file, for provenance."""
    size, sha = file_digest(path)
    return {"name": path.name, "size": size, "sha256": sha}


class _Steps:
    """A progress bar over the named steps of the build."""

    def __init__(self, names: list[str], enabled: bool) -> None:
        self.bar = tqdm(total=len(names), desc="build", unit="step", disable=not enabled)

    def step(self, name: str) -> None:
        self.bar.set_postfix_str(name)
        log.info("build: %s", name)

    def done(self) -> None:
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def build_store(
    sources_dir: Path | None = None,
    out_dir: Path | None = None,
    *,
    manifest: dict[str, Source] | None = None,
    decrees_dir: Path | None = None,
    progress: bool = True,
    accept_changed: bool = False,
    lock_timeout: float = -1,
) -> dict[str, Any]:
    """Read every source in ``sources_dir`` and write a zoning store to ``out_dir``.

    The store's lock is held from start to end (a second build on the same store waits,
    at most ``lock_timeout`` seconds when not negative). Source files that differ from
    the sizes/hashes pinned in the manifest are refused, naming them, unless
    ``accept_changed``: they are then listed in ``store.json`` and the report.

    Parameters
    ----------
    sources_dir, out_dir
        Folders of the source files and of the store (default: the settings).
    manifest, decrees_dir
        Override the project's sources manifest and decree descriptions (tests).
    progress
        Show a progress bar on stderr.

    Returns
    -------
    dict
        The build report (also written as ``report.json`` and ``report.md``).
    """
    settings = get_settings()
    sources_dir = Path(sources_dir or settings.sources)
    out_dir = Path(out_dir or settings.store)
    manifest = manifest or load_manifest()
    with store_lock(out_dir, lock_timeout), paused_gc():
        return _build_locked(
            sources_dir, out_dir, manifest, decrees_dir, progress, accept_changed, settings
        )


def _build_locked(
    sources_dir: Path,
    out_dir: Path,
    manifest: dict[str, Source],
    decrees_dir: Path | None,
    progress: bool,
    accept_changed: bool,
    settings: Any,
) -> dict[str, Any]:
    from zoning.sources.integrity import check_sources, refuse_changed

    changed = check_sources(list(manifest.values()), sources_dir)
    refuse_changed(changed, accept_changed)
    for mismatch in changed:
        log.warning("source file accepted although changed: %s", mismatch.describe())
    decree_files = load_decree_files(decrees_dir)
    steps = _Steps(["cog", "population", "postal", "polygons", "zoning", "qpv", "write"], progress)
    provenance: dict[str, Any] = {}

    def use(source_id: str) -> Source:
        source = manifest[source_id]
        provenance[source_id] = {
            "title": source.title,
            "vintage": source.vintage,
            "licence": source.licence,
            "publisher_url": source.publisher_url,
            "files": [_file_entry(p) for p in source.paths(sources_dir)],
        }
        return source

    import geopandas as gpd

    background = ThreadPoolExecutor(1, thread_name_prefix="pointindex")
    try:
        steps.step("cog")
        cog_source = use("cog_communes")
        cog_paths = cog_source.paths(sources_dir)
        cog_all = read_cog_communes(cog_paths[0], cog_source)
        departements = read_cog_table(cog_paths[1])
        regions = read_cog_table(cog_paths[2])
        mouv_source = use("cog_mouvements")
        mouvements = read_mouvements(mouv_source.path(sources_dir), mouv_source)
        vintage = store_vintage(decree_files, cog_source)
        vintage_day = vintage_date(vintage)
        communes = cog_all.loc[cog_all["type"] == "COM", ["code", "name", "departement", "region"]]
        communes = communes.sort_values("code", ignore_index=True)
        steps.done()

        steps.step("population")
        pop_source = use("population")
        population = read_population(pop_source.path(sources_dir), pop_source)
        pop_vintage = vintage_date(int(pop_source.extra.get("cog_vintage", vintage)))
        population = carry_frame(population, carry_codes(mouvements, pop_vintage, vintage_day))
        population = population.groupby("code", as_index=False).agg(
            population=("population", "sum")
        )
        communes = communes.merge(population, on="code", how="left")
        communes["population"] = communes["population"].fillna(0).astype("int64")
        steps.done()

        steps.step("postal")
        postal_source = use("laposte")
        postal = read_laposte(postal_source.path(sources_dir), postal_source)
        later = later_communes(mouvements, vintage_day, set(communes["code"]))
        postal = complete_postal(postal, later)
        steps.done()

        steps.step("polygons")
        poly_source = use("communes_2018")
        polygons = read_commune_polygons(poly_source.paths(sources_dir), poly_source)
        poly_vintage = vintage_date(int(poly_source.extra.get("cog_vintage", vintage)))
        polygons = carry_frame(polygons, carry_codes(mouvements, poly_vintage, vintage_day))
        polygons = dissolve_by_code(polygons)
        geo = gpd.GeoDataFrame(
            communes.merge(polygons, on="code", how="left"), geometry="geometry", crs=4326
        )
        # The national point index is most of the build: it runs in a thread while the
        # zoning and QPV steps go on (numpy and GEOS release the GIL for its heavy parts).
        commune_index = background.submit(build_index, geo.geometry.to_numpy())
        steps.done()

        steps.step("zoning")
        with_table = [d for d in decree_files if d.classes_loaded and d.zoning_source]
        zoning_source_id = with_table[0].zoning_source if with_table else "zonage_medecins"
        zoning_source = use(zoning_source_id)
        zoning_rows = read_zoning_table(zoning_source.path(sources_dir), zoning_source)
        names_until = zoning_source.extra.get("names_until")
        # La Poste lists Paris, Lyon and Marseille by arrondissement: index them as the commune.
        arrondissements = cog_all.loc[cog_all["type"] == "ARM"]
        parent = dict(zip(arrondissements["code"], arrondissements["parent"], strict=True))
        # Only La Poste's own rows: later names are matched through the movements (``later``).
        postal_communes = postal.loc[postal["since"] == ""]
        postal_communes = postal_communes.assign(
            code=postal_communes["code"].map(lambda c: parent.get(c, c))
        )
        index = NameIndex.build(communes, postal_communes, mouvements, vintage_day, names_until)
        matched = match_zoning_rows(zoning_rows, index)
        classes = classes_by_code(matched)
        decrees = decrees_for_regions(decree_files, regions, zoning_source_id, vintage)
        zones = zones_table(communes, classes, decrees)
        zones["note"] = explain_missing(zones, mouvements, vintage_day)
        steps.done()

        steps.step("qpv")
        qpv_communes, qpv_polygons = _read_qpv(manifest, sources_dir, use, mouvements, vintage_day)
        steps.done()

        steps.step("write")
        code_map = code_map_frame(mouvements, cog_all)
        report = build_report(
            communes=communes,
            polygons=polygons,
            matched=matched,
            zones=zones,
            decrees=decrees,
            regions=regions,
            qpv_communes=qpv_communes,
            qpv_polygons=qpv_polygons,
        )
        report["accepted_changes"] = [m.describe() for m in changed]
        meta = {
            "format": STORE_FORMAT,
            "tool_version": __version__,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "sources_dir": str(sources_dir.resolve()),
            "cog_vintage": vintage,
            "default_region": settings.region,
            "sources": provenance,
            "decrees": [d.to_dict() for d in decrees],
            "regions": dict(zip(regions["REG"], regions["LIBELLE"], strict=True)),
            "departements": dict(zip(departements["DEP"], departements["LIBELLE"], strict=True)),
            # Source files that differ from the manifest's pins, accepted by --accept-changed.
            "accepted_changes": [m.to_dict() for m in changed],
        }
        _write_store(
            out_dir,
            meta=meta,
            report=report,
            tables={
                "zones": zones,
                "postal": postal,
                "code_map": code_map,
                "later_communes": later,
                "qpv_communes": qpv_communes,
                "zoning_rows": matched.assign(codes=matched["codes"].str.join(" ")),
            },
            communes=communes,
            geo=geo,
            commune_index=commune_index.result(),
            qpv_polygons=qpv_polygons,
        )
        steps.done()
    finally:
        background.shutdown(cancel_futures=True)
        steps.close()
    return report


def _read_qpv(
    manifest: dict[str, Source],
    sources_dir: Path,
    use: Any,
    mouvements: pd.DataFrame,
    vintage_day: Any,
) -> tuple[pd.DataFrame, Any]:
    """QPV per commune (carried to the store's vintage) and QPV polygons, when present."""
    import geopandas as gpd

    qpv_communes = pd.DataFrame(columns=["commune", "code_qp", "name_qp", "qpv_list", "note"])
    source = manifest.get("qpv_communes")
    if source is not None and (not source.optional or source.is_present(sources_dir)):
        use(source.id)
        raw = read_qpv_communes(source.path(sources_dir), source)
        list_vintage = vintage_date(int(source.extra.get("cog_vintage", vintage_day.year)))
        back = carry_codes(mouvements, list_vintage, vintage_day)
        raw["note"] = [
            f"commune {c} de {list_vintage.year} répartie en {len(back[c])} communes"
            if len(back.get(c, ())) > 1
            else ""
            for c in raw["commune"]
        ]
        qpv_communes = carry_frame(raw.rename(columns={"commune": "code"}), back).rename(
            columns={"code": "commune"}
        )
    qpv_polygons = gpd.GeoDataFrame(
        columns=["code_qp", "name_qp", "commune", "commune_name", "qpv_list", "geometry"],
        geometry="geometry",
        crs=4326,
    )
    source = manifest.get("qpv_polygons")
    if source is not None and source.is_present(sources_dir):
        use(source.id)
        qpv_polygons = pd.concat(
            [read_qpv_polygons(p, source) for p in source.paths(sources_dir)], ignore_index=True
        )
    elif source is not None:
        log.warning("no QPV polygons in %s: point-in-QPV answers will be empty", sources_dir)
    return qpv_communes, qpv_polygons


def _write_store(
    out_dir: Path,
    *,
    meta: dict[str, Any],
    report: dict[str, Any],
    tables: dict[str, pd.DataFrame],
    communes: pd.DataFrame,
    geo: Any,
    commune_index: PointIndex,
    qpv_polygons: Any,
) -> None:
    """Write into a temporary folder, then swap it in: a failed build leaves the old store.

    ``geo`` is the communes with their polygons, ``commune_index`` the point index built
    from ``geo``'s geometries in that row order.
    """
    import geopandas as gpd

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".store-", dir=out_dir.parent))
    try:
        geo.to_parquet(tmp / "communes.parquet", index=False)
        later_geometries(tables["later_communes"], geo).to_parquet(
            tmp / "later_communes.parquet", index=False
        )
        qpv_gdf = gpd.GeoDataFrame(qpv_polygons, geometry="geometry", crs=4326)
        qpv_gdf.to_parquet(tmp / "qpv_polygons.parquet", index=False)
        # Point indexes, in the same row order as the Parquet tables they answer for.
        commune_index.save(tmp / f"{POINT_INDEX_PREFIX}communes")
        log.info("build: point index for QPV (%d polygons)", len(qpv_gdf))
        build_index(qpv_gdf.geometry.to_numpy()).save(tmp / f"{POINT_INDEX_PREFIX}qpv_polygons")
        for name, table in tables.items():
            if name != "later_communes":  # written above, with its polygons
                table.to_parquet(tmp / f"{name}.parquet", index=False)
        write_keyed(
            tmp / KEYED_FILENAME,
            {
                "communes": communes,
                "zones": tables["zones"],
                "code_map": tables["code_map"],
                "later_communes": tables["later_communes"],
                "qpv_communes": tables["qpv_communes"],
                "postal": tables["postal"],
                "qpv_polygon_codes": pd.DataFrame({"code_qp": list(qpv_polygons["code_qp"])}),
            },
        )
        write_json(tmp / "report.json", report, indent=1)
        write_report(report, meta, tmp / "report.md")
        meta["files"] = file_table(tmp)  # checked on open (sizes) and by data check-store
        write_json(tmp / "store.json", meta, indent=1)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        tmp.rename(out_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
