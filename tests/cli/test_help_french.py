"""``zoning`` speaks French in its help and usage errors, click's own words included,
whatever the locale: every command's ``--help`` through the real group, the common
mistakes, and the installed entry point under LANG=C and an English locale.

What counts as English is click's own text: the strings it marks for gettext, read from
its installed source, so that a click upgrade that adds or rewords one fails here.
"""

from __future__ import annotations

import ast
import importlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import click
import polib
import pytest
from click.testing import CliRunner, Result

import zoning
from zoning.cli import cli
from zoning.cli.french import CATALOGUE, install, translations

CLICK_DIR = Path(click.__file__).parent
PLACEHOLDER = re.compile(r"\{[^}]*\}|%\(\w+\)[sd]")
FIELD = re.compile(r"\{(\w*)|%\((\w+)\)")
#: click passes these through gettext from a variable, not a literal (Option's
#: ``get_help_extra`` puts "required" in the help's brackets).
INDIRECT_MSGIDS = {("required", None)}
#: The same words in both languages.
SAME_IN_FRENCH = {"Options", "%(prog)s, version %(version)s", "Choice({choices})"}
#: Not bound by :func:`install`: ``_termui_impl`` is imported only by click's progress
#: bar, editor and getchar, which the tool does not use (test below); ``_winconsole``
#: is Windows', imported by click itself there before ``zoning.cli`` is.
UNBOUND_MODULES = {"click._termui_impl", "click._winconsole"}


@cache
def click_msgids() -> frozenset[tuple[str, str | None]]:
    """Every (msgid, msgid_plural) that click's source hands to gettext."""
    found = set(INDIRECT_MSGIDS)
    for path in CLICK_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            texts = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if node.func.id == "_" and texts:
                found.add((texts[0], None))
            elif node.func.id == "ngettext" and len(texts) >= 2:
                found.add((texts[0], texts[1]))
    return frozenset(found)


@cache
def catalogue() -> polib.POFile:
    return polib.pofile(str(CATALOGUE), encoding="utf-8")


@cache
def english_phrases() -> dict[str, re.Pattern[str]]:
    """Patterns of click's English, none of which a French screen may show: each
    literal run of its msgids (between placeholders) not also found in the French, and
    its types' metavars (TEXT, INTEGER...) and group usage (COMMAND [ARGS])."""
    french = PLACEHOLDER.sub(
        "", " ".join(e.msgstr or " ".join(e.msgstr_plural.values()) for e in catalogue())
    )
    runs = set()
    for msgid, plural in click_msgids():
        for text in (msgid, plural or ""):
            for run in PLACEHOLDER.split(text):
                run = run.strip(" .?!()'\n\t")
                if sum(c.isalpha() for c in run) >= 4 and run not in french:
                    runs.add(run)
    metavars = {"COMMAND", "ARGS"} | {
        kind.name.upper()
        for kind in vars(click.types).values()
        if isinstance(kind, type)
        and issubclass(kind, click.ParamType)
        and isinstance(getattr(kind, "name", None), str)
    }
    words = runs | metavars
    return {w: re.compile(rf"(?<![\w-]){re.escape(w)}(?![\w-])") for w in sorted(words)}


def english_in(text: str) -> list[str]:
    return [word for word, pattern in english_phrases().items() if pattern.search(text)]


def test_the_phrase_list_knows_click_english() -> None:
    # The check below is only as good as this list: it must catch click's usual words.
    said = "Usage: zoning [OPTIONS] COMMAND [ARGS]...\nOptions:\n  --x TEXT  [required]\n"
    said += "Error: No such option '--x'. Did you mean '--y'?\nShow this message and exit."
    caught = english_in(said)
    for word in ("Usage:", "COMMAND", "TEXT", "required", "Error:", "No such option"):
        assert any(word in phrase for phrase in caught), word
    assert english_in("Il manque l'argument 'ENTREE'. --x TEXTE ENTIER FICHIER") == []


def test_every_click_string_has_a_french_form() -> None:
    entries = {(e.msgid, e.msgid_plural or None): e for e in catalogue()}
    missing = sorted(m for m, _ in click_msgids() - entries.keys())
    assert not missing, f"click strings without French in {CATALOGUE.name}: {missing}"
    stale = sorted(m for m, _ in entries.keys() - click_msgids())
    assert not stale, f"no longer in click, remove from {CATALOGUE.name}: {stale}"
    for (msgid, plural), entry in entries.items():
        forms = list(entry.msgstr_plural.values()) if plural else [entry.msgstr]
        assert all(forms) and len(forms) == (2 if plural else 1), msgid
        # click formats the translation with the msgid's fields: no other may appear.
        fields = set(FIELD.findall(msgid + (plural or "")))
        for form in forms:
            assert set(FIELD.findall(form)) <= fields, form
            assert form != msgid or msgid in SAME_IN_FRENCH, msgid


def test_every_click_module_is_bound_to_the_catalogue() -> None:
    install()
    french = translations()
    for path in CLICK_DIR.glob("*.py"):
        name = f"click.{path.stem}"
        if "from gettext import" not in path.read_text(encoding="utf-8"):
            continue
        if name in UNBOUND_MODULES:
            continue
        module = importlib.import_module(name)
        assert module._ == french.gettext, name
        if hasattr(module, "ngettext"):
            assert module.ngettext == french.ngettext, name


