"""Options shared by several subcommands, defined once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from zoning.io.french import read_date

F = TypeVar("F", bound=Callable[..., Any])


class DateParam(click.ParamType):  # type: ignore[type-arg]  # generic only in recent click; 8.1 is allowed
    """A date as ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (the French way)."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        day = read_date(str(value))
        if day is None:
            self.fail(f"date illisible « {value} » (AAAA-MM-JJ ou JJ/MM/AAAA)", param, ctx)
        return day


def store_option(func: F) -> F:
    """``--store DIR``: which zoning store to read (default: ZONING_STORE)."""
    return click.option(
        "--store",
        "store_path",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="ZONING_STORE",
        help="Dossier du magasin de zonage (variable ZONING_STORE ; par défaut : le cache de "
        "l'utilisateur).",
    )(func)


def sources_option(func: F) -> F:
    """``--sources DIR``: folder of source files (default: ZONING_SOURCES)."""
    return click.option(
        "--sources",
        "sources_dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="ZONING_SOURCES",
        help="Dossier des fichiers sources (variable ZONING_SOURCES ; par défaut : le cache de "
        "l'utilisateur).",
    )(func)


def output_option(default: Path | None = None, help: str = "Fichier à écrire.") -> Callable[[F], F]:
    """``-o/--output FILE``, required when there is no default."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        default=default,
        required=default is None,
        show_default=default is not None,
        help=help,
    )


def date_option(func: F) -> F:
    """``--date``: judge against the decree in force that day."""
    return click.option(
        "--date",
        "on",
        type=DateParam(),
        default=None,
        help="Juger selon l'arrêté en vigueur ce jour-là (par défaut : le dernier arrêté).",
    )(func)


def json_option(func: F) -> F:
    """``--json``: machine-readable output."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Sortie en JSON au lieu du texte en français."
    )(func)
