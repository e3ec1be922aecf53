"""Every reason the tool gives has a code, and every code has an entry in the catalogue.

Statically: every code written in the package (a string shaped like a code, of a known
domain) is in ``zoning/help/motifs.toml``, and every entry of it is written somewhere (no
dead entry); every entry says what to do, and the commands and options it names exist.

Dynamically: the batch over the example files (under every programme), over generated
application files (``tests/appfiles``) and over the hostile inputs of ``tests/hostile``,
and ``zoning check`` on places that need checking; every reason read back from the
results carries a code, every code is in the catalogue. What is expected is never taken
from the catalogue beyond that membership.
"""

from __future__ import annotations

import ast
import datetime as dt
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from zoning.reasons import CODE_PATTERN, DOMAINS, SEPARATOR, catalogue, is_code

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "zoning"
VERDICTS = {"données invalides", "à vérifier", "non éligible", "information"}


def _codes_written() -> dict[str, list[str]]:
    """Every code literal of the package -> where it is written (file:line)."""
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if CODE_PATTERN.fullmatch(text) and text.split("-")[0] in DOMAINS:
                    where = f"{path.relative_to(REPO)}:{node.lineno}"
                    found.setdefault(text, []).append(where)
    return found


def test_every_code_written_is_catalogued() -> None:
    missing = {c: w for c, w in _codes_written().items() if c not in catalogue()}
    assert not missing, f"codes sans entrée dans motifs.toml : {missing}"


def test_no_dead_entry() -> None:
    dead = sorted(set(catalogue()) - set(_codes_written()))
    assert not dead, f"entrées de motifs.toml qu'aucun code n'émet : {dead}"


def test_entries_say_what_to_do() -> None:
    for code, entry in catalogue().items():
        assert code.split("-")[0] in DOMAINS, code
        assert entry.verdict in VERDICTS, (code, entry.verdict)
        assert entry.titre and entry.sens, code
        assert entry.que_faire, f"{code} : que faire ?"
        if entry.verdict in ("à vérifier", "données invalides"):
            assert entry.pourquoi, f"{code} : pourquoi l'outil ne tranche-t-il pas ?"


def test_a_reason_cannot_be_made_without_its_code() -> None:
    """The types refuse it: no criterion, distance, premium, funding or place answer that
    is not a plain « ok » / « oui » without a well-formed code."""
    from zoning.locate.placement import Verdict
    from zoning.reasons import PASSED, Reason
    from zoning.rules.criteria import Check
    from zoning.rules.distance import DistanceVerdict
    from zoning.rules.funding import FundingResult
    from zoning.rules.premium import PremiumResult
    from zoning.rules.verdicts import CHECK, NO, OK

    with pytest.raises(ValueError):
        Reason("motif libre", "durée non fournie")
    with pytest.raises(ValueError):
        Check("duree", "durée", CHECK, PASSED, "durée non fournie")
    with pytest.raises(ValueError):
        Check("duree", "durée", OK, "DUREE-ABSENTE", "24 mois")
    with pytest.raises(ValueError):
        DistanceVerdict(NO, "12 km par la route", None, 10.0, 12.0)
    with pytest.raises(ValueError):
        PremiumResult(CHECK, "à vérifier", None, None, None, 0.0, 0)
    with pytest.raises(ValueError):
        FundingResult(NO, "aucun financement", None, None, None)
    with pytest.raises(ValueError):
        Verdict("à vérifier", "classe inconnue", None)
    assert Check("duree", "durée", CHECK, "DUREE-ABSENTE", "durée non fournie").motif == Reason(
        "DUREE-ABSENTE", "durée : durée non fournie"
    )


def _command(words: list[str]) -> Any:
    """The click command ``zoning w1 w2…`` names (the deepest one that exists)."""
    import click

    from zoning.cli import cli

    command: Any = cli
    ctx = click.Context(cli)
    for word in words:
        if not isinstance(command, click.Group):
            break
        sub = command.get_command(ctx, word)
        if sub is None:
            break
        command = sub
    return command


def cli_group() -> Any:
    from zoning.cli import cli

    return cli


def _options(command: Any) -> set[str]:
    return {o for p in command.params for o in (*p.opts, *p.secondary_opts)}


def test_commands_and_options_named_exist() -> None:
    """« zoning batch … --geocode »: the command exists and has that option."""
    named = 0
    for code, entry in catalogue().items():
        for step in entry.que_faire:
            for snippet in re.findall(r"zoning [a-z][^,;)«»`]*", step):
                words = [w.rstrip(".") for w in snippet.split()[1:]]
                command = _command([w for w in words if re.fullmatch(r"[a-z-]+", w)][:2])
                assert command is not cli_group() or not words, f"{code} : {snippet}"
                for option in re.findall(r"(?<![\w-])--[a-z][a-z-]*[a-z]", snippet):
                    named += 1
                    assert option in _options(command), f"{code} : {option} ? ({snippet})"
    assert named > 5


