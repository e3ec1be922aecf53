"""Where addresses go: the public BAN service, a local addok, or nowhere (``off``).

The default geocoder is the public API of the Base Adresse Nationale, served since 2025
by the IGN Géoplateforme (``data.geopf.fr``): the addresses
of a file leave the machine. The first time that happens, a notice says so (once per
cache folder); ``ZONING_ADDOK_URL=off`` keeps every address on the machine, and
addresses then fall back on their commune, « à vérifier ».
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from zoning.settings import DEFAULT_ADDOK_URL, GEOCODER_OFF_VALUES

log = logging.getLogger(__name__)

#: Reason given to every address when geocoding is switched off.
OFF_REASON = (
    "géocodage désactivé (ZONING_ADDOK_URL=off) : l'adresse n'a pas quitté la machine, "
    "commune indiquée retenue, à vérifier"
)

PUBLIC_NOTICE = (
    "Les adresses sont envoyées au service public de la Base Adresse Nationale, servi par "
    f"la Géoplateforme de l'IGN ({DEFAULT_ADDOK_URL}), pour être géocodées. Pour "
    "qu'aucune adresse ne quitte cette machine : ZONING_ADDOK_URL=off (repli sur la "
    "commune) ou un géocodeur local (zoning geocoder serve). Ce message ne s'affiche qu'une fois."
)

PUBLIC_HOST = urlsplit(DEFAULT_ADDOK_URL).hostname or ""
_MARKER = "ban-public-notice-shown"


def is_off(base_url: str) -> bool:
    """Whether this geocoder setting means « never send an address anywhere »."""
    return base_url.strip().lower() in GEOCODER_OFF_VALUES


def check_url(base_url: str) -> str:
    """The geocoder's base URL, refused in French unless ``http(s)://host…`` or « off »
    (``file:///…`` or a bare word would end in a library exception on the first row)."""
    from urllib.parse import urlsplit

    from zoning.errors import InvalidInputError

    if is_off(base_url):
        return base_url
    parts = urlsplit(base_url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidInputError(
            f"adresse du géocodeur invalide « {base_url[:100]} » (ZONING_ADDOK_URL ou "
            "--addok-url) : URL http:// ou https:// attendue, ou « off » pour n'envoyer "
            "aucune adresse"
        )
    return base_url


def is_public(base_url: str) -> bool:
    """Whether this is the public BAN service (addresses leave the machine)."""
    host = urlsplit(base_url.strip()).hostname or ""
    return base_url.rstrip("/") == DEFAULT_ADDOK_URL or host.lower() == PUBLIC_HOST


def notice_before_sending(base_url: str, cache: Path | None = None) -> bool:
    """Warn once (remembered in the cache folder) before addresses go to the public BAN.

    Returns
    -------
    bool
        Whether the notice was given now.
    """
    if not is_public(base_url):
        return False
    if cache is None:
        from zoning.settings import get_settings

        cache = get_settings().cache
    marker = Path(cache) / _MARKER
    if marker.exists():
        return False
    log.warning(PUBLIC_NOTICE)
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(PUBLIC_NOTICE + "\n", encoding="utf-8")
    except OSError as exc:  # a read-only cache: the notice is given every time
        log.debug("notice marker not written: %s", exc)
    return True
