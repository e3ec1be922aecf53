"""``zoning export``: the changes layer, Shapefile and FlatGeobuf outputs, QGIS reading the
styles, and failures (French message, exit 2, nothing left behind)."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from export_helpers import NA, OLD, REPO, raw_population, zoning
from zoning_cli import copy_store

from zoning.errors import OutputError, OutputInterruptedError
from zoning.io.gpkg import Layer, write_layers
from zoning.io.qgis_style import LayerStyle

# SYNTHETIC successor (not a real decree): the 2022 classes with these communes moved.
MOVES = {"23096": ("ZIP", "HZ"), "33063": ("HZ", "ZAC"), "64102": ("HZ", "ZIP")}
SYNTHETIC = "test-na-synthetique"


@pytest.fixture(scope="module")
def store_with_successor(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from zoning.locate import lookup
    from zoning.store import ZoningStore
    from zoning.store.decree_import import import_decree
    from zoning.store.decree_store import export_table

    folder = tmp_path_factory.mktemp("successor")
    dest = copy_store(store_path, folder / "store")
    headers, rows = export_table(ZoningStore.open(dest), OLD)
    table = pd.DataFrame(rows, columns=headers)
    for code, (was, now) in MOVES.items():
        assert table.loc[table["code_insee"] == code, "classe"].item() == was
        table.loc[table["code_insee"] == code, "classe"] = now
    annex = folder / "SYNTHETIQUE-annexe.csv"
    table.to_csv(annex, sep=";", index=False)
    report = import_decree(
        ZoningStore.open(dest),
        annex,
        decree_id=SYNTHETIC,
        region=NA,
        communes=lookup,
        adopted=date(2029, 1, 1),
        in_force=date(2030, 1, 1),
    )
    assert report.written
    return dest


def test_changes_layer_holds_exactly_the_changed_communes(
    store_with_successor: Path, sources_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "changements.gpkg"
    result = zoning(
        store_with_successor,
        "export",
        str(out),
        "--arrete",
        SYNTHETIC,
        "--depuis",
        OLD,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    changes = pyogrio.read_dataframe(out, layer="changements").set_index("code")
    assert {c: (r.classe_avant, r.classe_apres) for c, r in changes.iterrows()} == MOVES
    assert changes["population"].to_dict() == raw_population(sources_dir, list(MOVES))
    assert changes.loc["23096", "changement"] == "sortie de zonage"
    assert changes.loc["64102", "changement"] == "entrée en ZIP"
    communes = pyogrio.read_dataframe(out, layer="communes").set_index("code")
    assert communes.loc["33063", "classe"] == "ZAC"
    assert changes.geometry["23096"].equals(communes.geometry["23096"])
    import sqlite3

    with sqlite3.connect(out) as connection:
        (qml,) = connection.execute(
            "SELECT styleQML FROM layer_styles WHERE f_table_name = 'changements'"
        ).fetchone()
    assert 'attr="changement"' in qml and 'value="entrée en ZIP"' in qml


def test_shapefile_one_file_per_layer_with_its_style(
    store_path: Path, batch_result: Path, gpkg: Path, tmp_path: Path
) -> None:
    out = tmp_path / "couches.shp"
    result = zoning(store_path, "export", str(out), "--postes", str(batch_result), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("communes", "qpv", "departements", "sites", "liens"):
        shp = tmp_path / f"couches-{name}.shp"
        for suffix in (".shp", ".dbf", ".shx", ".prj", ".cpg", ".qml"):
            assert shp.with_suffix(suffix).is_file(), f"{name}{suffix}"
        assert len(pyogrio.read_dataframe(shp)) == len(pyogrio.read_dataframe(gpkg, layer=name))
        fields = pyogrio.read_info(shp)["fields"]
        assert all(len(f) <= 10 for f in fields), fields
        qml = shp.with_suffix(".qml").read_text(encoding="utf-8")
        if 'attr="' in qml:
            assert qml.split('attr="')[1].split('"')[0] in fields
    communes = pyogrio.read_dataframe(tmp_path / "couches-communes.shp")
    assert communes.set_index("code").loc["23096", "nom"] == "Guéret"  # UTF-8 kept
    provenance = pd.read_csv(tmp_path / "couches-provenance.csv", sep=";", encoding="utf-8-sig")
    assert "arrêté" in set(provenance["cle"])
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_flatgeobuf(store_path: Path, tmp_path: Path) -> None:
    result = zoning(store_path, "export", str(tmp_path / "z.fgb"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("z-"))
    assert names == [
        "z-communes.fgb",
        "z-communes.qml",
        "z-departements.fgb",
        "z-departements.qml",
        "z-provenance.csv",
        "z-qpv.fgb",
        "z-qpv.qml",
    ]
    assert pyogrio.read_info(tmp_path / "z-communes.fgb")["features"] == 4309


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["absent/couches.gpkg"], 2, "dossier de sortie introuvable"),
        (["couches.kml"], 2, "format de couches non pris en charge"),
        (["couches.gpkg", "--depuis", "inconnu"], 5, "arrêté inconnu « inconnu »"),
    ],
)
def test_bad_output_is_refused_in_french(
    store_path: Path, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    result = zoning(store_path, "export", *args, cwd=tmp_path)
    assert result.returncode == code, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert [p.name for p in tmp_path.iterdir()] in ([], ["cache"])


def _layers() -> list[Layer]:
    point = gpd.GeoDataFrame({"a": ["x"]}, geometry=[shapely.Point(1, 45)], crs=4326)
    return [Layer("ok", point, "ok", "ok", LayerStyle("ok", "point"))]


class _Broken(Layer):
    """A layer whose writing fails half-way through the file (after the first layer)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__("broken", None, "broken", "broken", None)
        self.error = error

    @property
    def geometry_type(self) -> str | None:
        raise self.error


