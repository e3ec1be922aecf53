"""Communes of any vintage: names, codes and old codes of 2023–2026 answered as the decree
names its communes.

The truth is computed here from the raw INSEE movements CSV and La Poste's raw table, with
the csv module only (no code of the tool): each commune nouvelle or renamed commune of
Nouvelle-Aquitaine since COG 2022, the 2022 communes it covers, and their postal codes.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
import shapely

from zoning.locate import lookup
from zoning.store import ZoningStore

NA = ("16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87")
DAY = date(2024, 6, 1)  # under the 2022 decree


def raw_later(sources: Path) -> dict[tuple[str, str], dict[str, object]]:
    """(new code, new name) -> date, kind and the 2022 codes it covers, from the raw CSV."""
    path = sources / "cog_communes" / "cog_mouvements_communes_to2026.csv"
    with open(path, encoding="utf-8") as handle:
        rows = [
            r for r in csv.DictReader(handle)
            if r["DATE_EFF"] > "2022-01-01" and r["TYPECOM_AV"] == r["TYPECOM_AP"] == "COM"
            and r["COM_AP"][:2] in NA
        ]  # fmt: skip
    rows.sort(key=lambda r: r["DATE_EFF"])
    covers: dict[str, set[str]] = {}  # a code after its latest event -> 2022 codes
    out: dict[tuple[str, str], dict[str, object]] = {}
    by_event: dict[tuple[str, str, str], list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        by_event[(r["DATE_EFF"], r["COM_AP"], r["LIBELLE_AP"])].append(r)
    for (day, code, name), group in sorted(by_event.items()):
        members: set[str] = set()
        for r in group:
            members |= covers.get(r["COM_AV"], {r["COM_AV"]})
        covers[code] = members
        out[(code, name)] = {"since": day, "mod": group[0]["MOD"], "members": members}
    return out


def raw_postcodes(sources: Path) -> dict[str, set[str]]:
    with open(sources / "cog_communes" / "laposte_hexasmal_2022-02.csv", encoding="utf-8") as f:
        reader = csv.DictReader(f, delimiter=";")
        out: dict[str, set[str]] = defaultdict(set)
        for r in reader:
            out[r["Code_commune_INSEE"]].add(r["Code_postal"])
    return out


@pytest.fixture(scope="module")
def truth(sources_dir: Path) -> dict[tuple[str, str], dict[str, object]]:
    found = raw_later(sources_dir)
    names = {n for _, n in found}
    assert {"La Boixe", "Val-de-Cognac", "Mansle-les-Fontaines", "Faux-en-Périgord"} <= names
    return found


def test_new_names_new_codes_old_codes(
    store: ZoningStore, sources_dir: Path, truth: dict[tuple[str, str], dict[str, object]]
) -> None:
    postcodes = raw_postcodes(sources_dir)
    latest = {}
    for (code, name), row in sorted(truth.items(), key=lambda kv: str(kv[1]["since"])):
        latest[code] = (name, row)
    checked = 0
    for (code, name), row in truth.items():
        members: set[str] = row["members"]  # type: ignore[assignment]
        names = store.keyed.names(members)
        assert set(names) == members, (code, name)  # every member is a 2022 commune
        postcode = sorted(set().union(*(postcodes[m] for m in members)))[0]
        by_name = lookup.by_postcode_name(store, postcode, name, DAY)
        answers = [by_name]
        if latest[code][0] == name:
            answers.append(lookup.by_commune(store, code, DAY))
        classes = {lookup.by_commune(store, m, DAY, name=names[m]).zone or "" for m in members}
        for placement in answers:
            text = placement.sentence() + " ".join(placement.notes)
            if len(members) == 1:
                (member,) = members
                assert placement.commune_code == member and placement.commune_name == names[member]
                assert name in text
            else:
                assert placement.commune_code == code and placement.commune_name == name
                for m in members:  # each former commune named, with its class
                    assert f"{names[m]} ({m})" in text
                if len(classes) == 1:
                    assert (placement.zone or "") == next(iter(classes))
                else:
                    assert placement.under_served is None and placement.zone_check
                    assert "à vérifier" in text
            checked += 1
        # an old code that disappeared answers its own 2022 commune, naming the new one
        for old in members - {code}:
            placement = lookup.by_commune(store, old, DAY)
            assert placement.commune_code == old
            assert any(latest[code][0] in n for n in placement.notes)
    assert checked > 30


def test_vars_by_name_is_the_2022_commune(store: ZoningStore) -> None:
    """16393 is Vars in COG 2022 and La Boixe since 2025: the name settles it."""
    vars_ = lookup.by_commune(store, "16393", DAY, name="Vars")
    assert vars_.commune_name == "Vars" and not vars_.zone_check
    boixe = lookup.by_commune(store, "16393", DAY)
    assert boixe.commune_name == "La Boixe"
    assert "Montignac-Charente (16226)" in " ".join(boixe.notes)


def test_resolve_code_of_a_2025_annex(store: ZoningStore) -> None:
    assert lookup.resolve_code(store, "16393")[0] == ["16393"]
    assert lookup.resolve_code(store, "16393", vintage=2025)[0] == ["16226", "16393"]
    assert lookup.find_communes(store, "16330", "La Boixe") == ["16226", "16393"]
    assert lookup.find_communes(store, "16330", "Vars") == ["16393"]


def test_store_later_communes_and_format(store: ZoningStore) -> None:
    from zoning.store.integrity import STORE_FORMAT, check_store

    assert store.meta["format"] == STORE_FORMAT == 3
    assert check_store(store.path) == []
    rows = store.keyed.later("15031")  # Celles, restored from Neussargues en Pinatelle
    assert rows and "à vérifier" in rows[-1]["check"]


def test_search_by_current_name_and_departement(store: ZoningStore) -> None:
    from zoning.locate.search import search_place

    boixe = search_place(store, "La Boixe (16)", DAY)
    assert boixe.commune_name == "La Boixe" and "Vars (16393)" in " ".join(boixe.notes)
    assert search_place(store, "Vars (16)", DAY).commune_name == "Vars"
    cognac = search_place(store, "Val-de-Cognac", DAY)
    assert cognac.commune_code == "16097" and "Saint-Sulpice-de-Cognac (16355)" in " ".join(
        cognac.notes
    )
    faux = search_place(store, "24560 Faux-en-Périgord", DAY)
    assert faux.commune_code == "24177" and faux.commune_name == "Faux"


def test_batch_ds_answer_by_current_name_and_code(
    store: ZoningStore, sources_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A DS answer « La Boixe » + 16393 is La Boixe (à vérifier: its former communes
    differ); « Vars » + 16393 is Vars; Mansle-les-Fontaines is answered with its class."""
    from zoning.cli import main

    header = (
        "Nom;N° RPPS;Date d'inscription à l'Ordre;Spécialité;FINESS;Type établissement;"
        "Demi-journées hôpital;Site code INSEE;Site commune;Type de structure;Date de début;"
        "Durée"
    )
    common = "15/09/2023;Médecine générale;230000820;Centre hospitalier;5"
    rows = [
        f"A;10000000001;{common};16206;Mansle-les-Fontaines;Maison de santé;01/11/2023;24",
        f"B;10000000002;{common};16393;La Boixe;Maison de santé;01/11/2023;24",
        f"C;10000000003;{common};16393;Vars;Maison de santé;01/11/2023;24",
    ]
    source = tmp_path / "dossiers.csv"
    source.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    for key, value in {
        "ZONING_STORE": str(store.path),
        "ZONING_SOURCES": str(sources_dir),
        "ZONING_ADDOK_URL": "off",
    }.items():
        monkeypatch.setenv(key, value)
    code = main(["batch", str(source), "-p", "na-mg-2023", "-o", str(out), "--no-progress"])
    assert code in (0, None)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        got = list(csv.DictReader(handle, delimiter=";"))
    fontaines, boixe, vars_ = got
    mansle = {lookup.by_commune(store, c, DAY, name=n).zone for c, n in
              (("16140", "Fontclaireau"), ("16206", "Mansle"))}  # fmt: skip
    assert len(mansle) == 1 and fontaines["zone_site1"] == mansle.pop()
    assert fontaines["commune_site1"] == "Mansle-les-Fontaines (16206)"
    assert boixe["statut"] == "à vérifier" and "Montignac-Charente (16226)" in boixe["remarques"]
    assert vars_["commune_site1"] == "Vars (16393)"


