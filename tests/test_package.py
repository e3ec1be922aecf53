"""What the package carries: rules data found through importlib.resources, a user folder
that adds or overrides programmes and decrees, and one list of npm files to ship.

The wheel itself is built, installed outside the repository and exercised by
``.ci/smoke-wheel.sh`` (run by ``bash tasks.sh test``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import zoning
from zoning import npm
from zoning.errors import NotFoundError
from zoning.rules.programme import list_programmes, load_programme
from zoning.settings import PROJECT_DATA, get_settings, package_data
from zoning.store.decrees import load_decree_files

REPO = Path(__file__).resolve().parents[1]


def test_checkout_reads_the_repository_data_live() -> None:
    # An editable install has no zoning/_data: the repository's data/ is read in place.
    data, origin = package_data()
    assert (data, origin) == (PROJECT_DATA, "dépôt")
    settings = get_settings()
    assert settings.manifest == REPO / "data" / "sources.toml"
    ids = set(settings.rule_files("programmes"))
    assert ids == {p.stem for p in (REPO / "data" / "programmes").glob("*.toml")}


def test_user_folder_adds_and_overrides_programmes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZONING_RULES", str(tmp_path))
    (tmp_path / "programmes").mkdir()
    shipped = (REPO / "data" / "programmes" / "na-mg-2023.toml").read_text(encoding="utf-8")
    # Override: same file name, another title; addition: a new id.
    (tmp_path / "programmes" / "na-mg-2023.toml").write_text(
        shipped.replace('title = "', 'title = "SURCHARGE ', 1), encoding="utf-8"
    )
    (tmp_path / "programmes" / "ars-test-2026.toml").write_text(
        shipped.replace('id = "na-mg-2023"', 'id = "ars-test-2026"'), encoding="utf-8"
    )
    files = get_settings().rule_files("programmes")
    assert files["na-mg-2023"].origin == "dossier utilisateur"
    assert files["aumg-2025"].origin == "dépôt"
    assert "ars-test-2026" in list_programmes()
    assert load_programme("na-mg-2023").title.startswith("SURCHARGE ")
    assert load_programme("ars-test-2026").id == "ars-test-2026"
    with pytest.raises(NotFoundError, match="ars-test-2026"):
        load_programme("inconnu-2099")


def test_user_folder_adds_decrees(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZONING_RULES", str(tmp_path))
    (tmp_path / "decrees").mkdir()
    shipped = REPO / "data" / "decrees" / "ars-na-2022-04-25.toml"
    text = shipped.read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    (tmp_path / "decrees" / "ars-test.toml").write_text(
        text.replace(f'id = "{raw["id"]}"', 'id = "ars-test"'), encoding="utf-8"
    )
    ids = [d.id for d in load_decree_files()]
    assert raw["id"] in ids and "ars-test" in ids


def test_data_info_names_every_rules_file_and_its_origin(
    tmp_path: Path, fixture_store_path: Path
) -> None:
    (tmp_path / "rules" / "programmes").mkdir(parents=True)
    shutil.copy(REPO / "data" / "programmes" / "aumg-2025.toml", tmp_path / "rules" / "programmes")
    env = {**os.environ, "ZONING_RULES": str(tmp_path / "rules")}
    out = subprocess.run(
        [sys.executable, "-m", "zoning", "data", "info", "--store", str(fixture_store_path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    assert f"ZONING_RULES    {tmp_path / 'rules'}" in out
    assert "programme   aumg-2025  [dossier utilisateur]" in out
    assert "programme   na-mg-2023  [dépôt]" in out
    assert "arrêté      ars-na-2022-04-25  [dépôt]" in out


def test_version_has_one_source() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"]
    assert "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["hatch"]["version"]["path"] == "zoning/__init__.py"
    assert pyproject["project"]["license"] == "MIT"  # SPDX string, no deprecated table
    from importlib.metadata import version

    assert version("zoning") == zoning.__version__


def test_npm_list_covers_every_map_asset_and_what_its_css_points_at() -> None:
    root = npm.find_root()
    assert root is not None, "npm ci"
    assets = npm.load_assets()
    shipped = set(assets.shipped(root))
    assert set(assets.cdn.values()) <= shipped
    for rel in (r for r in shipped if r.endswith(".css")):
        text = (root / rel).read_text(encoding="utf-8")
        for match in npm.CSS_URL.finditer(text):
            ref = match.group("ref").split("?")[0].split("#")[0]
            target = ((root / rel).parent / ref).resolve()
            if not ref or ref.startswith(("data:", "http")) or not target.is_file():
                continue  # nothing to ship (inline data, remote, or IE-only behaviours)
            assert target.relative_to(root.resolve()).as_posix() in shipped, (rel, ref)
    # Each package's licence travels with its files.
    assert "leaflet/LICENSE" in shipped


def test_npm_root_prefers_the_packaged_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packaged = tmp_path / "_npm"
    (packaged / "leaflet" / "dist").mkdir(parents=True)
    (packaged / npm.SENTINEL).write_text("/* leaflet */", encoding="utf-8")
    monkeypatch.setattr(npm, "PACKAGED", packaged)
    monkeypatch.delenv("ZONING_NODE_MODULES", raising=False)
    assert npm.find_root() == packaged
    monkeypatch.setenv("ZONING_NODE_MODULES", str(REPO / "node_modules"))
    assert npm.find_root() == REPO / "node_modules"