@pytest.mark.parametrize("suffix", [".gpkg", ".shp", ".fgb"])
@pytest.mark.parametrize(
    ("error", "expected"),
    [(KeyboardInterrupt(), OutputInterruptedError), (OSError(28, "No space"), OutputError)],
)
def test_nothing_left_behind_on_failure(
    tmp_path: Path, suffix: str, error: BaseException, expected: type
) -> None:
    with pytest.raises(expected):
        write_layers(tmp_path / f"couches{suffix}", [*_layers(), _Broken(error)], [("k", "v")])
    assert os.listdir(tmp_path) == []


def test_qgis_opens_it_coloured(gpkg: Path, tmp_path: Path) -> None:
    """QGIS itself (when installed) reads each style from layer_styles."""
    probe = subprocess.run(
        ["/usr/bin/python3", "-c", "import qgis.core"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        pytest.skip("QGIS (python3-qgis) absent: styles checked through GDAL only")
    result = subprocess.run(
        [
            "/usr/bin/python3",
            str(REPO / "docs" / "qgis_render.py"),
            str(gpkg),
            "-o",
            str(tmp_path / "qgis.png"),
            "--check",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "communes: 4309 entités, rendu categorizedSymbol sur « classe »" in result.stdout
    assert "ZIP=#b2182b" in result.stdout
    assert (tmp_path / "qgis.png").stat().st_size > 50_000


def test_a_draft_says_projet_everywhere(
    store_path: Path, sources_dir: Path, tmp_path: Path
) -> None:
    """``zoning draft -o projet.gpkg``: an empty draft with typed caps, the Creuse in ZIP and
    Guéret in HZ; its classes, its département row against the typed cap (population from
    INSEE's file), « projet » in every title, and no changes layer (nothing to start from)."""
    out = tmp_path / "projet.gpkg"
    done = zoning(
        store_path, "draft", "--region", NA, "--plafond", "ZIP=16,8", "--classe", "ZIP",
        "--departement", "23", "--classe", "HZ", "--commune", "23096", "-o", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "l'annexe s'écrit avec -o" in done.stdout  # import-decree reads tables, not layers
    communes = pyogrio.read_dataframe(out, layer="communes", read_geometry=False)
    creuse = communes.loc[communes["departement"] == "23"].set_index("code")["classe"]
    assert creuse["23096"] == "HZ" and set(creuse.drop("23096")) == {"ZIP"}
    assert set(communes.loc[communes["departement"] != "23", "classe"]) == {"ND"}
    assert "changements" not in {name for name, _ in pyogrio.list_layers(out)}
    for layer in ("communes", "departements"):
        meta = pyogrio.read_info(out, layer=layer)["layer_metadata"]
        assert "(projet)" in meta["IDENTIFIER"] and "PROJET" in meta["DESCRIPTION"], layer
    provenance = pyogrio.read_dataframe(out, layer="provenance")
    rows = dict(zip(provenance["cle"], provenance["valeur"], strict=True))
    assert rows["statut"].startswith("PROJET") and rows["arrêté de départ"].startswith("aucun")
    assert rows["plafonds de l'arrêté (part de la population régionale)"] == "ZIP 16.8 %"
    deps = pyogrio.read_dataframe(out, layer="departements", read_geometry=False)
    creuse_zip = set(creuse.drop("23096").index)
    region = deps.loc[deps["niveau"] == "région"].iloc[0]
    assert region["population_zip"] == sum(raw_population(sources_dir, sorted(creuse_zip)).values())
    assert region["plafond_zip_pct"] == 16.8
