"""The one header matcher (zoning.io.headers): vocabularies as data, a row settled."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from zoning.errors import InvalidInputError
from zoning.io.headers import (
    VOCABULARIES,
    find_header,
    has_phrase,
    load_vocabulary,
    parse_override,
    pick_columns,
    read_overrides,
)


@pytest.mark.parametrize("path", sorted(VOCABULARIES.glob("*.toml")), ids=lambda p: p.stem)
def test_every_vocabulary_file_loads_with_folded_spellings(path: Path) -> None:
    vocabulary = load_vocabulary(path.stem)
    assert vocabulary.aliases
    for spellings in vocabulary.aliases.values():
        assert all(s == vocabulary.folded(s) for s in spellings)


def test_a_spelling_matches_however_it_is_written() -> None:
    geocode = load_vocabulary("geocode")
    assert geocode.field_of("N° FINESS") == "finess"
    assert geocode.field_of("code_postal") == "postcode"
    assert geocode.field_of("Nom de la commune") == "city"
    assert geocode.field_of("Téléphone") is None
    assert geocode.score(["Adresse", "CP", "Téléphone", ""]) == 2.0
    posts = load_vocabulary("posts")
    assert posts.field_of("lon_site") == "site_lon"
    assert posts.written["main_lon"][0] == "site_principal_lon"  # as written, for messages


def test_spelling_order_takes_a_fields_first_spelling_and_a_column_once() -> None:
    geocode = load_vocabulary("geocode")
    # « CODE POSTAL » is the postcode's first spelling: it wins over « CP » on its left.
    assert geocode.match(["CP", "Code postal", "Ville"]) == {"postcode": 1, "city": 2}
    # « NUMERO » feeds the number; the address is « Voie ».
    assert geocode.match(["Numéro", "Voie"]) == {"number": 0, "address": 1}


def test_column_order_then_a_spelling_inside_a_longer_header() -> None:
    annex = load_vocabulary("annex")
    headers = ["Code INSEE de la commune", "Nom", "Classement ARS", "Code postal"]
    # « code » alone is exact only: « Code postal » is not a commune code.
    assert annex.match(headers) == {"name": 1, "postcode": 3, "code": 0, "zone": 2}
    assert annex.match(["Code", "Libellé", "Zonage"]) == {"code": 0, "name": 1, "zone": 2}


def test_own_name_and_squashed_spellings() -> None:
    batch = load_vocabulary("batch")
    assert batch.field_of("hop_finess") == "hop_finess"
    assert batch.field_of("Date de début") == "date_debut"
    assert batch.field_of("DATEDEBUT") == "date_debut"


def test_phrases_match_fuzzily() -> None:
    tokens = ["nombre", "de", "demi", "journees", "hospitalieres"]
    assert has_phrase("demi journee", tokens)
    assert has_phrase("hospitaliere", tokens)
    assert not has_phrase("adresse", tokens)


@dataclass(frozen=True)
class _Offer:
    field: str | None
    score: float
    fit: bool = False
    note: str = "mots reconnus"
    contradicted: str | None = None


def test_a_row_settled_ties_reported_not_guessed() -> None:
    offers = {
        "Date début": _Offer("date_debut", 0.9, fit=True),
        "Date prise de poste": _Offer("date_debut", 0.9),
        "Durée": _Offer("duree", 0.9),
        "Durée (mois)": _Offer("duree", 0.92),
        "Commentaire": _Offer(None, 0.0),
    }
    picked = pick_columns(offers, min_score=0.6, margin=0.05)
    assert picked.winners == {"Date début": "date_debut"}
    assert "contenu conforme" in picked.chosen["Date début"]
    assert set(picked.ambiguous) == {"Durée", "Durée (mois)"}
    mandatory = pick_columns(offers, min_score=0.6, margin=0.05, first_on_tie=("duree",))
    assert mandatory.winners["Durée (mois)"] == "duree"
    assert "à vérifier" in mandatory.ambiguous["Durée (mois)"]
    assert pick_columns(offers, min_score=0.6, margin=0.05, taken=("duree",)).ambiguous == {}


def test_the_users_choices() -> None:
    headers = ["N° FINESS", "Ville"]
    assert find_header("n finess", headers) == "N° FINESS"
    with pytest.raises(InvalidInputError, match="absente du fichier"):
        find_header("Adresse", headers)
    assert parse_override("N° FINESS=hop_finess", ("hop_finess",)) == ("N° FINESS", "hop_finess")
    assert parse_override("Ville=", ("hop_finess",)) == ("Ville", None)
    with pytest.raises(InvalidInputError, match="champ inconnu"):
        parse_override("Ville=commune", ("hop_finess",))


def test_overrides_file(tmp_path: Path) -> None:
    path = tmp_path / "colonnes.toml"
    path.write_text('[colonnes]\n"N° FINESS" = "hop_finess"\n"Notes" = ""\n', "utf-8")
    assert read_overrides(path, ("hop_finess",)) == {"N° FINESS": "hop_finess", "Notes": None}
    path.write_text('"Ville" = 3\n', "utf-8")
    with pytest.raises(InvalidInputError, match="ligne 1"):
        read_overrides(path, ("hop_finess",))
