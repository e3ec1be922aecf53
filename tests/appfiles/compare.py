"""Run ``zoning batch`` on generated files as a user does, and score every row against its truth.

A row is **right** when its status, site INSEE code, zone and 20 km answer are those of
the truth (a field the truth leaves open is not scored). Beside « rows right / rows »:

- **lost**: a dossier of the file missing from the output (a refused file loses all);
- **extra**: an output row with a status that is no dossier (e.g. a TOTAL row);
- **wrong verdicts**: a definite status (éligible / non éligible) other than the truth —
  the worst kind, a wrong answer with exit 0;
- **à vérifier with a reason**: the tool doubts where the truth is certain (a miss,
  but an honest one); **données invalides**: a value refused;
- **false remarks**: a remark (motifs, remarques) naming a QPV, a commune code or a
  decree that is not the row's, or saying « sans date » of a dated post.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROGRAMME = "na-mg-2023"
QPV_CODE = re.compile(r"\bQ[NP]\d{5}[A-Z0-9]?\b")
COMMUNE_CODE = re.compile(r"\((\d[0-9AB]\d{3})\)")
OTHER_DECREES = ("30 décembre 2025", "2025-12-30")


@dataclass
class Outcome:
    file: str
    row_id: str
    kinds: dict[str, str]
    right: bool = False
    status_right: bool = False
    tool_reasons: list[str] = field(default_factory=list)
    lost: bool = False
    wrong_verdict: bool = False
    check_with_reason: bool = False
    invalid: bool = False
    field_misses: list[str] = field(default_factory=list)
    false_remarks: list[str] = field(default_factory=list)
    example: str = ""


@dataclass
class FileRun:
    path: Path
    returncode: int
    stderr: str
    rows: list[dict[str, str]] | None


def run_batch(path: Path, store: Path, out_ext: str = "csv", timeout: float = 600) -> FileRun:
    """``zoning batch FILE -p na-mg-2023 -o OUT`` in a fresh process; the output read back."""
    out = path.with_name(path.stem + "-resultats." + out_ext)
    env = {
        **os.environ,
        "ZONING_STORE": str(store),
        "ZONING_ADDOK_URL": "off",
    }
    command = [sys.executable, "-m", "zoning", "-q", "batch", str(path), "-p", PROGRAMME]
    command += ["-o", str(out), "--no-progress"]
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=timeout, check=False
    )
    rows = read_output(out) if done.returncode == 0 and out.exists() else None
    return FileRun(path, done.returncode, done.stderr[-20000:], rows)


def run_files(paths: list[Path], store: Path, jobs: int = 2) -> Summary:
    """Every file through ``zoning batch`` (``jobs`` processes at once; one output in five
    as XLSX, the others CSV), scored against its truth."""
    from concurrent.futures import ThreadPoolExecutor

    def one(item: tuple[int, Path]) -> tuple[list[Outcome], int, FileRun]:
        index, path = item
        run = run_batch(path, store, "xlsx" if index % 5 == 4 else "csv")
        return (*score_file(run, load_truth(path)), run)

    with ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(one, enumerate(paths)))
    return Summary(
        [o for r in results for o in r[0]],
        sum(r[1] for r in results),
        [r[2] for r in results if r[2].returncode != 0],
    )


def read_output(path: Path) -> list[dict[str, str]]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle, delimiter=";"))
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    sheet = book.worksheets[0]
    lines = [
        ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    head = next(i for i, line in enumerate(lines) if "statut" in line)
    return [dict(zip(lines[head], line, strict=False)) for line in lines[head + 1 :]]


def _norm_id(value: str) -> str:
    value = str(value).strip().lstrip("'")
    return value[:-2] if re.fullmatch(r"\d+\.0", value) else value


def _rule20(text: str) -> str:
    text = (text or "").strip().lower()
    for prefix, answer in (
        ("ok", "oui"),
        ("oui", "oui"),
        ("à vérifier", "à vérifier"),
        ("non", "non"),
    ):
        if text.startswith(prefix):
            return answer
    return text


_KM = re.compile(r"(\d+(?:[ \u202f\u00a0]\d{3})*(?:,\d+)?) km")


def rule20_right(text: str, t: dict[str, Any]) -> bool:
    """Whether the 20 km column answers as the truth says.

    With a premium, its verdict must be one the truth admits. Without one (na-mg-2023),
    the column must say « sans objet » and its shortest straight-line distance must be the
    truth's, within the margin.
    """
    from .truth import MARGIN_KM, PREMIUM

    if PREMIUM:
        return _rule20(text) in t["rule20"]
    found = _KM.search(text or "")
    if "sans objet" not in (text or "") or not found:
        return False
    shortest = float(re.sub(r"[ \u202f\u00a0]", "", found.group(1)).replace(",", "."))
    return abs(shortest - float(t["nearest_km"])) <= MARGIN_KM


def _shape(reason: str) -> str:
    """A reason with its row's particulars blanked, to count reasons of the same kind."""
    reason = re.sub(r"«[^»]*»", "«…»", reason)
    reason = re.sub(r"[^:|]*\(\d[0-9AB]\d{3}\)", " COMMUNE", reason)
    return re.sub(r"\d+([.,/]\d+)*", "#", reason)[:160]


