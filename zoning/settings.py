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
                    (``https://data.geopf.fr/geocodage``, the public BAN
                    service of the IGN Géoplateforme: addresses leave the
                    machine); ``off``: no address is ever sent, addresses
                    fall back on the commune
ZONING_HTTP_TIMEOUT seconds allowed for one request to a web service (60)
ZONING_HTTP_RETRIES extra attempts on timeouts, HTTP 429 and 5xx (4)
ZONING_OSRM_URL     base URL of an OSRM routing service (unset: no routing)
ZONING_RULES        user folder whose ``programmes/*.toml`` and
                    ``decrees/*.toml`` add to or override the shipped ones
                    (platformdirs user config dir, e.g. ``~/.config/zoning``)
ZONING_WEB_HEAVY    heavy requests (lists, uploads, maps) each web worker
                    runs at once; more are answered 429 (``2``)
ZONING_DATA         replaces the shipped rules data as a whole: manifest,
                    decrees, programmes (the package's ``_data``; in a
                    checkout, the repository's ``data/``)
ZONING_MAX_EXPANDED_MB
                    largest expanded size of a workbook (xlsx/ods zip
                    parts together) read, MB (``500``)
ZONING_MAX_ZIP_RATIO
                    largest expanded/compressed ratio of a workbook part
                    over 10 MB (``100``): beyond, a decompression bomb
==================  ==========================================================

The rules data (``sources.toml``, ``decrees/``, ``programmes/``) is edited in the
repository's ``data/`` and shipped in the wheel as ``zoning/_data`` (``hatch_build.py``);
it is found beside the installed module. An editable install has no ``_data`` and
reads the repository's ``data/`` live.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

DEFAULT_REGION = "75"
#: The public BAN geocoder since 2025: the IGN Géoplateforme (``/search``, ``/reverse``,
#: ``/search/csv``; 50 requests/s per IP, HTTP 429 with ``Retry-After`` beyond).
DEFAULT_ADDOK_URL = "https://data.geopf.fr/geocodage"
#: Hosts of the former BAN API, shut at the end of January 2026 (moved to DEFAULT_ADDOK_URL).
RETIRED_GEOCODER_HOSTS = frozenset({"api-adresse.data.gouv.fr"})
DEFAULT_HTTP_TIMEOUT = 60.0
DEFAULT_HTTP_RETRIES = 4
#: ``ZONING_ADDOK_URL`` values that switch geocoding off (no address leaves the machine).
GEOCODER_OFF_VALUES = frozenset({"off", "none", "non", "0", "false"})
#: The repository's ``data/`` (a checkout or an editable install).
PROJECT_DATA = Path(__file__).resolve().parent.parent / "data"

RuleKind = Literal["programmes", "decrees"]


@dataclass(frozen=True)
class RuleFile:
    """One rules file in use: its id (file stem), path and where it comes from."""

    id: str
    path: Path
    origin: str


def package_data() -> tuple[Path, str]:
    """The shipped rules data and its origin.

    Returns
    -------
    (Path, str)
        ``zoning/_data`` of an installed wheel (origin ``paquet``), else the checkout's
        ``data/`` (origin ``dépôt``).
    """
    # A wheel installed by pip or pipx is unpacked: its resources are plain files beside
    # this module (importlib.resources would cost the cold ``zoning check`` 7 ms).
    packaged = Path(__file__).resolve().parent / "_data"
    if (packaged / "sources.toml").is_file():
        return packaged, "paquet"
    return PROJECT_DATA, "dépôt"


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
    rules: Path
    data_origin: str = "paquet"
    http_timeout: float = DEFAULT_HTTP_TIMEOUT
    http_retries: int = DEFAULT_HTTP_RETRIES
    web_heavy: int = 2

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

    def rule_files(self, kind: RuleKind) -> dict[str, RuleFile]:
        """The programme or decree files in use, by id.

        The shipped files (:attr:`data`), then the user folder's (:attr:`rules`), which
        add new ids or override shipped ones of the same file name.

        Parameters
        ----------
        kind : {"programmes", "decrees"}
            Which rules.

        Returns
        -------
        dict of str to RuleFile
            Sorted by id.
        """
        found: dict[str, RuleFile] = {}
        for folder, origin in (
            (self.data / kind, self.data_origin),
            (self.rules / kind, "dossier utilisateur"),
        ):
            for path in sorted(folder.glob("*.toml")):
                found[path.stem] = RuleFile(path.stem, path, origin)
        return dict(sorted(found.items()))


def _cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(os.environ.get("ZONING_CACHE") or user_cache_dir("zoning", appauthor=False))


def _rules_dir() -> Path:
    from platformdirs import user_config_dir

    return Path(os.environ.get("ZONING_RULES") or user_config_dir("zoning", appauthor=False))


def _number(
    name: str,
    default: float,
    kind: type[float] | type[int],
    minimum: float = 0,
    *,
    above: bool = False,
) -> float:
    """A finite number ≥ ``minimum`` (> with ``above``) from the environment; a value that
    is not one is named, in French."""
    import math

    from zoning.errors import InvalidInputError

    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text.replace(",", "."))
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and (value > minimum if above else value >= minimum)):
        bound = f"> {minimum:g}" if above else f"≥ {minimum:g}"
        raise InvalidInputError(f"{name}={text!r} : un nombre {bound} est attendu")
    return value


def get_settings() -> Settings:
    """Read the settings from the environment, with their defaults."""
    cache = _cache_dir()
    env = os.environ.get
    data, data_origin = (Path(env("ZONING_DATA") or ""), "ZONING_DATA")
    if not env("ZONING_DATA"):
        data, data_origin = package_data()
    return Settings(
        store=Path(env("ZONING_STORE") or cache / "store"),
        sources=Path(env("ZONING_SOURCES") or cache / "sources"),
        cache=cache,
        region=env("ZONING_REGION") or DEFAULT_REGION,
        addok_url=(env("ZONING_ADDOK_URL") or DEFAULT_ADDOK_URL).rstrip("/"),
        osrm_url=(env("ZONING_OSRM_URL") or "").rstrip("/") or None,
        data=data,
        rules=_rules_dir(),
        data_origin=data_origin,
        http_timeout=float(_number("ZONING_HTTP_TIMEOUT", DEFAULT_HTTP_TIMEOUT, float)),
        http_retries=int(_number("ZONING_HTTP_RETRIES", DEFAULT_HTTP_RETRIES, int)),
        web_heavy=int(_number("ZONING_WEB_HEAVY", 2, int, minimum=1)),
    )


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (``localhost``, 127.0.0.0/8, ::1).

    Servers bind loopback by default; the web app also uses it to keep adopting a decree
    to requests from the machine itself.
    """
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ExpansionLimits:
    """Bounds on what a workbook (a zip) may expand to before it is read."""

    max_bytes: int
    max_ratio: float
    #: Parts smaller than this are not held to the ratio (a small part is harmless).
    ratio_from_bytes: int = 10 << 20


def expansion_limits() -> ExpansionLimits:
    """``ZONING_MAX_EXPANDED_MB`` and ``ZONING_MAX_ZIP_RATIO``, with their defaults.

    Raises
    ------
    InvalidInputError
        A value that is not a number above its bound (0 MB, a ratio of 1).
    """
    megabytes = _number("ZONING_MAX_EXPANDED_MB", 500, float, 0, above=True)
    ratio = _number("ZONING_MAX_ZIP_RATIO", 100, float, 1, above=True)
    return ExpansionLimits(int(megabytes * (1 << 20)), ratio)