# --- dynamic --------------------------------------------------------------------------------

PROGRAMMES = [
    "na-mg-2023",
    "cvl-assistants-partages",
    "ars-specialistes-60pc-2025",
    "aumg-2025",
    "mg-salaries-volet2",
]
APPFILES = 30
HOSTILE_PROGRAMME = "na-mg-2023"


@dataclass
class Seen:
    """Reasons read back from the results, with their codes."""

    files: Counter[str] = field(default_factory=Counter)  # kind -> files run
    refused: int = 0
    reasons: int = 0
    codes: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def reason(self, code: object, text: object, where: str) -> None:
        self.reasons += 1
        if not code or not is_code(str(code)):
            self.problems.append(f"{where} : motif sans code « {text} »")
            return
        self.codes[str(code)] += 1


def _split(cell: object) -> list[str]:
    return [] if cell in (None, "") else str(cell).split(SEPARATOR)


def _read_rows(seen: Seen, headers: list[str], table: list[list[Any]], where: str) -> None:
    """Every reason of a result table: the row's, each distance rule's, the premium's and
    the funding's, each beside its code."""
    col = {h: i for i, h in enumerate(headers)}
    for n, row in enumerate(table, start=1):
        at = f"{where}, ligne {n}"
        texts, codes = _split(row[col["motifs"]]), _split(row[col["codes_motifs"]])
        if row[col["statut"]] != "éligible" and not texts:
            seen.problems.append(f"{at} : « {row[col['statut']]} » sans motif")
        if len(texts) != len(codes):
            seen.problems.append(f"{at} : {len(texts)} motifs, {len(codes)} codes")
        for text, code in zip(texts, codes, strict=False):
            seen.reason(code, text, at)
        k = 1
        while f"regle_20km_site{k}" in col:
            rule = str(row[col[f"regle_20km_site{k}"]] or "")
            if rule.startswith(("à vérifier", "non")):
                seen.reason(row[col[f"code_regle_20km_site{k}"]], rule, f"{at}, site {k}")
            k += 1
        if row[col["prime_verdict"]] in ("à vérifier", "non"):
            seen.reason(row[col["code_prime"]], row[col["prime_motif"]], f"{at}, prime")
        if row[col["financement_motif"]] and row[col["financement_mensuel"]] is None:
            at_funding = f"{at}, financement"
            seen.reason(row[col["code_financement"]], row[col["financement_motif"]], at_funding)


def _batch(seen: Seen, kind: str, path: Path, programme: str, store: Any) -> None:
    from zoning.errors import ZoningError
    from zoning.report.candidates import load_candidates
    from zoning.report.service import batch_context, run
    from zoning.rules.programme import load_programme

    seen.files[kind] += 1
    context = batch_context(load_programme(programme), store)
    try:
        candidates = load_candidates(path, context.programme)
    except ZoningError:
        seen.refused += 1  # refused whole, with a message: no row, no reason
        return
    done = run(candidates, context)
    _read_rows(seen, done.headers, done.table, f"{path.name} [{programme}]")


def _hostile_files(folder: Path) -> Iterator[Path]:
    from hostile.test_hostile import BASES, VARIANTS

    for variant, make in VARIANTS.items():
        name, data, _ = make(BASES["batch"])
        path = folder / f"{variant}-{name}"
        path.write_bytes(data)
        yield path


#: Rows written wrong on purpose (made-up people, real places), one kind of fault each.
EDGE = """\
Identifiant;N° RPPS;FINESS établissement;Demi-journées hôpital;Site code INSEE;Site commune;\
Site longitude;Site latitude;Date de début;Durée (mois);Date d'inscription à l'Ordre
E01;10000000001;230000820;5;23008;Aubusson;;;01/11/2023;24;01/09/2023
E02;10000000002;230000820;cinq et demi;23008;Aubusson;;;novembre 2023;deux ans passés;32/13/2023
E03;10000000003;230000820;9;23008;Aubusson;;;01/11/2023;24;01/09/2023
E04;10000000004;230000820;5;;;200;95;01/11/2023;24;01/09/2023
E05;10000000005;2300;5;23008;Aubusson;;;01/11/2023;24;01/09/2023
E06;10000000006;230000820;5;99999;;;;01/11/2023;24;01/09/2023
E07;10000000007;230000820;5;;Saint-Inexistant-sur-Mer;;;01/11/2023;24;01/09/2023
E08;10000000008;230000820;5;;;-30;40;01/11/2023;24;01/09/2023
E09;10000000009;230000820;5;23008;Aubusson;;;01/11/2023;18,5;01/09/2023
E10;10000000010;230000820;5;23008;Aubusson;1.2;;01/11/2023;24;01/09/2023
"""

