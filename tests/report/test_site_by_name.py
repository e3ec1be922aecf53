"""A site known by its commune's name alone (no code, no postal code).

Placed when one commune of France bears the name, said so in the remarks; « à vérifier »,
listing each commune, when several do; never one picked. Truth from the raw COG 2022 file
read with csv (Bourganeuf exists once; Aubusson twice, in Creuse and in Orne).
"""

from __future__ import annotations

import csv
from pathlib import Path

from zoning.report.service import run_batch


def _named(sources: Path, name: str) -> list[str]:
    with (sources / "cog_communes" / "cog2022_communes.csv").open(encoding="utf-8") as f:
        rows = csv.DictReader(f)
        return [r["COM"] for r in rows if r["TYPECOM"] == "COM" and r["LIBELLE"] == name]


def test_site_by_name_alone(tmp_path: Path, store, sources_dir: Path) -> None:
    assert _named(sources_dir, "Bourganeuf") == ["23030"]
    assert len(_named(sources_dir, "Aubusson")) == 2
    src = tmp_path / "noms.csv"
    src.write_text(
        "N° dossier;FINESS hôpital;Demi-journées hôpital;Commune du cabinet;"
        "Code INSEE du cabinet;Date de début\n"
        "A1;230000820;5;Bourganeuf;;01/11/2023\n"
        "A2;230000820;5;Aubusson;;01/11/2023\n"
        "A3;230000820;5;Ville-Qui-N-Existe-Pas;;01/11/2023\n",
        encoding="utf-8",
    )
    run = run_batch(src, "cvl-assistants-partages", tmp_path / "out.csv", store, progress=False)
    rows = {r["N° dossier"]: r for r in _rows(tmp_path / "out.csv")}
    assert "(23030)" in rows["A1"]["commune_site1"]
    assert "seul nom" in rows["A1"]["remarques"]
    assert rows["A2"]["statut"] == "à vérifier"
    assert "plusieurs communes" in rows["A2"]["motifs"]
    assert not rows["A2"]["commune_site1"]
    assert rows["A3"]["statut"] == "données invalides"
    assert run.rows == 3


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as f:
        return list(csv.DictReader(f, delimiter=";"))


def test_a_name_written_exactly_settles_near_homonyms(store, sources_dir: Path) -> None:
    """« Charmé » (16083) is written exactly as one commune: not La Charme (39) nor Le
    Charme (45), which names matched without accents nor articles also find; « Charme »
    stays ambiguous."""
    import datetime as dt

    import pytest

    from zoning.errors import AmbiguousError
    from zoning.locate.search import by_name

    assert _named(sources_dir, "Charmé") == ["16083"]
    placement = by_name(store, "Charmé", on=dt.date(2024, 1, 1))
    assert placement.commune_code == "16083"
    assert "La Charme" in placement.notes[0]
    with pytest.raises(AmbiguousError):
        by_name(store, "Charme", on=dt.date(2024, 1, 1))
