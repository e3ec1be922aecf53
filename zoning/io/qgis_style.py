"""Layer styles for QGIS: a QML document (QGIS's own format) and an SLD one.

A style here is one symbol per category of a field (QGIS's « catégorisé » renderer), or
one symbol for all features: fill and outline for polygons, stroke for lines, a circle
for points. The colours are given by the caller (the maps' palette,
:mod:`zoning.map.style`); this module only writes them the way QGIS reads them. QML
symbol layers carry their properties twice, as ``<Option>`` (QGIS 3.16 and later) and as
``<prop>`` (older 3.x), which every QGIS 3 reads.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace

__all__ = ["Category", "LayerStyle", "qml", "sld"]

POLYGON, LINE, POINT = "polygon", "line", "point"
_SYMBOL_TYPE = {POLYGON: "fill", LINE: "line", POINT: "marker"}
_GEOMETRY_CODE = {POINT: "0", LINE: "1", POLYGON: "2"}
QGIS_VERSION = "3.22.0-Białowieża"


@dataclass(frozen=True)
class Category:
    """One value of the styled field, its legend label and colour (``#rrggbb``)."""

    value: str
    label: str
    color: str


@dataclass(frozen=True)
class LayerStyle:
    """How a layer is drawn.

    Attributes
    ----------
    name : str
        Style name (QGIS's ``styleName``).
    geometry : str
        ``polygon``, ``line`` or ``point``.
    field : str or None
        Field whose value picks the category; None: one symbol (``color``) for all.
    categories : tuple of Category
        The values drawn, in legend order.
    color : str
        Colour of the single symbol, and of values no category names.
    outline : str
        Outline colour of polygons and points (``""``: the fill colour, darker lines off).
    fill : bool
        Polygons are filled (False: outlines only, in the category's colour).
    width : float
        Outline / line width in millimetres.
    size : float
        Point diameter in millimetres.
    opacity : float
        Opacity of the fill (0 to 1).
    """

    name: str
    geometry: str
    field: str | None = None
    categories: tuple[Category, ...] = ()
    color: str = "#777777"
    outline: str = "#555555"
    fill: bool = True
    width: float = 0.26
    size: float = 2.6
    opacity: float = 1.0

    def on_field(self, field: str) -> LayerStyle:
        """The same style on a renamed field (a Shapefile's 10-character names)."""
        return replace(self, field=field)


def _rgba(color: str, alpha: float = 1.0) -> str:
    """``#rrggbb`` -> QGIS's ``r,g,b,a``."""
    text = color.lstrip("#")
    r, g, b = (int(text[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(255 * alpha)}"


def _props(style: LayerStyle, color: str) -> tuple[str, dict[str, str]]:
    """Symbol layer class and properties for one colour."""
    width = f"{style.width:g}"
    if style.geometry == POLYGON:
        return "SimpleFill", {
            "color": _rgba(color, style.opacity if style.fill else 0.0),
            "style": "solid" if style.fill else "no",
            "outline_color": _rgba(style.outline if style.fill and style.outline else color),
            "outline_style": "solid",
            "outline_width": width,
            "outline_width_unit": "MM",
            "joinstyle": "bevel",
        }
    if style.geometry == LINE:
        return "SimpleLine", {
            "line_color": _rgba(color),
            "line_style": "solid",
            "line_width": width,
            "line_width_unit": "MM",
            "capstyle": "round",
            "joinstyle": "round",
        }
    return "SimpleMarker", {
        "name": "circle",
        "color": _rgba(color, style.opacity),
        "outline_color": _rgba(style.outline or color),
        "outline_style": "solid",
        "outline_width": width,
        "outline_width_unit": "MM",
        "size": f"{style.size:g}",
        "size_unit": "MM",
        "scale_method": "diameter",
    }


def _symbol(parent: ET.Element, style: LayerStyle, name: str, color: str) -> None:
    symbol = ET.SubElement(
        parent,
        "symbol",
        type=_SYMBOL_TYPE[style.geometry],
        name=name,
        alpha="1",
        clip_to_extent="1",
        force_rhr="0",
    )
    kind, props = _props(style, color)
    layer = ET.SubElement(
        symbol, "layer", {"class": kind, "enabled": "1", "locked": "0", "pass": "0"}
    )
    options = ET.SubElement(layer, "Option", type="Map")
    for key, value in props.items():
        ET.SubElement(options, "Option", name=key, type="QString", value=value)
    for key, value in props.items():
        ET.SubElement(layer, "prop", k=key, v=value)


def qml(style: LayerStyle) -> str:
    """The style as a QGIS QML document (symbology)."""
    root = ET.Element("qgis", version=QGIS_VERSION, styleCategories="Symbology")
    renderer = ET.SubElement(
        root,
        "renderer-v2",
        type="categorizedSymbol" if style.field else "singleSymbol",
        forceraster="0",
        symbollevels="0",
        enableorderby="0",
        referencescale="-1",
    )
    symbols: ET.Element
    if style.field:
        renderer.set("attr", style.field)
        categories = ET.SubElement(renderer, "categories")
        for i, category in enumerate(style.categories):
            ET.SubElement(
                categories,
                "category",
                render="true",
                symbol=str(i),
                value=category.value,
                label=category.label,
            )
        symbols = ET.SubElement(renderer, "symbols")
        for i, category in enumerate(style.categories):
            _symbol(symbols, style, str(i), category.color)
        _symbol(ET.SubElement(renderer, "source-symbol"), style, "0", style.color)
    else:
        symbols = ET.SubElement(renderer, "symbols")
        _symbol(symbols, style, "0", style.color)
    ET.SubElement(root, "layerOpacity").text = "1"
    ET.SubElement(root, "layerGeometryType").text = _GEOMETRY_CODE[style.geometry]
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n{body}\n"


_SLD = "http://www.opengis.net/sld"
_SE = "http://www.opengis.net/se"
_OGC = "http://www.opengis.net/ogc"


def _se(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{_SE}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _param(parent: ET.Element, name: str, value: str) -> None:
    _se(parent, "SvgParameter", value, name=name)


def _symbolizer(rule: ET.Element, style: LayerStyle, color: str) -> None:
    width = f"{style.width * 96 / 25.4:.2f}"  # millimetres -> pixels at 96 dpi
    if style.geometry == POLYGON:
        symbolizer = _se(rule, "PolygonSymbolizer")
        if style.fill:
            fill = _se(symbolizer, "Fill")
            _param(fill, "fill", color)
            _param(fill, "fill-opacity", f"{style.opacity:g}")
        stroke = _se(symbolizer, "Stroke")
        _param(stroke, "stroke", style.outline if style.fill and style.outline else color)
        _param(stroke, "stroke-width", width)
    elif style.geometry == LINE:
        stroke = _se(_se(rule, "LineSymbolizer"), "Stroke")
        _param(stroke, "stroke", color)
        _param(stroke, "stroke-width", width)
    else:
        graphic = _se(_se(rule, "PointSymbolizer"), "Graphic")
        mark = _se(graphic, "Mark")
        _se(mark, "WellKnownName", "circle")
        _param(_se(mark, "Fill"), "fill", color)
        stroke = _se(mark, "Stroke")
        _param(stroke, "stroke", style.outline or color)
        _param(stroke, "stroke-width", width)
        _se(graphic, "Size", f"{style.size * 96 / 25.4:.1f}")


def sld(style: LayerStyle, layer: str) -> str:
    """The style as an SLD 1.1 document (for GeoServer and other readers)."""
    ET.register_namespace("", _SLD)
    ET.register_namespace("se", _SE)
    ET.register_namespace("ogc", _OGC)
    root = ET.Element(f"{{{_SLD}}}StyledLayerDescriptor", version="1.1.0")
    named = ET.SubElement(root, f"{{{_SLD}}}NamedLayer")
    _se(named, "Name", layer)
    user = ET.SubElement(named, f"{{{_SLD}}}UserStyle")
    _se(user, "Name", style.name)
    features = _se(user, "FeatureTypeStyle")
    if not style.field:
        rule = _se(features, "Rule")
        _se(rule, "Name", style.name)
        _symbolizer(rule, style, style.color)
    for category in style.categories if style.field else ():
        rule = _se(features, "Rule")
        _se(rule, "Name", category.value)
        _se(_se(rule, "Description"), "Title", category.label)
        condition = ET.SubElement(
            ET.SubElement(rule, f"{{{_OGC}}}Filter"), f"{{{_OGC}}}PropertyIsEqualTo"
        )
        ET.SubElement(condition, f"{{{_OGC}}}PropertyName").text = style.field
        ET.SubElement(condition, f"{{{_OGC}}}Literal").text = category.value
        _symbolizer(rule, style, category.color)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