def test_geocoder_answer_in_todays_code_is_the_stated_2022_commune(
    store: ZoningStore, sources_dir: Path
) -> None:
    """The Géoplateforme answers Montignac-Charente's addresses with La Boixe's code
    (16393): that is the commune stated as 16226, not an address « hors de la commune »."""
    from zoning.locate.geocode.pipeline import Geocoder
    from zoning.locate.geocode.query import StatedCommune

    geocoder = Geocoder(url="off", sources=sources_dir, cache_path=False, store=store)
    montignac = StatedCommune(frozenset({"16226"}), "16330 Montignac-Charente", {})
    assert geocoder._same_commune(montignac, "16393")
    cognac = StatedCommune(frozenset({"16355"}), "16370 Saint-Sulpice-de-Cognac", {})
    assert geocoder._same_commune(cognac, "16097")
    assert not geocoder._same_commune(cognac, "16393")


def test_later_communes_have_the_polygons_of_what_they_cover(
    store: ZoningStore, truth: dict[tuple[str, str], dict[str, object]]
) -> None:
    later = store.later_communes()
    communes = store.communes_gdf().set_index("code")
    for (code, name), row in truth.items():
        members = sorted(row["members"])  # type: ignore[call-overload]
        shape = later.loc[(later["code"] == code) & (later["name"] == name)].geometry.iloc[0]
        parts = communes.loc[members].geometry
        # Areas compared in degrees² on purpose: the same unit on both sides, no projection.
        area = float(shapely.area(parts.to_numpy()).sum())
        assert shape is not None and abs(shape.area - area) < 1e-6 * shape.area
        assert all(shape.buffer(1e-9).contains(p) for p in parts), (code, name)
    restored = later.loc[later["check"] != ""]
    assert len(restored) > 0 and restored.geometry.isna().all()


