"""Cut the test fixture set (``tests/data/sources``) out of the real source files.

The excerpt keeps the real sources' layout, file names and formats, so that
``zoning data build --sources tests/data/sources`` works on it, and the unit tests run
without the shared data folder. What is kept: the communes of Creuse (23) and
Haute-Vienne (87) -- polygons, COG rows, population, La Poste rows, zoning rows, the QPV
2024 list rows, FINESS hospitals -- every commune movement touching them (merged
communes such as Malval -> Linard-Malval, Blaudeix -> Parsac), plus Toulouse (31555)
and two of its QPV perimeters from the Occitanie file, for point-in-QPV tests.

Every output file is recorded in ``tests/data/ORIGIN.json`` and ``ORIGIN.md``: source
file, its sha256, the filter, rows kept. Run it again when the sources change::

    python tests/data/make_fixtures.py --sources ../shared/data

CSV rows are copied byte for byte (header + matching lines); GeoJSON files are copied
whole or re-serialised with the matching features only.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEPARTEMENTS = ("23", "87")
#: Toulouse: the commune of the two QPV perimeters kept.
EXTRA_COMMUNES = ("31555",)
QPV_PERIMETERS = ("QP031010", "QP031009")


def in_scope(code: str) -> bool:
    """Whether a commune code belongs to the fixture set."""
    code = code.strip()
    return code.startswith(DEPARTEMENTS) or code in EXTRA_COMMUNES


def sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def filter_csv(src: Path, dest: Path, keep: Callable[[dict[str, str]], bool]) -> tuple[int, int]:
    """Copy the header and the lines whose row ``keep`` accepts, byte for byte."""
    lines = src.read_bytes().decode("utf-8").splitlines(keepends=True)
    header = lines[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    names = next(csv.reader([header.lstrip("\ufeff")], delimiter=delimiter))
    kept = [header]
    for line in lines[1:]:
        if line.count('"') % 2:
            raise ValueError(f"{src}: a quoted field spans lines, line-based cut impossible")
        row = dict(zip(names, next(csv.reader([line], delimiter=delimiter)), strict=False))
        if keep(row):
            kept.append(line)
    dest.write_bytes("".join(kept).encode("utf-8"))
    return len(kept) - 1, len(lines) - 1


def filter_geojson(
    src: Path, dest: Path, keep: Callable[[dict[str, Any]], bool]
) -> tuple[int, int]:
    """Write the collection with the features whose properties ``keep`` accepts."""
    data = json.loads(src.read_text(encoding="utf-8"))
    features = data["features"]
    data["features"] = [f for f in features if keep(f["properties"])]
    dest.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8")
    return len(data["features"]), len(features)


def _codes(value: str | None) -> list[str]:
    return [c.strip() for c in (value or "").split(",")]


#: (folder, file name, filter description, cutter) -- cutter(src, dest) -> (kept, total).
PLAN: list[tuple[str, str, str, Callable[[Path, Path], tuple[int, int]]]] = [
    (
        "cog_communes",
        "cog2022_communes.csv",
        "COM in 23*, 87* or 31555 (all TYPECOM)",
        lambda s, d: filter_csv(s, d, lambda r: in_scope(r["COM"])),
    ),
    ("cog_communes", "cog2022_departements.csv", "whole file", lambda s, d: _copy(s, d)),
    ("cog_communes", "cog2022_regions.csv", "whole file", lambda s, d: _copy(s, d)),
    (
        "cog_communes",
        "cog_mouvements_communes_to2026.csv",
        "COM_AV or COM_AP in 23*, 87* or 31555",
        lambda s, d: filter_csv(s, d, lambda r: in_scope(r["COM_AV"]) or in_scope(r["COM_AP"])),
    ),
    (
        "cog_communes",
        "population_communes_cog2021_pop2019.csv",
        "COM in 23*, 87* or 31555",
        lambda s, d: filter_csv(s, d, lambda r: in_scope(r["COM"])),
    ),
    (
        "cog_communes",
        "laposte_hexasmal_2022-02.csv",
        "Code_commune_INSEE in 23*, 87* or 31555",
        lambda s, d: filter_csv(s, d, lambda r: in_scope(r["Code_commune_INSEE"])),
    ),
    (
        "zonage_medecins",
        "zonmed_ZonageMed_national.csv",
        "Code_postal in 23*, 87*, or 31* with Nom_commune Toulouse",
        lambda s, d: filter_csv(
            s,
            d,
            lambda r: (
                r["Code_postal"].zfill(5).startswith(DEPARTEMENTS)
                or (r["Code_postal"].zfill(5).startswith("31") and r["Nom_commune"] == "Toulouse")
            ),
        ),
    ),
    (
        "qpv",
        "anct_qpv2024_communes_centroides.geojson",
        "features whose insee_com lists a commune in 23*, 87* or 31555",
        lambda s, d: filter_geojson(
            s, d, lambda p: any(in_scope(c) for c in _codes(p.get("insee_com")))
        ),
    ),
    (
        "qpv_perimeters",
        "hackaviz2021_qpv2015_occitanie.geojson",
        f"code_qp in {', '.join(QPV_PERIMETERS)} (Toulouse)",
        lambda s, d: filter_geojson(s, d, lambda p: p.get("code_qp") in QPV_PERIMETERS),
    ),
    (
        "finess",
        "eurostat_healthcare_FR_hospitals_2020.csv",
        "postcode in 23*, 87*",
        lambda s, d: filter_csv(s, d, lambda r: r["postcode"].zfill(5).startswith(DEPARTEMENTS)),
    ),
    (
        "communes_france_geojson_2018",
        "communes-23-creuse.geojson",
        "every commune, coordinates rounded to 1e-4 degree (about 10 m)",
        lambda s, d: round_geojson(s, d),
    ),
    (
        "communes_france_geojson_2018",
        "communes-87-haute-vienne.geojson",
        "every commune, coordinates rounded to 1e-4 degree (about 10 m)",
        lambda s, d: round_geojson(s, d),
    ),
    (
        "communes_france_geojson_2018",
        "communes-31-haute-garonne.geojson",
        "code == 31555 (Toulouse)",
        lambda s, d: filter_geojson(s, d, lambda p: p.get("code") in EXTRA_COMMUNES),
    ),
]


def _rounded(value: Any, digits: int) -> Any:
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, list):
        return [_rounded(v, digits) for v in value]
    return value


def round_geojson(src: Path, dest: Path, digits: int = 4) -> tuple[int, int]:
    """Every feature, its coordinates rounded: an excerpt, not a copy of the real file.

    1e-4 degree is about 10 m, far below what the fixture tests ask of a commune polygon
    (a point well inside a commune); border tests run on the real files.
    """
    data = json.loads(src.read_text(encoding="utf-8"))
    for feature in data["features"]:
        geometry = feature["geometry"]
        geometry["coordinates"] = _rounded(geometry["coordinates"], digits)
    dest.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8")
    return len(data["features"]), len(data["features"])


def _copy(src: Path, dest: Path) -> tuple[int, int]:
    shutil.copyfile(src, dest)
    return -1, -1


SOURCES_MD = """# Test fixture sources (excerpt of the real data)

