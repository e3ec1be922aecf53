"""The planners' notebook runs top to bottom (nbclient, real kernel, real store)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "planificateurs.ipynb"


@pytest.mark.slow
def test_notebook_runs(store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("ZONING_STORE", str(store_path))
    monkeypatch.setenv("ZONING_NOTEBOOK_OUT", str(tmp_path / "out"))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    ).execute()
    assert (tmp_path / "out" / "couverture.html").stat().st_size > 1_000_000
    assert (tmp_path / "out" / "couverture-departements.png").is_file()
    assert (tmp_path / "out" / "resultats_exemple.geojson").is_file()
    # the layers for QGIS hold the posts (the batch placed the FINESS sites)
    counts = {name: n for name, n in _layer_counts(tmp_path / "out" / "zonage.gpkg")}
    assert counts["communes"] > 4000 and counts["sites"] > 0 and counts["liens"] > 0
    # the draft: its annex (titled PROJET) and its layers
    annex = openpyxl.load_workbook(tmp_path / "out" / "projet.xlsx", read_only=True)
    first = next(annex.worksheets[0].iter_rows(max_row=1, values_only=True))
    assert str(first[0]).startswith("PROJET de zonage")
    assert (tmp_path / "out" / "projet.gpkg").stat().st_size > 1_000_000
    errors = [
        o
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert errors == []


def _layer_counts(path: Path) -> list[tuple[str, int]]:
    import pyogrio

    return [
        (str(name), int(pyogrio.read_info(path, layer=name)["features"]))
        for name, _ in pyogrio.list_layers(path)
    ]