def test_under_a_cog_2025_decree_the_commune_nouvelle_is_named(store: ZoningStore) -> None:
    """The 2025 decree (COG 2025) names La Boixe: asked by the old code, by the 2022 name
    or by a point in Montignac-Charente, the answer is La Boixe, saying how it got there."""
    on = date(2026, 6, 1)
    assert store.decree_on("75", on).decree.cog_vintage == 2025
    by_code = lookup.by_commune(store, "16226", on)
    by_name = lookup.by_postcode_name(store, "16330", "Montignac-Charente", on)
    lon, lat = (
        store.communes_gdf()
        .set_index("code")
        .loc["16226"]
        .geometry.representative_point()
        .coords[0]
    )
    by_point = lookup.by_point(store, lon, lat, on)
    for placement in (by_code, by_name, by_point):
        assert placement.commune_code == "16393" and placement.commune_name == "La Boixe"
        assert placement.decree is not None and placement.decree.id == "ars-na-2025-12-30"
        assert "Montignac-Charente (16226) au COG 2022" in " ".join(placement.notes)
    assert by_point.lon == lon
    # the same old code under the 2022 decree is the 2022 commune
    assert lookup.by_commune(store, "16226", DAY).commune_name == "Montignac-Charente"


def test_bulk_placements_agree_with_one_by_one(store: ZoningStore) -> None:
    """The batch's bulk path names the communes as :func:`lookup.by_commune` does, under
    the 2022 decree and under the 2025 one (COG 2025)."""
    codes = ["16226", "16393", "16140", "24177", "23096", "16097", "16355"]
    for on in (DAY, date(2026, 6, 1)):
        bulk = lookup.by_communes(store, codes, on)
        for code in codes:
            one = lookup.by_commune(store, code, on)
            got = bulk[code]
            assert not isinstance(got, Exception)
            assert (got.commune_code, got.commune_name, got.zone, got.under_served) == (
                one.commune_code,
                one.commune_name,
                one.zone,
                one.under_served,
            ), (code, on)
