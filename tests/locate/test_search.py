"""One search string for any place (zoning.locate.search), on the real store."""

from __future__ import annotations

import pytest

from zoning.errors import AmbiguousError, InvalidInputError, NotFoundError
from zoning.locate.placement import verdict_of
from zoning.locate.search import (
    communes_named,
    parse_query,
    search_place,
    suggest_communes,
)
from zoning.store import ZoningStore


@pytest.mark.parametrize(
    ("text", "kind", "fields"),
    [
        ("23096", "commune", {"code": "23096"}),
        ("2a004", "commune", {"code": "2A004"}),
        ("Guéret (23096)", "commune", {"code": "23096", "name": "Guéret"}),
        ("Guéret (23)", "name", {"name": "Guéret", "departement": "23"}),
        ("Sainte-Feyre", "name", {"name": "Sainte-Feyre"}),
        ("23000 Guéret", "postcode_name", {"postcode": "23000", "name": "Guéret"}),
        ("Guéret, 23000", "postcode_name", {"postcode": "23000", "name": "Guéret"}),
        ("230000820", "finess", {"code": "230000820"}),
        ("2A0000123", "finess", {"code": "2A0000123"}),
        ("1.87113, 46.16497", "point", {"lon": 1.87113, "lat": 46.16497}),
        ("-0.5792 44.8378", "point", {"lon": -0.5792, "lat": 44.8378}),
        ("1,87113 ; 46,16497", "point", {"lon": 1.87113, "lat": 46.16497}),
        ("39 avenue de la Sénatorerie 23000 Guéret", "address", {}),
    ],
)
def test_parse_query(text: str, kind: str, fields: dict[str, object]) -> None:
    query = parse_query(text)
    assert query.kind == kind
    for key, value in fields.items():
        assert getattr(query, key) == value


@pytest.mark.parametrize("text", ["", "   ", "12", "1,2,3", "x" * 301])
def test_parse_query_refuses(text: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_query(text)


def test_names_and_homonyms(store: ZoningStore) -> None:
    assert search_place(store, "Ste Feyre").commune_code == "23193"
    assert search_place(store, "Guéret (23)").commune_code == "23096"
    with pytest.raises(AmbiguousError, match="département 32") as err:
        search_place(store, "Saint-Martin")
    assert "Saint-Martin (54480)" in str(err.value)
    with pytest.raises(NotFoundError, match="département 23"):
        search_place(store, "Saint-Martin (23)")
    homonyms = communes_named(store, "saint martin")
    assert len(homonyms) >= 4 and len({c.departement for c in homonyms}) == len(homonyms)


def test_codes_old_codes_and_postcodes(store: ZoningStore) -> None:
    old = search_place(store, "23121", None)
    assert old.commune_code == "23109" and any("ancien code 23121" in n for n in old.notes)
    # 33000 is not an INSEE code but the postal code of one commune: said, not guessed
    bordeaux = search_place(store, "33000")
    assert bordeaux.commune_code == "33063"
    assert "lu comme code postal" in bordeaux.notes[0]
    # a postal code of several communes: the choices, no answer
    with pytest.raises(AmbiguousError, match="précisez le nom"):
        search_place(store, "23000")
    # an INSEE code that is also a postal code: the INSEE code, and the other reading said
    both = search_place(store, "23200")
    assert both.commune_code == "23200" and any("aussi un code postal" in n for n in both.notes)
    named = search_place(store, "Limoges (23096)")
    assert named.commune_code == "23096" and "pas de « Limoges »" in named.notes[0]


def test_point_and_verdicts(store: ZoningStore) -> None:
    gueret = search_place(store, "1.87113, 46.16497")
    assert gueret.commune_code == "23096"
    verdict = verdict_of(gueret)
    assert verdict.answer == "oui" and "ZIP" in verdict.reason
    bordeaux = search_place(store, "33063")  # HZ with QPV listed, no perimeter: to check
    assert verdict_of(bordeaux).answer == "à vérifier"
    assert "QPV" in verdict_of(bordeaux).reason


def test_suggestions(store: ZoningStore) -> None:
    names = [c.label for c in suggest_communes(store, "guere")]
    assert "Guéret (23096)" in names
    assert suggest_communes(store, "g") == []
    st = suggest_communes(store, "sainte-fey")
    assert st and st[0].code == "23193"
