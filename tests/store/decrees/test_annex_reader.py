"""A decree annex read by the one reader: same records, same refusals as batch.

SYNTHETIC annexes (a few real communes with made-up classes), made here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from decree_helpers import NA, open_store

from zoning.errors import InvalidInputError
from zoning.locate import lookup
from zoning.store.decree_import import import_decree

DAY = date(2032, 1, 1)


def _import(store_copy: Path, path: Path) -> object:
    store = open_store(store_copy)
    return import_decree(
        store, path, decree_id="lecteur", region=NA, communes=lookup, in_force=DAY, dry_run=True
    )


def test_row_with_more_values_than_headers_is_refused_with_its_line(
    store_copy: Path, tmp_path: Path
) -> None:
    path = tmp_path / "annexe.csv"
    path.write_text("Code INSEE;Classe\n23096;ZIP\n23008;ZAC;en trop\n", encoding="utf-8")
    with pytest.raises(
        InvalidInputError, match=r"annexe\.csv : ligne 3 : 3 champ\(s\) au lieu de 2"
    ):
        _import(store_copy, path)


def test_totals_and_multiline_names_in_an_annex(store_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "annexe.csv"
    path.write_text(
        'Code INSEE;Commune;Classe\n23096;"Guéret\n(préfecture)";ZIP\n23008;Aubusson;ZAC\n'
        "Total;;2\n\nSource : ARS (fictif)\n",
        encoding="utf-8",
    )
    report = _import(store_copy, path)
    assert report.rows_read == 2  # type: ignore[attr-defined]
