"""What the data already knows is not asked: FINESS legal status, implied specialty."""

from __future__ import annotations

import dataclasses

from zoning.rules.criteria import check_establishment, check_specialty
from zoning.rules.programme import load_programme
from zoning.rules.verdicts import CHECK, NO, OK


def test_private_from_finess_is_fine_only_when_both_private_kinds_are_admitted() -> None:
    na = load_programme("na-mg-2023")  # public, ESPIC and for-profit admitted
    check = check_establishment(na, "prive", "FINESS 330000001")
    assert check.verdict == OK and "d'après FINESS 330000001" in check.reason
    one = dataclasses.replace(na, establishment_types=frozenset({"public", "espic"}))
    check = check_establishment(one, "prive", "FINESS 330000001")
    assert check.verdict == CHECK and "la source ne le dit pas" in check.reason
    aumg = load_programme("aumg-2025")  # universities only
    assert check_establishment(aumg, "prive", "FINESS 330000001").verdict == NO
    public = check_establishment(na, "public", "FINESS 230000820")
    assert public.verdict == OK and "public (d'après FINESS 230000820)" in public.reason


def test_a_user_writing_prive_is_not_taken_for_for_profit() -> None:
    one = dataclasses.replace(
        load_programme("na-mg-2023"), establishment_types=frozenset({"prive_lucratif"})
    )
    assert check_establishment(one, "Privé").verdict == CHECK
    assert check_establishment(one, "Clinique privée").verdict == OK


def test_single_specialty_programme_implies_it() -> None:
    check = check_specialty(load_programme("na-mg-2023"), None)
    assert check.verdict == OK and check.reason == "supposée : médecine générale (programme)"
    # A programme that excludes a specialty cannot imply one: still to check.
    assert check_specialty(load_programme("cvl-assistants-partages"), None).verdict == CHECK