def first_error(stderr: str) -> str:
    """The tool's error message for a refused file, particulars blanked."""
    lines = stderr.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(("Erreur", "Error"))]
    if not starts:
        return "(sans message)"
    said = [re.sub(r"^Erreur : [^:]+ : ", "", lines[starts[-1]])]
    for line in lines[starts[-1] + 1 :]:
        if not line.startswith("  - "):
            break
        said.append(line[4:])
    return _shape(" ".join(said))


def false_remarks(out: dict[str, str], truth: dict[str, Any]) -> list[str]:
    """Statements of the row's remarks that are not true of the row."""
    text = " | ".join(out.get(k) or "" for k in ("motifs", "remarques"))
    bad = []
    qpv = set(truth["qpv"])
    bad += [f"QPV {q} (pas de la commune du site)" for q in QPV_CODE.findall(text) if q not in qpv]
    # The site's commune (any of its codes), its postal code, the hospital's commune.
    allowed = set(truth["insee"]) | {truth["hospital_commune"], truth.get("postcode")}
    bad += [
        f"commune {c} (ni le site ni l'hôpital)"
        for c in COMMUNE_CODE.findall(text)
        if c not in allowed
    ]
    if "sans date" in text:
        bad.append("« sans date » alors que la date de début est donnée")
    bad += [
        f"arrêté du {d} (le poste commence le {truth['start']})" for d in OTHER_DECREES if d in text
    ]
    return bad


def score_file(run: FileRun, truth: dict[str, Any]) -> tuple[list[Outcome], int]:
    """Outcomes of the file's dossiers, and the count of extra (non-dossier) output rows."""
    kinds = dict(truth["tags"])
    outcomes = []
    by_id: dict[str, dict[str, str]] = {}
    extra = 0
    for row in run.rows or []:
        key = _norm_id(row.get(truth["id_header"], ""))
        if key in {r["id"] for r in truth["rows"]}:
            by_id.setdefault(key, row)
        elif (row.get("statut") or "").strip():
            extra += 1
    for t in truth["rows"]:
        o = Outcome(
            truth["file"], t["id"], {**kinds, **{f"row-{k}": v for k, v in t["tags"].items()}}
        )
        outcomes.append(o)
        out = by_id.get(t["id"])
        if out is None:
            o.lost = True
            why = run.stderr.strip()[-300:]
            o.example = f"{truth['file']} {t['id']}: ligne perdue (exit {run.returncode}: {why})"
            continue
        status = (out.get("statut") or "").strip()
        o.status_right = status == t["status"]
        if not o.status_right:
            o.field_misses.append("statut")
            o.tool_reasons = [_shape(s) for s in (out.get("motifs") or "").split(" | ") if s]
        if status in ("éligible", "non éligible") and status != t["status"]:
            o.wrong_verdict = True
        elif status == "à vérifier" and status != t["status"] and (out.get("motifs") or "").strip():
            o.check_with_reason = True
        elif status == "données invalides" and status != t["status"]:
            o.invalid = True
        found = COMMUNE_CODE.findall(out.get("commune_site1") or "")
        if not (found and found[-1] in t["insee"]) and not (len(t["insee"]) > 1 and not found):
            o.field_misses.append("insee")
        if t["zone"] and (out.get("zone_site1") or "").strip() != t["zone"]:
            o.field_misses.append("zone")
        if not rule20_right(out.get("regle_20km_site1", ""), t):
            o.field_misses.append("regle_20km")
        o.false_remarks = false_remarks(out, t)
        o.right = not o.field_misses and not o.false_remarks
        if not o.right:
            o.example = (
                f"{truth['file']} {t['id']} {t['tags']}: attendu {t['status']} {t['insee']} "
                f"{t['zone']} 20 km {t['rule20']} ({', '.join(t['reasons']) or 'tout ok'}) ; "
                f"obtenu {status} | {out.get('commune_site1')} | {out.get('zone_site1')} | "
                f"20 km « {out.get('regle_20km_site1')} » | motifs « {out.get('motifs')} »"
                + (f" | fausses remarques {o.false_remarks}" if o.false_remarks else "")
            )
    return outcomes, extra


