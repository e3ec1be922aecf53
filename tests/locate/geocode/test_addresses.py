"""Geocoding single places against the real addok (Redis + gunicorn on loopback)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from zoning.locate.geocode import Geocoder, GeocodeResult, geocode_one
from zoning.locate.geocode.server import LocalGeocoder

from .helpers import MakeGeocoder, metres

GUERET_CH = (1.87113, 46.16497)  # FINESS 230000820, Eurostat table


def near(result: GeocodeResult, lon: float, lat: float, within: float = 5.0) -> bool:
    assert result.lon is not None and result.lat is not None, result
    return metres(result.lon, result.lat, lon, lat) <= within


def test_exact_address(geocoder: Geocoder) -> None:
    result = geocoder.geocode_one("39 AVENUE DE LA SENATORERIE", postcode="23000", city="GUERET")
    assert result.precision == "address" and result.source == "ban"
    assert result.citycode == "23096"
    assert result.score is not None and result.score > 0.8
    assert near(result, *GUERET_CH)
    assert result.reason == ""


@pytest.mark.parametrize(
    "address",
    [
        "39 avenu de la Senatorrerie Gueret",  # typos
        "39 av de la senatorerie, gueret",  # abbreviation, lower case
        "4 rue Tangui Prijent Guéret",  # phonetic misspelling
    ],
)
def test_misspelt_address(geocoder: Geocoder, address: str) -> None:
    result = geocoder.geocode_one(address)
    assert result.precision == "address", result
    assert result.citycode == "23096"


def test_accents_missing_or_added(geocoder: Geocoder) -> None:
    # The FINESS street is written without accents; users add them, or not.
    with_accents = geocoder.geocode_one("39 avenue de la Sénatorerie", city="Guéret")
    without = geocoder.geocode_one("39 avenue de la Senatorerie", city="Gueret")
    assert with_accents.precision == without.precision == "address"
    assert (with_accents.lon, with_accents.lat) == (without.lon, without.lat)
    commune = geocoder.geocode_one(city="EVAUX LES BAINS")
    assert commune.citycode == geocoder.geocode_one(city="Évaux-les-Bains").citycode == "23076"


def test_wrong_postcode_still_finds_the_address(geocoder: Geocoder) -> None:
    # Aubusson is 23200; 23000 is Guéret's. A CEDEX code (23011) is not a street postcode.
    wrong = geocoder.geocode_one("50 rue Henri Dunant", postcode="23000", city="Aubusson")
    assert wrong.precision == "address" and wrong.citycode == "23008"
    cedex = geocoder.geocode_one("39 avenue de la Sénatorerie", postcode="23011", city="Guéret")
    assert cedex.precision == "address" and near(cedex, *GUERET_CH)


def test_commune_only_is_flagged_municipality(geocoder: Geocoder) -> None:
    result = geocoder.geocode_one(postcode="23300", city="La Souterraine")
    assert result.precision == "municipality" and result.source == "laposte"
    assert result.citycode == "23176"
    assert "pas une adresse" in result.reason
    by_code = geocoder.geocode_one(citycode="23176")
    assert (by_code.lon, by_code.lat) == (result.lon, result.lat)
    # A commune typed as the address: addok finds the commune, not an address.
    typed = geocoder.geocode_one("Guéret")
    assert typed.precision == "municipality" and typed.citycode == "23096"
    assert "pas l'adresse" in typed.reason


def test_unknown_address_falls_back_on_commune_with_reason(geocoder: Geocoder) -> None:
    result = geocoder.geocode_one("12 rue des Licornes Volantes", postcode="23000", city="Guéret")
    assert result.precision == "municipality" and result.citycode == "23096"
    assert "adresse non reconnue" in result.reason and "pas une adresse" in result.reason
    nothing = geocoder.geocode_one("zzzz qqqq wwww")
    assert nothing.precision == "none" and not nothing.found
    assert "introuvable" in nothing.reason


def test_ambiguous_commune_is_refused(geocoder: Geocoder) -> None:
    result = geocoder.geocode_one(city="Saint-Denis")
    assert result.precision == "none" and "communes possibles" in result.reason


def test_citycode_filter(geocoder: Geocoder) -> None:
    result = geocoder.geocode_one("7 rue Claude Monet", citycode="23176")
    assert result.precision == "address" and result.citycode == "23176"


def test_finess_number_first(geocoder: Geocoder) -> None:
    result = geocoder.geocode_one(finess="230000820", address="nimporte quoi")
    assert result.precision == "finess" and result.source == "finess"
    assert (result.lon, result.lat) == GUERET_CH and result.citycode == "23096"
    lost_zero = geocoder.geocode_one(finess="10000024")
    assert lost_zero.precision == "finess" and lost_zero.citycode == "01451"
    bad = geocoder.geocode_one(finess="2300008X", address="39 avenue de la Sénatorerie Guéret")
    assert bad.precision == "address" and "numéro FINESS invalide" in bad.reason


def test_library_entry_point_uses_settings(
    addok_server: LocalGeocoder, geo_sources: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZONING_ADDOK_URL", addok_server.url)
    monkeypatch.setenv("ZONING_SOURCES", str(geo_sources))
    result = geocode_one(address="39 avenue de la Sénatorerie", postcode="23000", city="Guéret")
    assert result.precision == "address" and result.citycode == "23096"


def test_cache_makes_a_rerun_free(make_geocoder: MakeGeocoder, tmp_path: Path) -> None:
    cache = tmp_path / "shared-cache.sqlite"
    first = make_geocoder(cache_path=cache)
    one = first.geocode_one("39 avenue de la Sénatorerie Guéret")
    # Same query, differently typed: same normalised key, answered by the cache even
    # with the geocoder unreachable.
    second = make_geocoder(cache_path=cache, url=first.addok.base_url)
    second.addok.client.base_url = "http://127.0.0.1:9"
    again = second.geocode_one("39  AVENUE de la senatorerie   guéret")
    assert again == one


def test_csv_endpoint_with_postcode_filter(addok_server: LocalGeocoder) -> None:
    """The addok-csv per-row filter (HTTP 500 with addok 1.3.2 out of the box) works here."""
    data = "adresse,cp\nrue de l'hopital,01600\nrue de l'hopital,01440\n"
    response = requests.post(
        addok_server.url + "/search/csv/",
        files={"data": ("a.csv", data)},
        data={"columns": "adresse", "postcode": "cp"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    lines = response.text.strip().splitlines()
    assert "result_citycode" in lines[0]
    assert "01600" in lines[1] and "Trévoux" in lines[1]
    # Filtered on 01440 (Viriat), which has no such street: no result, not Trévoux's.
    assert "Trévoux" not in lines[2]
