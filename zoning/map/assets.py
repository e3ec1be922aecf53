"""Self-contained HTML: swap every CDN link of a folium page for the npm file, inlined.

A folium page loads Leaflet and its plugins from public CDNs; on a closed network it
stays blank. The project installs the same libraries from the npm registry
(``package.json`` at the repository root, ``npm ci``; built into the wheel, see
:mod:`zoning.npm`) and this module inlines them, with the images and fonts their CSS
points at as ``data:`` URIs, so that one HTML file opens anywhere with no network at all.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from functools import cache
from pathlib import Path

from zoning.errors import MapAssetsMissingError
from zoning.npm import CSS_URL, find_root, load_assets, root_candidates

__all__ = [
    "ASSETS",
    "external_urls",
    "inline_assets",
    "node_modules",
]

#: CDN URL pattern (regex, matched against the whole URL) -> file under the npm root.
#: Listed in ``zoning/npm_assets.toml``, the one list of npm files the package ships.
ASSETS: dict[str, str] = load_assets().cdn

#: Links folium adds that no npm package ships and that nothing of ours needs: dropped.
DROPPED: tuple[str, ...] = (
    r".*/bootstrap/3\.0\.0/css/bootstrap-glyphicons\.css",
    r".*/leaflet\.awesome\.rotate(\.min)?\.css",
)

_SCRIPT = re.compile(r'<script\s+src="(?P<url>https?://[^"]+)"\s*>\s*</script>')
_LINK = re.compile(r'<link\s+rel="stylesheet"\s+href="(?P<url>https?://[^"]+)"\s*/?>')
# Tags that make the browser fetch something (a plain <a href> link does not).
_ANY_URL = re.compile(
    r'<(?:script|img|iframe|link|source|video|audio)\b[^>]*?\s(?:src|href)="(https?://[^"]+)"'
    r"|url\(['\"]?(https?://[^)'\"]+)"
)


def node_modules() -> Path:
    """Find the folder holding the map assets (a ``node_modules`` or its packaged copy).

    ``ZONING_NODE_MODULES`` wins; then the copy built into the installed package
    (``zoning/_npm``), then the ``node_modules`` of the checkout, then the current
    directory's (see :func:`zoning.npm.root_candidates`).

    Returns
    -------
    Path
        A folder containing ``leaflet/dist/leaflet.js``.

    Raises
    ------
    MapAssetsMissingError
        When no such folder exists.
    """
    root = find_root()
    if root is not None:
        return root
    raise MapAssetsMissingError(
        "les bibliothèques de carte (Leaflet…) ne sont pas installées : lancez `npm ci` à la "
        "racine du projet, ou indiquez leur dossier node_modules dans ZONING_NODE_MODULES "
        f"(cherché : {', '.join(str(c) for c in root_candidates())})"
    )


def _resolve(url: str) -> str | None:
    for pattern, rel in ASSETS.items():
        if re.fullmatch(pattern, url):
            return rel
    return None


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or {
        ".woff2": "font/woff2",
        ".woff": "font/woff",
        ".ttf": "font/ttf",
    }.get(path.suffix, "application/octet-stream")
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


@cache
def _css(path: Path) -> str:
    """A stylesheet with its relative ``url()`` references turned into ``data:`` URIs."""

    def embed(match: re.Match[str]) -> str:
        ref = match.group("ref")
        if ref.startswith(("data:", "#", "http:", "https:")):
            return match.group(0)
        target = (path.parent / ref.split("?")[0].split("#")[0]).resolve()
        if not target.is_file():
            return match.group(0)
        return f'url("{_data_uri(target)}")'

    return CSS_URL.sub(embed, path.read_text(encoding="utf-8"))


@cache
def _js(path: Path) -> str:
    # A literal "</script>" inside inlined code would end the tag early.
    return path.read_text(encoding="utf-8").replace("</script>", "<\\/script>")


def external_urls(html: str) -> list[str]:
    """List the ``http(s)`` URLs a page would fetch (``src``/``href`` of loading tags, CSS).

    Parameters
    ----------
    html : str
        The page.

    Returns
    -------
    list of str
        The URLs, in order of appearance (empty for a self-contained page).
    """
    return [a or b for a, b in _ANY_URL.findall(html)]


def inline_assets(html: str, modules: Path | None = None) -> str:
    """Replace the CDN ``<script>``/``<link>`` tags of a page by the npm files' contents.

    Parameters
    ----------
    html : str
        A page rendered by folium.
    modules : Path, optional
        The ``node_modules`` folder; found by :func:`node_modules` when omitted.

    Returns
    -------
    str
        The same page, loading nothing from the network.

    Raises
    ------
    MapAssetsMissingError
        When an asset is not installed, or the page links a CDN file this module does
        not know (so that a new folium feature cannot silently break offline use).
    """
    root = modules or node_modules()

    def local(url: str) -> Path | None:
        if any(re.fullmatch(p, url) for p in DROPPED):
            return None
        rel = _resolve(url)
        if rel is None:
            raise MapAssetsMissingError(
                f"la carte charge {url}, que zoning.map.assets ne sait pas fournir hors ligne"
            )
        path = root / rel
        if not path.is_file():
            raise MapAssetsMissingError(f"fichier absent : {path} (lancez `npm ci`)")
        return path

    def script(match: re.Match[str]) -> str:
        path = local(match.group("url"))
        return "" if path is None else f"<script>/* {path.name} */\n{_js(path)}\n</script>"

    def link(match: re.Match[str]) -> str:
        path = local(match.group("url"))
        return "" if path is None else f"<style>/* {path.name} */\n{_css(path)}\n</style>"

    out = _LINK.sub(link, _SCRIPT.sub(script, html))
    left = external_urls(out)
    if left:
        raise MapAssetsMissingError(f"la carte charge encore des fichiers en ligne : {left}")
    return out
