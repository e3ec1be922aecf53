"""The planners' notebook runs top to bottom (nbclient, real kernel, real store)."""

from __future__ import annotations

from pathlib import Path

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
    errors = [
        o
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert errors == []
