"""Answers on each side of every boundary of the NA decrees' legal life.

2022 decree: adopted and in force 25/04/2022, stated end 25/04/2025 (« trois ans
maximum »). Its successor: adopted 30/12/2025, published and in force 03/02/2026, its
annex not in the sources. Checked through the library and through ``zoning check``
(exit status: 0 answer, 5 no classes for that date, 7 expired decree's classes).
"""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from decree_helpers import NA, NEW, OLD, open_store, zoning

from zoning.errors import DecreeNotLoadedError, OutsideCoverageError
from zoning.locate import lookup
from zoning.store.decrees import EXPIRED, IN_FORCE, NOT_LOADED

GUERET = "23096"


def check(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return zoning(store, "check", *args)


# date, decree id answering, status, exit status of `zoning check`
BOUNDARIES = [
    (date(2022, 4, 24), None, None, 5),  # day before adoption / entry into force
    (date(2022, 4, 25), OLD, IN_FORCE, 0),  # adopted and in force
    (date(2025, 4, 24), OLD, IN_FORCE, 0),  # last day of the three years
    (date(2025, 4, 25), OLD, EXPIRED, 7),  # stated end
    (date(2025, 12, 29), OLD, EXPIRED, 7),  # day before the successor's adoption
    (date(2025, 12, 30), OLD, EXPIRED, 7),  # successor adopted, not published
    (date(2026, 2, 2), OLD, EXPIRED, 7),  # day before publication
    (date(2026, 2, 3), NEW, NOT_LOADED, 5),  # published, in force, no annex loaded
]


@pytest.mark.parametrize(("day", "decree_id", "status", "_exit"), BOUNDARIES)
def test_decree_on_each_side_of_every_boundary(
    store_copy: Path, day: date, decree_id: str | None, status: str | None, _exit: int
) -> None:
    store = open_store(store_copy)
    if decree_id is None:
        with pytest.raises(OutsideCoverageError, match="aucun arrêté"):
            store.decree_on(NA, day)
        return
    choice = store.decree_on(NA, day)
    assert (choice.decree.id, choice.status) == (decree_id, status)
    place = lookup.by_commune(store, GUERET, day)
    assert place.decree_status == status
    if status == IN_FORCE:
        assert place.zone == "ZIP" and place.under_served and not place.decree_caveat
    elif status == EXPIRED:
        # The last classes, never silently: the caveat dates the end and the successor.
        assert place.zone == "ZIP" and place.to_verify
        assert "échu le 25/04/2025" in place.decree_caveat
        assert "remplacé le 03/02/2026" in place.decree_caveat
        assert ("adopté le 30/12/2025" in place.decree_caveat) == (day >= date(2025, 12, 30))
    else:
        # No class rather than the 2022 one; the decree and the loading command named.
        assert place.zone is None and place.under_served is None and place.to_verify
        assert "30 décembre 2025" in place.decree_caveat
        assert f"zoning data import-decree ANNEXE.xlsx --region 75 --id {NEW}" in (
            place.decree_caveat
        )
        with pytest.raises(DecreeNotLoadedError, match="import-decree"):
            store.decree_for(NA, day)


@pytest.mark.parametrize(("day", "decree_id", "status", "exit_code"), BOUNDARIES)
def test_check_exit_status_on_each_side(
    store_copy: Path, day: date, decree_id: str | None, status: str | None, exit_code: int
) -> None:
    out = check(store_copy, "--commune", GUERET, "--date", day.isoformat())
    assert out.returncode == exit_code, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    if status == EXPIRED:
        assert out.stdout.startswith("Guéret (23096) : ZIP")
        assert "échu le 25/04/2025" in out.stdout and "à vérifier" in out.stdout
    if status == NOT_LOADED:
        assert "classement inconnu, à vérifier" in out.stdout
        assert "ZIP" not in out.stdout.split("—")[0]
        assert "zoning data import-decree" in out.stdout


def test_check_without_date_follows_today(store_copy: Path) -> None:
    """No --date: the decree in force today (the one a file filed today falls under)."""
    out = check(store_copy, "--commune", GUERET, "--json")
    today = date.today()
    expected = open_store(store_copy).decree_on(NA, today)
    import json

    data = json.loads(out.stdout)
    assert data["decree"]["id"] == expected.decree.id
    assert data["decree_status"] == expected.status
    if today >= date(2026, 2, 3):  # the machine's clock says 2026-11: the new decree
        assert data["decree"]["id"] == NEW and data["zone"] is None and data["to_verify"]
        assert out.returncode == 5


def test_history_lists_every_record(store_copy: Path) -> None:
    out = check(store_copy, "--commune", GUERET, "--historique")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "Guéret (23096) :"
    assert "25 avril 2022" in lines[1] and lines[1].split(" : ")[-1].startswith("ZIP")
    assert "30 décembre 2025" in lines[2] and "classement non chargé" in lines[2]
    assert "import-decree" in lines[2]


def test_history_of_an_old_code(store_copy: Path) -> None:
    """An old (2018) code lists the commune it became."""
    out = check(store_copy, "--commune", "23121", "--historique")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Linard-Malval (23109) :")


def test_map_of_a_decree_without_classes_says_so(store_copy: Path, tmp_path: Path) -> None:
    out = zoning(store_copy, "map", "coverage", "--decree", NEW, "-o", str(tmp_path / "c.html"))
    assert out.returncode == 5
    assert "classement non chargé" in out.stderr and "import-decree" in out.stderr
    assert not (tmp_path / "c.html").exists()