#: ``zoning check`` queries that need checking: (arguments, date).
CHECKS = [
    (("commune", "87085"), "2023-11-01"),  # Limoges: HZ with QPV, perimeters unknown
    (("commune", "23096"), "2025-06-01"),  # after the 2022 decree's end: expired
    (("commune", "23096"), "2026-06-01"),  # the 2025 decree, annex not loaded
    (("commune", "33063"), "2023-11-01"),  # Bordeaux: not under-served
    (("point", (55.45, -20.88)), "2023-11-01"),  # La Réunion: ND
    (("postcode", ("16330", "La Boixe")), "2023-11-01"),  # commune nouvelle, mixed classes
]


def _checks(seen: Seen, store: Any) -> None:
    from zoning.errors import ZoningError
    from zoning.locate import lookup
    from zoning.locate.answer import PlaceAnswer

    for (how, value), day in CHECKS:
        seen.files["check"] += 1
        on = dt.date.fromisoformat(day)
        try:
            if how == "commune":
                place = lookup.by_commune(store, str(value), on)
            elif how == "point":
                lon, lat = value  # type: ignore[misc]
                place = lookup.by_point(store, lon, lat, on)
            else:
                postcode, name = value  # type: ignore[misc]
                place = lookup.by_postcode_name(store, postcode, name, on)
        except ZoningError:
            seen.refused += 1
            continue
        answer = PlaceAnswer.of(place)
        where = f"check {value} {day}"
        if answer.verdict != "oui":
            seen.reason(answer.code, answer.motif, where)
        for motif in answer.motifs:
            seen.reason(motif.code, motif.texte, where)


@pytest.fixture(scope="module")
def seen(store: Any, sources_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Seen:
    from appfiles.generate import generate
    from appfiles.sources import Sources

    found = Seen()
    for path in sorted((REPO / "data" / "examples").glob("*.*")):
        if path.suffix in (".csv", ".xlsx", ".ods"):
            for programme in PROGRAMMES:
                _batch(found, "exemples", path, programme, store)
    folder = tmp_path_factory.mktemp("appfiles")
    for path in generate(folder, Sources(sources_dir), APPFILES, seed=28):
        _batch(found, "dossiers générés", path, "na-mg-2023", store)
    for path in _hostile_files(tmp_path_factory.mktemp("hostile")):
        _batch(found, "fichiers hostiles", path, HOSTILE_PROGRAMME, store)
    edge = tmp_path_factory.mktemp("piegees") / "lignes-piegees.csv"
    edge.write_text(EDGE, encoding="utf-8")
    for programme in PROGRAMMES:
        _batch(found, "lignes piégées", edge, programme, store)
    _checks(found, store)
    print(
        f"\nmotifs : {dict(found.files)} fichiers ou requêtes, {found.refused} refusés, "
        f"{found.reasons} motifs lus, {len(found.codes)} codes distincts : "
        + ", ".join(f"{c} {n}" for c, n in sorted(found.codes.items()))
    )
    return found


def test_every_reason_has_a_code(seen: Seen) -> None:
    assert seen.reasons > 100
    assert not seen.problems, "\n".join(seen.problems[:20])


def test_every_code_seen_is_catalogued(seen: Seen) -> None:
    missing = sorted(set(seen.codes) - set(catalogue()))
    assert not missing, f"codes émis sans entrée dans motifs.toml : {missing}"


def test_the_files_ran(seen: Seen) -> None:
    assert seen.files["dossiers générés"] == APPFILES
    assert seen.files["fichiers hostiles"] >= 15
    assert seen.files["exemples"] >= 2 * len(PROGRAMMES)


def test_check_prints_the_code(store_path: Path, tmp_path: Path) -> None:
    """``zoning check`` (a real process): the code beside the reason, and in ``--json``."""
    env = {**os.environ, "ZONING_STORE": str(store_path), "ZONING_CACHE": str(tmp_path)}
    args = [sys.executable, "-m", "zoning", "check", "--commune", "87085", "--date", "2023-11-01"]
    text = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout
    codes = re.findall(r"^  motif ([A-Z0-9-]+) : ", text, flags=re.MULTILINE)
    assert codes and all(c in catalogue() for c in codes), text
    import json

    answer = json.loads(
        subprocess.run(
            [*args, "--json"], env=env, capture_output=True, text=True, check=True
        ).stdout
    )
    assert answer["code"] == codes[0]
    assert [m["code"] for m in answer["motifs"]] == codes
