"""Each loader on the real files, and their errors on bad ones."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from zoning.errors import SourceFormatError, SourceMissingError
from zoning.sources.cog import carry_codes, read_cog_communes, read_mouvements
from zoning.sources.communes import read_commune_polygons
from zoning.sources.manifest import load_manifest
from zoning.sources.names import name_keys, normalize_name
from zoning.sources.population import read_population
from zoning.sources.postal import read_laposte
from zoning.sources.qpv import read_qpv_communes, read_qpv_polygons
from zoning.sources.zonage import read_zoning_table

MANIFEST = load_manifest()


def test_manifest_lists_every_source_with_an_official_url() -> None:
    for source in MANIFEST.values():
        if source.extra.get("pending"):
            # A source announced before its file exists (a decree annex): no file, but
            # its expected format is described and it is never required by the build.
            assert not source.files and source.optional, source.id
            assert source.extra.get("expected_format"), source.id
        else:
            assert source.files, source.id
        assert all(f.url.startswith("https://") for f in source.files)
        assert source.publisher_url.startswith("https://"), source.id


def test_cog_communes(sources_dir: Path) -> None:
    src = MANIFEST["cog_communes"]
    frame = read_cog_communes(src.paths(sources_dir)[0], src)
    com = frame[frame["type"] == "COM"]
    assert len(com) == 34955
    assert (com["region"] == "75").sum() == 4309
    assert com.set_index("code").loc["33063", "name"] == "Bordeaux"


def test_mouvements_carry_a_2018_code_merged_in_2019(sources_dir: Path) -> None:
    src = MANIFEST["cog_mouvements"]
    mouvements = read_mouvements(src.path(sources_dir), src)
    forward = carry_codes(mouvements, date(2018, 1, 1), date(2022, 1, 1))
    assert forward["23121"] == {"23109"}  # Malval -> Linard-Malval (2019)
    backward = carry_codes(mouvements, date(2025, 1, 1), date(2022, 1, 1))
    assert backward["16097"] == {"16097", "16355"}  # Val-de-Cognac (2024) <- 2 communes


def test_population_laposte_zoning_qpv(sources_dir: Path) -> None:
    pop = read_population(MANIFEST["population"].path(sources_dir), MANIFEST["population"])
    assert pop.set_index("code").loc["23096", "population"] == 12734
    poste = read_laposte(MANIFEST["laposte"].path(sources_dir), MANIFEST["laposte"])
    assert set(poste.loc[poste["code"] == "33063", "postcode"]) >= {"33000", "33200"}
    zoning = read_zoning_table(
        MANIFEST["zonage_medecins"].path(sources_dir), MANIFEST["zonage_medecins"]
    )
    assert len(zoning) == 38907
    assert zoning["postcode"].str.len().eq(5).all()  # leading zero restored
    gueret = zoning[(zoning["postcode"] == "23000") & (zoning["name"] == "Guéret")]
    assert list(gueret["zone"]) == ["ZIP"]
    qpv = read_qpv_communes(MANIFEST["qpv_communes"].path(sources_dir), MANIFEST["qpv_communes"])
    assert qpv["code_qp"].nunique() == 1493
    assert len(qpv[qpv["commune"] == "87085"]) == 9


def test_qpv_polygons_are_made_valid(sources_dir: Path) -> None:
    src = MANIFEST["qpv_polygons"]
    qpv = read_qpv_polygons(src.path(sources_dir), src)
    assert len(qpv) == 105
    assert qpv.geometry.is_valid.all()
    assert set(qpv["qpv_list"]) == {"2015"}
    assert qpv.set_index("code_qp").loc["QP031010", "commune"] == "31555"


def test_qpv_polygons_accept_official_upper_case_fields(
    tmp_path: Path, fixture_sources: Path
) -> None:
    import geopandas as gpd

    src = MANIFEST["qpv_polygons"]
    real = gpd.read_file(src.path(fixture_sources)).head(3)
    official = real.rename(
        columns={"code_qp": "CODE_QP", "nom_qp": "NOM_QP", "commune_qp": "COMMUNE_QP"}
    )
    official = official[["CODE_QP", "NOM_QP", "COMMUNE_QP", "geometry"]]
    path = tmp_path / "QP_METROPOLEOUTREMER_WGS84_EPSG4326.gpkg"
    official.to_file(path)
    loaded = read_qpv_polygons(path, src)
    assert list(loaded["code_qp"]) == list(real["code_qp"])
    assert list(loaded["commune_name"]) == list(real["commune_qp"])


def test_commune_polygons(fixture_sources: Path) -> None:
    src = MANIFEST["communes_2018"]
    paths = [p for p in src.paths(fixture_sources) if "-23-" in p.name]
    frame = read_commune_polygons(paths, src)
    assert len(frame) == 258
    assert "23096" in set(frame["code"])


def test_missing_source_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(SourceMissingError, match=r"cog2022_communes\.csv"):
        MANIFEST["cog_communes"].paths(tmp_path)


def test_zoning_table_with_unknown_class_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "zonage_medecins" / "zonmed_ZonageMed_national.csv"
    bad.parent.mkdir()
    bad.write_text("Code_postal,Nom_commune,Zonage\n23000,Guéret,1_ZIP\n23000,Guéret,ZIPPP\n")
    with pytest.raises(SourceFormatError, match="ligne 3"):
        read_zoning_table(bad, MANIFEST["zonage_medecins"])


def test_zoning_table_with_missing_column(tmp_path: Path) -> None:
    bad = tmp_path / "z.csv"
    bad.write_text("cp,commune\n23000,Guéret\n")
    with pytest.raises(SourceFormatError, match="Zonage"):
        read_zoning_table(bad, MANIFEST["zonage_medecins"])


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Saint-Étienne-d'Orthe", "ST ETIENNE D ORTHE"),
        ("L'Abergement-Clémenciat", "ABERGEMENT CLEMENCIAT"),
        ("Sainte-Foy-la-Grande", "STE FOY LA GRANDE"),
        ("Œuilly", "OEUILLY"),
        ("Les Adjots", "ADJOTS"),
    ],
)
def test_name_normalisation(left: str, right: str) -> None:
    assert name_keys(left) & name_keys(right)


def test_names_that_must_stay_apart() -> None:
    assert normalize_name("Saint-Georges") != normalize_name("Sainte-Georges")
    assert not name_keys("Bors (Canton de Tude-et-Lavalette)") & name_keys(
        "Bors (Canton de Charente-Sud)"
    )
