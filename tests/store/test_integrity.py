"""Verified downloads, source files checked at build, store integrity and lock (issue 10).

Real parts: a loopback HTTP mirror serving a tampered copy, a build over the real files
with one of them changed, copies of a real store truncated or overwritten, two real
processes competing for the build lock.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from loopback import serve_folder

from zoning.cli import main
from zoning.errors import DownloadError, StoreIntegrityError
from zoning.sources.fetch import fetch_sources
from zoning.sources.integrity import check_sources, file_digest
from zoning.sources.manifest import load_manifest
from zoning.store import ZoningStore
from zoning.store.integrity import (
    STORE_FORMAT,
    check_store,
    record_store_files,
    store_lock,
)

ZONING = [sys.executable, "-m", "zoning"]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
        raise SystemExit(0)
    code = info.value.code
    out = capsys.readouterr()
    return (code if isinstance(code, int) else 1), out.err + out.out


@pytest.fixture
def tampered_mirror(sources_dir: Path, tmp_path: Path) -> Iterator[str]:
    """A loopback mirror whose La Poste file has one byte changed (same size)."""
    root = tmp_path / "mirror"
    target = root / "cog_communes" / "laposte_hexasmal_2022-02.csv"
    target.parent.mkdir(parents=True)
    data = bytearray((sources_dir / "cog_communes" / target.name).read_bytes())
    data[5000] = ord("9") if data[5000] != ord("9") else ord("8")
    target.write_bytes(bytes(data))
    with serve_folder(root) as url:
        yield url


def test_every_manifest_file_is_pinned_and_matches_the_shared_copy(sources_dir: Path) -> None:
    manifest = load_manifest()
    files = [f for s in manifest.values() for f in s.files]
    assert files and all(f.sha256 and f.size for f in files)
    assert not any(f.modified for f in files)  # SOURCES.md: all copied unmodified
    assert check_sources(list(manifest.values()), sources_dir) == []
    laposte = manifest["laposte"].files[0]
    size, sha = file_digest(sources_dir / "cog_communes" / laposte.name)
    assert (size, sha) == (laposte.size, laposte.sha256)


def test_fetch_refuses_a_tampered_mirror(
    tampered_mirror: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "sources"
    with pytest.raises(DownloadError, match="ne correspond pas au manifeste"):
        fetch_sources(
            load_manifest(), dest, only=["laposte"], mirror=tampered_mirror, progress=False
        )
    assert not list(dest.rglob("*.csv")) and not list(dest.rglob("*.part"))
    code, err = run(
        ["data", "fetch", "--only", "laposte", "--mirror", tampered_mirror, "--dest", str(dest)],
        capsys,
    )
    assert code == 2 and "fichier refusé : laposte_hexasmal_2022-02.csv" in err
    assert "sha256" in err and "Traceback" not in err


@pytest.fixture(scope="module")
def changed_sources(sources_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real sources, with a blank line added at the end of cog2022_regions.csv (same
    rows for a CSV reader, different bytes): a user's re-saved file."""
    root = tmp_path_factory.mktemp("changed-sources")
    for entry in sources_dir.iterdir():
        if entry.name != "cog_communes":
            (root / entry.name).symlink_to(entry)
    cog = root / "cog_communes"
    cog.mkdir()
    for entry in (sources_dir / "cog_communes").iterdir():
        if entry.name != "cog2022_regions.csv":
            (cog / entry.name).symlink_to(entry)
    text = (sources_dir / "cog_communes" / "cog2022_regions.csv").read_bytes()
    (cog / "cog2022_regions.csv").write_bytes(text + b"\n")
    return root


