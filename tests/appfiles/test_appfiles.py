"""A fixed sample of generated application files through ``zoning batch``, scored against
the truth computed from the raw sources (issue 23 « Done when »).

Twelve files (seed 23): DS individual and organisation exports (XLSX, ODS, CSV ``;``/``,``
UTF-8 BOM/cp1252 with multi-line answers) and instructors' workbooks (title block, merged
département column, hidden columns, TOTAL row, shuffled columns), headers from the
grammar of ``grammar.py``, values in every style, sites by INSEE code, name + postal code,
name only or current name. The bench (``bench/bench_appfiles.py``) runs a few hundred.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .compare import Summary, run_files
from .generate import generate
from .sources import Sources

#: The issue's target: rows right / rows.
TARGET_RIGHT = 0.99
FILES = 12
SEED = 23


@pytest.fixture(scope="module")
def summary(
    sources_dir: Path, store_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Summary:
    paths = generate(tmp_path_factory.mktemp("appfiles"), Sources(sources_dir), FILES, SEED)
    result = run_files(paths, store_path)
    print("\n".join(result.lines()))
    return result


def test_no_row_lost(summary: Summary) -> None:
    lost = [o.example for o in summary.outcomes if o.lost]
    assert not lost, f"{len(lost)} lignes perdues, ex. {lost[:3]}"
    assert summary.extra == 0, f"{summary.extra} lignes de sortie qui ne sont pas des dossiers"


def test_no_false_remark(summary: Summary) -> None:
    false = [o.example for o in summary.outcomes if o.false_remarks]
    assert not false, f"{len(false)} lignes avec une remarque fausse, ex. {false[:3]}"


def test_no_wrong_definite_verdict(summary: Summary) -> None:
    wrong = [o.example for o in summary.outcomes if o.wrong_verdict]
    assert not wrong, f"{len(wrong)} verdicts faux, ex. {wrong[:3]}"


def test_rows_right(summary: Summary) -> None:
    assert summary.right_share >= TARGET_RIGHT, "\n".join(summary.lines())
