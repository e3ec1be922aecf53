"""An address is checked against the commune it was given, with the real local addok.

The local addok (real La Poste communes + FINESS hospital streets) knows « avenue de la
Sénatorerie » only in Guéret: without a commune check, « 4 avenue de la Sénatorerie
64100 Bayonne » lands in Guéret (ZIP) at street precision, exit 0 (issue 10 #1).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from zoning.cli import cli
from zoning.locate.geocode import Geocoder, PlaceQuery
from zoning.locate.geocode.addok import AddressQuery
from zoning.locate.geocode.server import LocalGeocoder
from zoning.store import ZoningStore

from .helpers import MakeGeocoder

BAYONNE = "4 avenue de la Sénatorerie 64100 Bayonne"
OUTSIDE = "hors de la commune indiquée"


def test_free_text_address_stays_in_its_commune(geocoder: Geocoder) -> None:
    result = geocoder.geocode_one(BAYONNE)
    assert result.citycode == "64102", result  # Bayonne, never Guéret (23096)
    assert result.precision == "municipality"
    assert "pas une adresse" in result.reason


def test_postcode_and_city_are_parsed_and_used_as_filter(geocoder: Geocoder) -> None:
    stated = geocoder.stated_commune(PlaceQuery.of(BAYONNE))
    assert stated is not None and stated.codes == {"64102"}
    assert stated.filters == {"citycode": "64102"} and stated.label == "64100 Bayonne"
    # The same address stated in Guéret is found at the address.
    gueret = geocoder.geocode_one("39 avenue de la Sénatorerie 23000 Guéret")
    assert gueret.precision == "address" and gueret.citycode == "23096"


def test_answer_outside_the_stated_commune_is_refused_filters_dropped(
    make_geocoder: MakeGeocoder, monkeypatch: pytest.MonkeyPatch, store: ZoningStore
) -> None:
    """A geocoder that ignores the filter (or a service without it): the real addok then
    answers Guéret; the check refuses it and keeps the stated commune, saying why."""
    geocoder = make_geocoder(store=store)

    def unfiltered(query: PlaceQuery, stated: object) -> AddressQuery:
        return AddressQuery(query.address, query.postcode, query.city)

    monkeypatch.setattr(geocoder, "_address_query", unfiltered)
    raw = geocoder.addok.geocode(AddressQuery(BAYONNE))
    assert raw.citycode == "23096" and raw.precision in ("address", "street")  # the defect
    for result in (
        geocoder.geocode_one(BAYONNE),
        geocoder.geocode_many([PlaceQuery.of(BAYONNE)]).results[0],
        geocoder.geocode_one("4 avenue de la Sénatorerie", postcode="64100", city="Bayonne"),
    ):
        assert result.citycode == "64102" and result.precision == "municipality"
        assert (
            "adresse trouvée à Guéret (23096), hors de la commune indiquée (64100 Bayonne) : "
            "commune retenue, à vérifier" in result.reason
        )
    by_code = geocoder.geocode_one("4 avenue de la Sénatorerie", citycode="64102")
    assert by_code.citycode == "64102" and OUTSIDE in by_code.reason
    assert "(64102)" in by_code.reason


def test_stated_old_code_is_mapped(geocoder: Geocoder, store: ZoningStore) -> None:
    """23121 (Malval, merged into Linard-Malval 23109 in 2018) filters on 23109."""
    geocoder.__dict__["_store"] = store
    result = geocoder.geocode_one("le bourg", citycode="23121")
    assert result.citycode == "23109", result
    assert "23121" in result.reason


def test_batch_rows_disagreeing_with_their_commune(geocoder: Geocoder) -> None:
    queries = [
        PlaceQuery.of("39 avenue de la Sénatorerie", postcode="23000", city="Guéret"),
        PlaceQuery.of(BAYONNE),
        PlaceQuery.of("39 avenue de la Sénatorerie", citycode="64102"),
        PlaceQuery.of("39 avenue de la Sénatorerie"),  # no commune stated: nothing to check
    ]
    results = geocoder.geocode_many(queries).results
    assert [r.citycode for r in results] == ["23096", "64102", "64102", "23096"]
    assert [r.precision for r in results] == ["address", "municipality", "municipality", "address"]


@pytest.fixture
def cli_env(
    addok_server: LocalGeocoder, geo_sources: Path, store_path: Path, tmp_path: Path
) -> dict[str, str]:
    return {
        "ZONING_ADDOK_URL": addok_server.url,
        "ZONING_SOURCES": str(geo_sources),
        "ZONING_STORE": str(store_path),
        "ZONING_CACHE": str(tmp_path / "cache"),
    }


def test_check_address_in_bayonne_is_not_gueret(cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        cli, ["check", "--address", BAYONNE, "--date", "2023-11-01"], env=cli_env
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Bayonne (64102)"), result.output
    assert "Guéret" not in result.output and "précision municipality" in result.output


def test_geocoding_off_sends_nothing(cli_env: dict[str, str], tmp_path: Path) -> None:
    """ZONING_ADDOK_URL=off with a geocoder URL nowhere: the commune, « à vérifier »."""
    env = {**cli_env, "ZONING_ADDOK_URL": "off"}
    result = CliRunner().invoke(
        cli, ["check", "--address", BAYONNE, "--date", "2023-11-01"], env=env
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Bayonne (64102)")
    assert "géocodage désactivé" in result.output and "à vérifier" in result.output
    source = tmp_path / "in.csv"
    source.write_text("adresse;code postal;commune\n1 rue X;64100;Bayonne\n2 rue Y;;\n", "utf-8")
    out = tmp_path / "out.csv"
    done = CliRunner().invoke(cli, ["geocode", str(source), "-o", str(out)], env=env)
    assert done.exit_code == 0, done.output
    text = out.read_text("utf-8-sig")
    assert text.count("géocodage désactivé") == 2 and "64102" in text


def test_public_ban_notice_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from zoning.locate.geocode.privacy import notice_before_sending
    from zoning.settings import DEFAULT_ADDOK_URL

    assert notice_before_sending(DEFAULT_ADDOK_URL, tmp_path)
    assert "Base Adresse Nationale" in caplog.text and "ZONING_ADDOK_URL=off" in caplog.text
    assert not notice_before_sending(DEFAULT_ADDOK_URL, tmp_path)  # remembered
    assert not notice_before_sending("http://127.0.0.1:7878", tmp_path / "other")


def test_check_help_says_where_addresses_go() -> None:
    out = CliRunner().invoke(cli, ["check", "--help"]).output
    assert "data.geopf.fr" in out and "ZONING_ADDOK_URL=off" in out
