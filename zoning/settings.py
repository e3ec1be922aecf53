"""Every setting of the tool, in one place.

Settings come from environment variables so that the command line, the library and
the tests all see the same values; :func:`get_settings` reads them at call time (a
test can ``monkeypatch.setenv``). Nothing here touches the network.

==================  ==========================================================
variable            meaning (default)
==================  ==========================================================
ZONING_STORE        folder of the built zoning store (``<cache>/store``)
ZONING_SOURCES      folder of source files, offline copy or download target
                    (``<cache>/sources``)
ZONING_CACHE        cache folder: geocoder answers, downloads
                    (platformdirs user cache dir)
ZONING_REGION       default region code (``75``, Nouvelle-Aquitaine)
ZONING_ADDOK_URL    base URL of the addok/BAN geocoder
                    (``https://api-adresse.data.gouv.fr``, the public BAN
                    service: addresses leave the machine); ``off``: no
                    address is ever sent, addresses fall back on the commune
ZONING_OSRM_URL     base URL of an OSRM routing service (unset: no routing)
ZONING_DATA         folder of the manifest, decrees and programme rules
                    (the project's ``data/``)
==================  ==========================================================
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_REGION = "75"
DEFAULT_ADDOK_URL = "https://api-adresse.data.gouv.fr"
#: ``ZONING_ADDOK_URL`` values that switch geocoding off (no address leaves the machine).
GEOCODER_OFF_VALUES = frozenset({"off", "none", "non", "0", "false"})
PROJECT_DATA = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build one with :func:`get_settings`."""

    store: Path
    sources: Path
    cache: Path
    region: str
    addok_url: str
    osrm_url: str | None
    data: Path

    @property
    def manifest(self) -> Path:
        """The sources manifest (official URLs, file names, field mappings)."""
        return self.data / "sources.toml"

    @property
    def decrees(self) -> Path:
        """Folder of decree descriptions, one TOML file per decree."""
        return self.data / "decrees"

    @property
    def programmes(self) -> Path:
        """Folder of programme rules, one TOML file per programme and campaign."""
        return self.data / "programmes"


def _cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(os.environ.get("ZONING_CACHE") or user_cache_dir("zoning", appauthor=False))


def get_settings() -> Settings:
    """Read the settings from the environment, with their defaults."""
    cache = _cache_dir()
    env = os.environ.get
    return Settings(
        store=Path(env("ZONING_STORE") or cache / "store"),
        sources=Path(env("ZONING_SOURCES") or cache / "sources"),
        cache=cache,
        region=env("ZONING_REGION") or DEFAULT_REGION,
        addok_url=(env("ZONING_ADDOK_URL") or DEFAULT_ADDOK_URL).rstrip("/"),
        osrm_url=(env("ZONING_OSRM_URL") or "").rstrip("/") or None,
        data=Path(env("ZONING_DATA") or PROJECT_DATA),
    )