def load_truth(path: Path) -> dict[str, Any]:
    return json.loads(path.with_name(path.name + ".truth.json").read_text(encoding="utf-8"))


@dataclass
class Summary:
    outcomes: list[Outcome]
    extra: int
    refused: list[FileRun] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.outcomes)

    def count(self, attr: str) -> int:
        return sum(bool(getattr(o, attr)) for o in self.outcomes)

    @property
    def right_share(self) -> float:
        return self.count("right") / self.rows if self.rows else 0.0

    def lines(self, examples: int = 2) -> Iterable[str]:
        refusals: dict[str, list[FileRun]] = defaultdict(list)
        for run in self.refused:
            refusals[first_error(run.stderr)].append(run)
        for why, runs in sorted(refusals.items(), key=lambda kv: -len(kv[1])):
            names = ", ".join(r.path.name for r in runs[:examples])
            yield f"fichiers refusés : {len(runs)} « {why} » (ex. {names})"
        yield (
            f"fichiers refusés {len(self.refused)} ; "
            f"lignes justes : {self.count('right')} / {self.rows} "
            f"({100 * self.right_share:.1f} %) ; statut juste {self.count('status_right')} ; "
            f"perdues {self.count('lost')} ; en trop {self.extra} ; "
            f"verdicts faux {self.count('wrong_verdict')} ; "
            f"« à vérifier » motivés au lieu d'un verdict {self.count('check_with_reason')} ; "
            f"données invalides à tort {self.count('invalid')} ; "
            f"lignes avec fausse remarque {self.count('false_remarks')}"
        )
        per: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
        for o in self.outcomes:
            for kind, value in o.kinds.items():
                per[(kind, value)].append(o)
        yield "par sorte de variation : lignes justes / lignes (statut juste)"
        for (kind, value), group in sorted(per.items()):
            right = sum(o.right for o in group)
            status = sum(o.status_right for o in group)
            share = 100 * right / len(group)
            yield (
                f"  {kind:<20} {value:<24} {right:>4} / {len(group):<4} ({share:5.1f} %)"
                f"   statut {status:>4} ({100 * status / len(group):5.1f} %)"
            )
        reasons: dict[str, int] = defaultdict(int)
        for o in self.outcomes:
            for reason in set(o.tool_reasons):
                reasons[reason] += 1
        yield "motifs de l'outil sur les lignes au statut faux (lignes) :"
        for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1])[:15]:
            yield f"  {n:>5}  {reason}"
        misses: dict[str, list[Outcome]] = defaultdict(list)
        for o in self.outcomes:
            for f in o.field_misses:
                misses[f"champ faux : {f}"].append(o)
            if o.false_remarks:
                misses["fausse remarque : " + re.sub(r"\d", "#", o.false_remarks[0])[:60]].append(o)
            if o.lost:
                misses["ligne perdue"].append(o)
        yield "causes (lignes ; exemples) :"
        for cause, group in sorted(misses.items(), key=lambda kv: -len(kv[1])):
            yield f"  {cause} : {len(group)}"
            for o in group[:examples]:
                yield f"      ex. {o.example[:600]}"
