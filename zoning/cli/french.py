"""click in French, whatever the locale: its own words, its headings, its metavars.

click marks what it says (« Usage: », « Show this message and exit. », its errors) with
the standard library's module-level ``gettext``/``ngettext``, which pick a language from
LANGUAGE/LC_*/LANG (LANG=C on CI and on many ARS machines: English) and a text domain
global to the process. The tool speaks French to everyone, so :func:`install` binds the
``_`` and ``ngettext`` of click's modules to one catalogue instead: ``click.fr.po``
beside this file, the text a translator edits, read with polib at start-up (2 ms; no
compiled ``.mo`` in the repository, none to build). The rest goes through click's own
extension points: a :class:`click.Context` whose help formatter writes French headings
(« Options : »), and commands whose options show French metavars.
"""

from __future__ import annotations

import functools
import gettext
import importlib
import io
import sys
from pathlib import Path
from typing import Any

import click

CATALOGUE = Path(__file__).with_name("click.fr.po")

#: click's modules that ``import`` gettext's functions, beyond those ``import click``
#: loads. ``click._termui_impl`` (progress bar, editor, getchar) is left out: the tool
#: uses none of them (its progress bars are tqdm's), and it would cost 8 ms a start.
LAZY_MODULES = ("click.shell_completion",)

#: Metavars for click's types, by the type's name (click shows ``name.upper()``).
METAVARS = {
    "text": "TEXTE",
    "integer": "ENTIER",
    "integer range": "ENTIER",
    "float": "DÉCIMAL",
    "float range": "DÉCIMAL",
    "boolean": "BOOLÉEN",
    "filename": "FICHIER",
}


@functools.cache
def translations() -> gettext.GNUTranslations:
    """click's strings in French, from ``click.fr.po``."""
    import polib

    compiled = polib.pofile(str(CATALOGUE), encoding="utf-8").to_binary()
    return gettext.GNUTranslations(io.BytesIO(compiled))


def install() -> None:
    """Make every click module speak French (idempotent; before any ``click.Path`` is
    made: a path's name, shown as its metavar, is translated when the type is built)."""
    french = translations()
    for name in LAZY_MODULES:
        importlib.import_module(name)
    rebind = {
        "_": (gettext.gettext, french.gettext),
        "ngettext": (gettext.ngettext, french.ngettext),
    }
    for name, module in list(sys.modules.items()):
        if name != "click" and not name.startswith("click."):
            continue
        for attribute, (english, ours) in rebind.items():
            if getattr(module, attribute, None) in (english, ours):
                setattr(module, attribute, ours)


class FrenchHelpFormatter(click.HelpFormatter):
    """Headings the French way, a space before the colon: « Options : »."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading} :\n")


class FrenchContext(click.Context):
    """A context whose help is written by :class:`FrenchHelpFormatter`."""

    formatter_class = FrenchHelpFormatter


def _french_metavars(params: list[click.Parameter]) -> None:
    for param in params:
        # A set metavar is shown as is: click adds "..." to its own only.
        if isinstance(param, click.Option) and param.metavar is None and param.nargs == 1:
            param.metavar = METAVARS.get(param.type.name)


class FrenchCommand(click.Command):
    """A command whose help and errors are French (``cls=`` of every ``zoning`` command)."""

    context_class = FrenchContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _french_metavars(self.params)


class FrenchGroup(click.Group):
    """A group like :class:`FrenchCommand`, whose subcommands and subgroups are too."""

    context_class = FrenchContext
    command_class = FrenchCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "COMMANDE [ARGUMENTS]...")
        super().__init__(*args, **kwargs)
        _french_metavars(self.params)


# Set here, not as ``type`` (click's "same class as the parent"): LazyGroup's subgroups
# must not be lazy groups.
FrenchGroup.group_class = FrenchGroup
