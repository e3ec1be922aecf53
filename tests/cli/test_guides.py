"""The guides' command lines stay true as the command line moves.

Every ``zoning …`` line quoted in ``docs/guide-*.md`` (in a code block, or inline) must
name subcommands that exist and options each of them has; the guides' internal links
must name a guide, an image or a page of the application. Running the commands is the
job of the walk through the guides (the report of issue 28); this test keeps them from
rotting when an option is renamed.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import click
import pytest
from markdown_it import MarkdownIt

from zoning.cli import cli
from zoning.reasons import catalogue, is_code
from zoning.web.guides import GUIDES
from zoning.web.templating import MENU

DOCS = Path(__file__).resolve().parents[2] / "docs"


def guide_commands(text: str, inline: bool = True) -> list[str]:
    """The ``zoning`` command lines of a guide: lines of its code blocks (``\\``
    continuations joined), and (``inline``) code in the text that starts with ``zoning ``
    (often a command named in a sentence, with « … » for what it leaves out)."""
    found: list[str] = []
    for token in MarkdownIt("commonmark").parse(text):
        if token.type == "fence":
            joined = token.content.replace("\\\n", " ")
            found += [line.strip() for line in joined.splitlines() if "zoning " in line]
        for child in token.children or ():
            if inline and child.type == "code_inline" and child.content.startswith("zoning "):
                found.append(child.content)
    return found


def unknown_parts(line: str) -> list[str]:
    """What ``line`` names that the real click command lacks: a subcommand, an option."""
    words = shlex.split(line, comments=True)
    while words and "=" in words[0] and not words[0].startswith("-"):
        words.pop(0)  # VARIABLE=value before the command
    assert words[0] == "zoning", line
    command: click.Command = cli
    words = words[1:]
    path = "zoning"
    while isinstance(command, click.Group):
        # group options (-v, -q) come before the subcommand
        while words and words[0].startswith("-"):
            if words.pop(0) not in _options(command):
                return [f"{path}: option inconnue"]
        if not words:
            return []
        sub = command.get_command(click.Context(command), words[0])
        if sub is None:
            return [f"{path} {words[0]}: sous-commande inconnue"]
        command, path = sub, f"{path} {words.pop(0)}"
    options = _options(command)
    return [
        f"{path} {word}: option inconnue"
        for word in words
        if word.startswith("-") and word != "-" and word.split("=")[0] not in options
    ]


def _options(command: click.Command) -> set[str]:
    names = {"--help", "-h"}
    for param in command.params:
        if isinstance(param, click.Option):
            names.update(param.opts, param.secondary_opts)
    return names


@pytest.mark.parametrize("name", sorted(GUIDES))
def test_every_command_of_the_guide_parses(name: str) -> None:
    lines = guide_commands((DOCS / f"{name}.md").read_text(encoding="utf-8"))
    assert len(lines) >= 8  # the guide shows the commands it explains
    problems = [f"{line!r}: {p}" for line in lines for p in unknown_parts(line)]
    assert problems == []


def test_a_wrong_option_is_caught() -> None:
    assert unknown_parts("zoning check --commune 23096 --date 2023-11-01") == []
    assert unknown_parts("zoning -v data import-decree a.pdf --region 75 --apercu") == []
    assert unknown_parts("zoning check --comune 23096") == [
        "zoning check --comune: option inconnue"
    ]
    assert unknown_parts("zoning data import --x") == ["zoning data import: sous-commande inconnue"]


@pytest.mark.parametrize("name", sorted(GUIDES))
def test_internal_links_name_what_exists(name: str) -> None:
    """Links to the other guide, to images, to pages of the menu (their anchors are
    checked in Chromium, on the pages themselves)."""
    pages = {href for href, _title in MENU}
    tokens = MarkdownIt("commonmark").parse((DOCS / f"{name}.md").read_text(encoding="utf-8"))
    targets = [
        str(child.attrs.get("href") or child.attrs.get("src"))
        for token in tokens
        for child in token.children or ()
        if child.type in ("link_open", "image")
    ]
    assert targets
    for target in targets:
        path = target.split("#")[0]
        if path.startswith("img/"):
            assert (DOCS / path).is_file(), target
        elif path.endswith(".md"):
            assert path[:-3] in GUIDES, target
        elif path:
            assert path in pages, target


def linked_codes(text: str) -> set[str]:
    """The reason codes a guide links to (``/aide#<CODE>``)."""
    return {
        str(child.attrs["href"]).split("#", 1)[1]
        for token in MarkdownIt("commonmark").parse(text)
        for child in token.children or ()
        if child.type == "link_open"
        and str(child.attrs.get("href", "")).startswith("/aide#")
        and is_code(str(child.attrs["href"]).split("#", 1)[1])
    }


@pytest.mark.parametrize("name", sorted(GUIDES))
def test_codes_linked_by_the_guide_are_in_the_catalogue(name: str) -> None:
    """The guides send the reader to the « Aide » entry of a reason rather than repeat it."""
    codes = linked_codes((DOCS / f"{name}.md").read_text(encoding="utf-8"))
    assert codes
    assert codes - set(catalogue()) == set()