def test_the_tool_uses_none_of_click_unbound_helpers() -> None:
    # What ``_termui_impl`` (left unbound) says is said only through these.
    root = Path(zoning.__file__).parent
    source = "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*.py"))
    for helper in ("progressbar", "edit(", "getchar", "pause(", "launch("):
        assert f"click.{helper}" not in source, helper


def _commands(
    group: click.Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, group
    if isinstance(group, click.Group):
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            sub = group.get_command(ctx, name)
            assert sub is not None, name
            yield from _commands(sub, (*path, name))


def _invoke(*args: str) -> Result:
    runner = CliRunner(env={"LANG": "C", "LC_ALL": "C", "LANGUAGE": "en"})
    return runner.invoke(cli, list(args), prog_name="zoning")


def test_every_help_is_french() -> None:
    walked = []
    for path, command in _commands(cli):
        for flag in ("--help", "-h"):
            result = _invoke(*path, flag)
            shown = " ".join(("zoning", *path, flag))
            assert result.exit_code == 0, (shown, result.output)
            assert result.output.startswith(f"Usage : {' '.join(('zoning', *path))} "), shown
            assert "\nOptions :\n" in result.output, shown
            assert "Affiche ce message et quitte." in result.output, shown
            assert english_in(result.output) == [], (shown, result.output)
            if isinstance(command, click.Group):
                assert "\nCommandes :\n" in result.output, shown
                assert "COMMANDE [ARGUMENTS]..." in result.output, shown
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.help, f"zoning {' '.join(path)} {param.opts[-1]}: no help"
        walked.append(" ".join(path))
    # The walk went everywhere: every subcommand of the group and of its groups.
    assert {"check", "batch", "data build", "geocoder serve", "map posts"} <= set(walked)
    assert len(walked) > 20


@pytest.mark.parametrize(
    ("args", "said"),
    [
        # Unknown option, with the close one suggested.
        (["export", "--regoin", "75", "x.gpkg"], "Option « --regoin » inconnue."),
        (["export", "--regoin", "75", "x.gpkg"], "Vous vouliez dire '--region' ?"),
        (["--verbsoe"], "(Vous vouliez dire : '--verbose', '--version' ?)"),
        # Unknown subcommand, at the top and in a group.
        (["chek"], "Commande « chek » inconnue. Vous vouliez dire 'check' ?"),
        (["map", "covrage"], "Commande « covrage » inconnue. Vous vouliez dire 'coverage' ?"),
        # Missing argument, missing option, option without its value.
        (["assign"], "Il manque l'argument 'ENTREE'."),
        (["geocoder", "build"], "Il manque l'option '-o' / '--output'."),
        (["check", "--lon"], "L'option « --lon » attend une valeur."),
        # Bad values for typed options and arguments.
        (["check", "--lon", "abc", "--lat", "3"], "Valeur invalide pour '--lon' : « abc »"),
        (["serve", "--port", "0"], "0 n'est pas dans l'intervalle 1<=x<=65535."),
        (["check", "--date", "demain"], "Valeur invalide pour '--date' : date illisible"),
        (["batch", "absent.csv", "-p", "na-mg-2023"], "Fichier « absent.csv » introuvable."),
        (["check", "--commune", "23096", "en-trop"], "Argument en trop (en-trop)"),
    ],
)
def test_usage_errors_answer_in_french(args: list[str], said: str) -> None:
    result = _invoke(*args)
    assert result.exit_code == 2, result.output
    assert said in result.output
    assert "Erreur : " in result.output
    assert english_in(result.output) == [], result.output
    assert isinstance(result.exception, SystemExit)  # no traceback: a usage error


def test_usage_errors_say_where_help_is() -> None:
    result = _invoke("check", "--comune", "23096")
    assert result.output.startswith("Usage : zoning check [OPTIONS]\n")
    assert "Essayez « zoning check --help » pour l'aide." in result.output


def test_help_extras_are_french() -> None:
    help_text = _invoke("assign", "--help").output
    assert "[obligatoire]" in help_text and "[par défaut\u00a0: lon]" in help_text
    assert "--store DOSSIER" in help_text and "-o, --output FICHIER" in help_text
    assert "--chunk-size ENTIER" in help_text
    geocode = _invoke("geocode", "--help").output
    assert "[variable d'environnement\u00a0:" in geocode
    assert "--min-score DÉCIMAL" in geocode


@pytest.mark.parametrize(
    "locale",
    [{"LANG": "C"}, {"LANG": "en_US.UTF-8", "LANGUAGE": "en_US:en"}],
    ids=["LANG=C", "LANG=en_US.UTF-8"],
)
def test_installed_command_speaks_french_in_any_locale(locale: dict[str, str]) -> None:
    entry_point = Path(sys.executable).with_name("zoning")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env |= locale
    helped = subprocess.run(
        [str(entry_point), "--help"], capture_output=True, text=True, env=env, check=False
    )
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("Usage : zoning [OPTIONS] COMMANDE [ARGUMENTS]...")
    assert "Options :" in helped.stdout and "-h, --help     Affiche ce message et quitte." in (
        helped.stdout
    )
    assert english_in(helped.stdout) == []
    wrong = subprocess.run(
        [str(entry_point), "check", "--comune", "23096"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert wrong.returncode == 2
    assert "Erreur : Option « --comune » inconnue." in wrong.stderr
    assert "'--commune'" in wrong.stderr and "Vous vouliez dire" in wrong.stderr
    assert "Traceback" not in wrong.stderr and english_in(wrong.stderr) == []
