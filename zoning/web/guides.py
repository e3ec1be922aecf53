"""The users' guides (``docs/guide-*.md``, in French) rendered to DSFR-styled HTML.

The Markdown files are the one copy: read in place from the checkout's ``docs/``, and
shipped in the wheel as ``zoning/_docs`` (``hatch_build.py``, with the images they use).
Links written for readers of the repository are made to work in the application: a link
to the other guide (``guide-planificateur.md``) goes to its page, an image ``img/x.png``
to ``/aide/img/x.png``. Raw HTML in the Markdown is escaped, never passed through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from zoning.errors import NotFoundError
from zoning.io.text import fold

__all__ = ["GUIDES", "IMAGE_NAME", "Guide", "docs_folder", "guide", "image"]

#: The guides: page name (``/aide/<name>``, file ``docs/<name>.md``) -> title.
GUIDES: dict[str, str] = {
    "guide-instructeur": "Guide de l'instructeur",
    "guide-planificateur": "Guide du planificateur",
}

#: An image the guides may show: a plain file name in ``docs/img`` (no path, no dot-dot).
IMAGE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\.png")

_REPO_DOCS = Path(__file__).resolve().parents[2] / "docs"
_PACKAGED_DOCS = Path(__file__).resolve().parents[1] / "_docs"
_GUIDE_LINK = re.compile(r"^(?:\./)?(guide-[a-z-]+)\.md(#.*)?$")
_IMAGE_LINK = re.compile(r"^(?:\./)?img/([^/]+)$")


@dataclass(frozen=True)
class Guide:
    """A guide rendered: its page name, title, HTML body and table of contents."""

    name: str
    title: str
    html: str
    sections: tuple[tuple[str, str], ...]  # (anchor, heading) of each second-level heading


def docs_folder() -> Path:
    """``zoning/_docs`` of an installed wheel, else the checkout's ``docs/``."""
    if (_PACKAGED_DOCS / f"{next(iter(GUIDES))}.md").is_file():
        return _PACKAGED_DOCS
    return _REPO_DOCS


def image(name: str) -> Path:
    """The file of a guide's image ``name`` (NotFoundError when it is no such image)."""
    path = docs_folder() / "img" / name
    if IMAGE_NAME.fullmatch(name) is None or not path.is_file():
        raise NotFoundError(f"image inconnue : « {name} »")
    return path


def guide(name: str) -> Guide:
    """The guide ``name`` rendered (NotFoundError for a name that is no guide)."""
    if name not in GUIDES:
        raise NotFoundError(f"guide inconnu : « {name} » (guides : {', '.join(GUIDES)})")
    return _render(name, (docs_folder() / f"{name}.md").read_text(encoding="utf-8"))


def slug(text: str) -> str:
    """An anchor from a heading: « Lire les résultats » -> ``lire-les-resultats``."""
    return fold(text).replace(" ", "-") or "section"


@cache
def _render(name: str, source: str) -> Guide:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    tokens = md.parse(source)
    title = GUIDES[name]
    sections: list[tuple[str, str]] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            text = tokens[index + 1].content
            if token.tag == "h1":
                title = text
            token.attrSet("id", slug(text))
            if token.tag == "h2":
                sections.append((slug(text), text))
        elif token.type == "table_open":
            token.attrSet("class", "zoning-guide-table")
        elif token.children:
            for child in token.children:
                _adapt(child)
    html = md.renderer.render(tokens, md.options, {})
    # The DSFR draws a table inside its wrapper only; the renderer knows no wrapper.
    html = html.replace(
        '<table class="zoning-guide-table">',
        '<div class="fr-table"><div class="fr-table__wrapper">'
        '<div class="fr-table__container" tabindex="0"><div class="fr-table__content"><table>',
    ).replace("</table>", "</table></div></div></div></div>")
    # A long command scrolls sideways: keyboard users must reach it too. (Text from the
    # Markdown is escaped, so these tags are the renderer's own.)
    html = html.replace("<pre>", '<pre tabindex="0">')
    return Guide(name, title, html, tuple(sections))


def _adapt(token: Token) -> None:
    """Links and images of the repository's Markdown, made to work under ``/aide``."""
    attrs: dict[str, Any] = token.attrs
    if token.type == "link_open":
        href = str(attrs.get("href", ""))
        if (found := _GUIDE_LINK.match(href)) is not None:
            token.attrSet("href", f"/aide/{found.group(1)}{found.group(2) or ''}")
    elif token.type == "image":
        src = str(attrs.get("src", ""))
        if (found := _IMAGE_LINK.match(src)) is not None:
            token.attrSet("src", f"/aide/img/{found.group(1)}")
        token.attrSet("class", "zoning-guide-img")
