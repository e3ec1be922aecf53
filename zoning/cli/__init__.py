"""The ``zoning`` command line: one click group, subcommands loaded on demand.

Each subcommand lives in its own module of this package and is imported only when it
runs, so ``zoning check`` does not pay for folium or geopandas.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import sys
from typing import Any

import click

from zoning import __version__
from zoning.cli.french import FrenchGroup, install
from zoning.errors import ZoningError

# Before any subcommand module is imported: their click.Path types are named on creation.
install()

# name -> (module, attribute, one-line help shown by ``zoning --help``)
SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "assign": ("zoning.cli.assign", "assign", "Zone de millions de points (CSV/Parquet)."),
    "check": (
        "zoning.cli.check",
        "check",
        "Zone d'un lieu : commune, code postal, point, adresse.",
    ),
    "compare": (
        "zoning.cli.compare",
        "compare",
        "Compare deux arrêtés : communes qui changent de classe, populations.",
    ),
    "data": ("zoning.cli.data", "data", "Télécharge les sources, construit le magasin."),
    "draft": (
        "zoning.cli.draft",
        "draft",
        "Projet de zonage : classes changées, parts de population contre les plafonds.",
    ),
    "export": (
        "zoning.cli.export",
        "export",
        "Couches SIG pour QGIS (GeoPackage, FlatGeobuf, Shapefile), avec styles.",
    ),
    "geocode": (
        "zoning.cli.geocode",
        "geocode",
        "Géocode un fichier CSV/Excel (BAN, FINESS...).",
    ),
    "geocoder": ("zoning.cli.geocoder", "geocoder", "Géocodeur BAN local, hors ligne (addok)."),
    "batch": ("zoning.cli.batch", "batch", "Vérifie une liste de postes candidats."),
    "map": ("zoning.cli.map", "map_group", "Cartes interactives (couverture, postes)."),
    "serve": ("zoning.cli.serve", "serve", "Application web (lieu, liste, couverture, API)."),
}


class LazyGroup(FrenchGroup):
    """A click group whose subcommands are imported the first time they are used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in SUBCOMMANDS:
            return None
        module_name, attribute, _ = SUBCOMMANDS[cmd_name]
        from zoning._gc import paused_gc

        try:
            # Importing creates a great many long-lived objects: the collector would
            # scan them over and over (tens of ms), then on every collection after.
            with paused_gc():
                module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            return None
        gc.freeze()
        command: click.Command = getattr(module, attribute)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        # click (8.4 and later) suggests close names from ``self.commands``, empty here;
        # older clicks suggest none, and have no NoSuchCommand to catch.
        except getattr(click.exceptions, "NoSuchCommand", ()) as exc:
            raise type(exc)(exc.command_name, possibilities=SUBCOMMANDS, ctx=ctx) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Use the static help strings so that ``--help`` imports nothing heavy.
        rows = [(name, SUBCOMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commandes"):
            formatter.write_dl(rows)


def configure_logging(verbose: int, quiet: int) -> None:
    """Map ``-v``/``-q`` counts to a logging level (default WARNING, like rio)."""
    level = max(logging.DEBUG, min(logging.CRITICAL, logging.WARNING - 10 * (verbose - quiet)))
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="Journal plus détaillé (-v info, -vv débogage).")
@click.option("-q", "--quiet", count=True, help="Journal moins détaillé.")
@click.version_option(__version__, prog_name="zoning", help="Affiche la version et quitte.")
def cli(verbose: int, quiet: int) -> None:
    """Zones sous-denses (ZIP, ZAC, QPV) pour les postes partagés ville-hôpital.

    \b
    Premier lancement (hors ligne, depuis un dossier de fichiers sources) :
      zoning data build --sources ../shared/data
    Ensuite :
      zoning check --commune 23096          # Guéret -> ZIP
      zoning check --postcode 33000 --name Bordeaux
      zoning check --lon 1.8712 --lat 46.1650
      zoning batch candidats.csv --programme na-mg-2023 -o resultats.xlsx
      zoning map coverage -o maps/couverture.html
      zoning export couches.gpkg --region 75     # pour QGIS
      zoning assign points.parquet -o points-zones.parquet

    Réglages par variables d'environnement (ZONING_STORE, ZONING_SOURCES,
    ZONING_ADDOK_URL, ZONING_OSRM_URL...) : voir ``zoning data info``.
    """
    configure_logging(verbose, quiet)


def main(argv: list[str] | None = None) -> Any:
    """Entry point: run the group, turning :class:`ZoningError` into a clean exit.

    Run as the program (``argv`` None), the process ends right after the command and its
    exit handlers (:func:`_end`): the interpreter's own teardown (freeing a map's
    millions of objects) runs with Ctrl+C back to its default, and a Ctrl+C then killed
    the process by the signal (exit -2) with no word.
    """
    if argv is not None:
        return _main(argv)
    import signal

    try:
        code = _code_of(_main(None))
    except SystemExit as exc:
        code = _code_of(exc.code)
    finally:
        signal.signal(signal.SIGINT, _interrupted_late)
    _end(code)


def _code_of(value: Any) -> int:
    """The exit status for a command's return value or a ``SystemExit`` code."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    click.echo(str(value), err=True)  # what sys.exit does with a message
    return 1


def _end(code: int) -> None:
    """End the process now: threads joined, exit handlers run (logging, temporary
    folders), streams flushed, then ``os._exit``, with no interpreter teardown."""
    import atexit
    import threading

    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    _flush()
    os._exit(code)


def _flush() -> None:
    import contextlib

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # closed, or the reader went away
            stream.flush()


def _interrupted_late(signum: int, frame: Any) -> None:
    """Ctrl+C after the command's end: said, exit 130, nothing left to clean (outputs are
    renamed into place whole or not at all)."""
    _flush()
    os.write(2, b"Interrompu.\n")
    os._exit(130)


def _main(argv: list[str] | None) -> Any:
    # No command does linear algebra; OpenBLAS would otherwise start a thread per core
    # at numpy's import, spinning for work that never comes (0.1 s of CPU on 2 cores).
    # Set before numpy is imported; a value the user set is kept.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from zoning.io.atomic import record_interrupts, was_interrupted

    record_interrupts()
    try:
        return cli.main(args=argv, prog_name="zoning", standalone_mode=False)
    except ZoningError as exc:
        click.echo(f"Erreur : {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Interrompu.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except ModuleNotFoundError as exc:
        # An optional extra (web, geocoder, dask) that is not installed: say which.
        from zoning._compat import missing_extra_error

        error = missing_extra_error(exc.name or "")
        if error is None:
            raise
        click.echo(f"Erreur : {error}", err=True)
        sys.exit(error.exit_code)
    except Exception:
        if not was_interrupted():
            raise
        # Ctrl+C that extension code turned into another error (see record_interrupts).
        click.echo("Interrompu.", err=True)
        sys.exit(130)
