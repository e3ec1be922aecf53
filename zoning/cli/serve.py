"""``zoning serve``: the web application for instructors and planners."""

from __future__ import annotations

import click

from zoning.cli.french import FrenchCommand
from zoning.cli.options import store_option
from zoning.settings import is_loopback


@click.command(cls=FrenchCommand)
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse d'écoute.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port HTTP."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Processus (défaut : un par cœur, au plus 4 ; environ 120 Mo chacun).",
)
@store_option
def serve(host: str, port: int, workers: int | None, store_path: object) -> None:
    """Lance l'application web : vérifier un lieu, une liste, carte de couverture, API.

    \b
    Écoute sur la boucle locale par défaut :
      zoning serve                      # http://127.0.0.1:8000/
      zoning serve --port 8080 --workers 2
    Le service n'a pas d'authentification : sur un serveur, placez-le derrière le
    mandataire (reverse proxy) de l'intranet.
    """
    import os
    import shutil

    from zoning._compat import import_optional

    for needed in ("fastapi", "jinja2", "python_multipart"):
        import_optional(needed)  # before anything starts: a missing extra is named, exit 2
    uvicorn = import_optional("uvicorn")

    from zoning.web.uploads import SHARED_ROOT, make_root

    if not is_loopback(host):
        click.echo(
            f"Attention : écoute sur {host} — le service n'a pas d'authentification ; "
            "placez-le derrière le mandataire (reverse proxy) de l'intranet.",
            err=True,
        )
    if store_path is not None:
        os.environ["ZONING_STORE"] = str(store_path)  # read again by each worker process
    if workers is None:
        workers = max(1, min(os.cpu_count() or 1, 4))
    click.echo(f"zoning : http://{'[' + host + ']' if ':' in host else host}:{port}/", err=True)
    # One private uploads folder for every worker process: a list sent to one is seen by all.
    made = None
    if not os.environ.get(SHARED_ROOT):
        made = make_root()
        os.environ[SHARED_ROOT] = str(made)
    try:
        uvicorn.run(
            "zoning.web.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,
            log_level="warning",
        )
    finally:
        if made is not None:  # the folder and the variable naming it go together
            os.environ.pop(SHARED_ROOT, None)
            shutil.rmtree(made, ignore_errors=True)
