"""Fixtures of the table tests: DS-style exports, FINESS lookups, the zoning file as truth."""

from __future__ import annotations

import csv
from pathlib import Path

import make_ds_exports as ds
import pytest

from zoning.io.text import fold
from zoning.locate.finess import (
    FinessLocator,
    FinessStatus,
    finess_locator_from_directory,
    finess_status_from_directory,
)


@pytest.fixture(scope="session")
def finess_lookups(sources_dir: Path) -> tuple[FinessLocator, FinessStatus]:
    """Location and legal status from the real Eurostat hospital extract."""
    from zoning.sources.finess import FinessDirectory
    from zoning.sources.finess_files import read_eurostat_hospitals
    from zoning.sources.manifest import load_manifest

    source = load_manifest()["finess_hospitals"]
    directory = FinessDirectory([read_eurostat_hospitals(source.path(sources_dir), source)])
    return finess_locator_from_directory(directory), finess_status_from_directory(directory)


@pytest.fixture(scope="session")
def zone_truth(sources_dir: Path) -> dict[str, str]:
    """INSEE code -> class, straight from the zoning file (keyed by postcode + name).

    Independent of the store's join: the COG name and La Poste's postcodes of a code
    are matched to the zoning file's rows by folded name and postcode.
    """
    cog = sources_dir / "cog_communes"
    names = {}
    with (cog / "cog2022_communes.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["TYPECOM"] == "COM":
                names[row["COM"]] = fold(row["LIBELLE"])
    postcodes: dict[str, set[int]] = {}
    with (cog / "laposte_hexasmal_2022-02.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            postcodes.setdefault(row["Code_commune_INSEE"], set()).add(int(row["Code_postal"]))
    zoning: dict[tuple[int, str], str] = {}
    path = sources_dir / "zonage_medecins" / "zonmed_ZonageMed_national.csv"
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            zoning[(int(row["Code_postal"]), fold(row["Nom_commune"]))] = row["Zonage"]
    truth = {}
    for code, name in names.items():
        for cp in postcodes.get(code, ()):
            if (cp, name) in zoning:
                truth[code] = zoning[(cp, name)].split("_", 1)[-1]
                break
    return truth


@pytest.fixture(scope="session")
def ds_files(sources_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The DS export as XLSX (all sheets), CSV (``;`` Windows-1252) and ODS."""
    folder = tmp_path_factory.mktemp("ds")
    return {
        "xlsx": ds.write_xlsx(folder / ds.EXPORT_NAME, sources_dir),
        "csv": ds.write_csv(folder / "dossiers_postes-partages-mg-na_2023-05-02_10-15.csv",
                            sources_dir),
        "ods": ds.write_ods(folder / "dossiers_postes-partages-mg-na_2023-05-02_10-15.ods",
                            sources_dir),
    }  # fmt: skip