Cut by `tests/data/make_fixtures.py` from the real source files (the folder described by
`data/sources.toml`): Creuse (23), Haute-Vienne (87) and Toulouse (31555). Same layout,
names and formats as the real folder: `zoning data build --sources tests/data/sources`.
Where each file comes from (source sha256, filter, rows kept): `tests/data/ORIGIN.md`.
Nothing here is made up; a region's figures cover only these départements.
"""


def main() -> None:
    """Cut every file of :data:`PLAN` and record the origins."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sources", type=Path, default=HERE.parents[2] / "shared" / "data", help="real data"
    )
    parser.add_argument("--out", type=Path, default=HERE / "sources")
    args = parser.parse_args()
    src_root: Path = args.sources.resolve()
    out: Path = args.out
    if out.exists():
        shutil.rmtree(out)
    records = []
    for folder, name, how, cut in PLAN:
        src = src_root / folder / name
        dest = out / folder / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        kept, total = cut(src, dest)
        records.append(
            {
                "file": f"{folder}/{name}",
                "source": f"{folder}/{name}",
                "source_sha256": sha256(src),
                "source_size": src.stat().st_size,
                "filter": how,
                "rows_kept": None if kept < 0 else kept,
                "rows_total": None if total < 0 else total,
                "sha256": sha256(dest),
                "size": dest.stat().st_size,
            }
        )
    (out / "SOURCES.md").write_text(SOURCES_MD, encoding="utf-8")
    origin = {"generator": "tests/data/make_fixtures.py", "files": records}
    (HERE / "ORIGIN.json").write_text(
        json.dumps(origin, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    lines = [
        "# Origin of the fixture set",
        "",
        "Generated by `python tests/data/make_fixtures.py --sources ../shared/data` "
        "(sources: the shared real data folder, see `data/sources.toml` for the upstream URLs).",
        "",
        "| file | filter | rows kept / source rows | size | source sha256 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in records:
        rows = "whole" if r["rows_kept"] is None else f"{r['rows_kept']} / {r['rows_total']}"
        lines.append(
            f"| `{r['file']}` | {r['filter']} | {rows} | {r['size']} B | `{r['source_sha256']}` |"
        )
    total = sum(r["size"] for r in records)
    lines += ["", f"Total: {total} bytes.", ""]
    (HERE / "ORIGIN.md").write_text("\n".join(lines), encoding="utf-8")
    print(f"{len(records)} files, {total} bytes in {out}")


if __name__ == "__main__":
    main()