def test_build_names_changed_files_and_refuses(
    changed_sources: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    code, err = run(
        ["data", "build", "--sources", str(changed_sources), "--store", str(store)], capsys
    )
    assert code == 2, err
    assert "cog2022_regions.csv" in err and "--accept-changed" in err
    assert not store.exists()


@pytest.fixture(scope="module")
def accepted_store(changed_sources: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real store built with --accept-changed (one full build, reused below)."""
    store = tmp_path_factory.mktemp("accepted") / "store"
    done = subprocess.run(
        [*ZONING, "data", "build", "--sources", str(changed_sources), "--store", str(store),
         "--accept-changed"],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "fichier source différent du manifeste, accepté" in done.stdout
    return store


def test_accept_changed_is_recorded_in_the_provenance(accepted_store: Path) -> None:
    meta = json.loads((accepted_store / "store.json").read_text(encoding="utf-8"))
    assert meta["format"] == STORE_FORMAT
    assert [c["file"] for c in meta["accepted_changes"]] == ["cog2022_regions.csv"]
    report = (accepted_store / "report.md").read_text(encoding="utf-8")
    assert "accepté par --accept-changed" in report and "cog2022_regions.csv" in report
    assert "cog2022_regions.csv" in " ".join(
        json.loads((accepted_store / "report.json").read_text(encoding="utf-8"))["accepted_changes"]
    )
    listed = meta["files"]
    assert {"communes.parquet", "lookup.sqlite", "zones.parquet", "report.md"} <= set(listed)
    assert check_store(accepted_store) == []


@pytest.fixture
def store_copy(accepted_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(accepted_store, copy)
    return copy


def test_store_of_another_format(store_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    meta = json.loads((store_copy / "store.json").read_text(encoding="utf-8"))
    meta["format"] = 1
    (store_copy / "store.json").write_text(json.dumps(meta), encoding="utf-8")
    code, err = run(["check", "--commune", "23096", "--store", str(store_copy)], capsys)
    assert code == 2
    assert "magasin construit par une autre version (format 1" in err
    assert "reconstruisez-le avec `zoning data build`" in err and "Traceback" not in err


@pytest.mark.parametrize("name", ["zones.parquet", "lookup.sqlite", "communes.parquet"])
def test_truncated_store_file(
    store_copy: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = store_copy / name
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    for args in (
        ["check", "--commune", "23096"],
        ["check", "--lon", "1.87113", "--lat", "46.16497"],
        ["data", "check-store"],
    ):
        code, err = run([*args, "--store", str(store_copy)], capsys)
        assert code == 2, (args, err)
        assert name in err and "zoning data build" in err and "Traceback" not in err


def test_overwritten_files_same_size_are_caught_at_read_and_by_check_store(
    store_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Same sizes (the cheap check on open passes): the read points give the message."""
    sqlite = store_copy / "lookup.sqlite"
    data = bytearray(sqlite.read_bytes())
    data[:100] = b"\0" * 100  # the SQLite header
    sqlite.write_bytes(bytes(data))
    parquet = store_copy / "zones.parquet"
    data = bytearray(parquet.read_bytes())
    data[-64:] = b"\0" * 64  # the Parquet footer
    parquet.write_bytes(bytes(data))
    index = store_copy / "pointindex_communes" / "pointindex.json"
    index.write_text("x" * index.stat().st_size, encoding="utf-8")
    code, err = run(["check", "--commune", "23096", "--store", str(store_copy)], capsys)
    assert code == 2 and "lookup.sqlite" in err and "Traceback" not in err, err
    code, err = run(
        ["check", "--lon", "1.87", "--lat", "46.16", "--store", str(store_copy)], capsys
    )
    assert code == 2 and "zoning data build" in err and "Traceback" not in err, err
    with pytest.raises(StoreIntegrityError, match=r"zones\.parquet"):
        ZoningStore.open(store_copy).zones()
    code, err = run(["data", "check-store", "--store", str(store_copy)], capsys)
    assert code == 2
    for name in ("lookup.sqlite", "zones.parquet", "pointindex_communes/pointindex.json"):
        assert f"{name} : contenu modifié" in err, err


def test_record_store_files_after_a_change(store_copy: Path) -> None:
    """What ``data import-decree`` does: change a store file, then re-record the list."""
    with (store_copy / "report.md").open("a", encoding="utf-8") as out:
        out.write("\nArrêté importé (test).\n")
    with pytest.raises(StoreIntegrityError, match=r"report\.md"):
        ZoningStore.open(store_copy)
    with store_lock(store_copy):
        record_store_files(store_copy)
    assert check_store(store_copy) == []
    ZoningStore.open(store_copy)


def test_check_store_ok(accepted_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["data", "check-store", "--store", str(accepted_store)], capsys)
    assert code == 0 and "intact" in out


def test_second_build_on_the_same_store_waits_then_stops(sources_dir: Path, tmp_path: Path) -> None:
    """A real second process: it says it waits, then gives up after --wait seconds."""
    store = tmp_path / "store"
    with store_lock(store):
        done = subprocess.run(
            [*ZONING, "data", "build", "--sources", str(sources_dir), "--store", str(store),
             "--wait", "1"],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "un autre processus écrit déjà le magasin" in done.stderr
    assert "en cours d'écriture par un autre processus" in done.stderr
    assert "Traceback" not in done.stderr and not store.exists()


def test_overwritten_point_index_alone_gives_the_message(
    store_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The point index read first (before SQLite): its damage is named, no traceback."""
    index = store_copy / "pointindex_communes" / "pointindex.json"
    index.write_text("x" * index.stat().st_size, encoding="utf-8")
    code, err = run(
        ["check", "--lon", "1.87", "--lat", "46.16", "--store", str(store_copy)], capsys
    )
    assert code == 2 and "pointindex_communes/pointindex.json" in err, err
    assert "zoning data build" in err and "Traceback" not in err, err
