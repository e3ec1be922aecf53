"""The files behind the maps' own elements, and the one typed door to branca's elements.

Scripts and styles live in files, not Python strings: ``templates/*.j2`` hold the Jinja
macros (``header``, ``html``, ``script``) of each folium element of ours, the way folium
writes its own; ``static/`` holds the script and style every page carries as is. The
maps are single offline pages: these files are inlined, never linked.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from branca.element import Element, MacroElement
from folium.template import Template

__all__ = ["MapElement", "static_element", "template"]

_HERE = Path(__file__).parent


def template(name: str) -> Template:
    """The Jinja template ``zoning/map/templates/<name>`` (with folium's filters)."""
    loaded: Template = Template((_HERE / "templates" / name).read_text(encoding="utf-8"))
    return loaded


@cache
def _static(name: str) -> str:
    return (_HERE / "static" / name).read_text(encoding="utf-8").rstrip("\n")


def static_element(name: str) -> Element:
    """``zoning/map/static/<name>`` as a page element: a ``<script>`` or ``<style>`` block."""
    tag = "script" if name.endswith(".js") else "style"
    return Element(f"<{tag}>\n{_static(name)}\n</{tag}>")


class MapElement(MacroElement):
    """A folium element drawn by the macros of a template file (set ``_template``)."""

    def __init__(self, name: str) -> None:
        # branca's MacroElement.__init__ carries no annotations.
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = name
