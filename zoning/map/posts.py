"""The posts map: funded posts of a batch run, hospital to ambulatory site.

Input: a batch result (CSV — UTF-8 or Excel's Windows-1252 ``;`` —, Excel or GeoJSON)
with, per post, one row per ambulatory site, or numbered site columns. Column names
are matched loosely (case, accents, blanks); the accepted spellings are in
:data:`COLUMNS`. Minimal schema::

    id, programme, statut, site_principal_nom, site_principal_lon, site_principal_lat,
    site_nom, site_lon, site_lat, distance_km, prime, financement
    (optional: motifs, site_zone, site_commune)

On the map: hospitals (square "H" icons) and ambulatory sites (round icons), clustered
when dense; one line per post and site, coloured by status and labelled with the
distance; a 20 km circle around each main site (layer off by default); popups with the
verdicts, premium and funding. The layer control has one entry per programme and one
per status: a post is shown when both its programme and its status are ticked.
"""

from __future__ import annotations

import html
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import folium
import numpy as np
import pandas as pd
from branca.element import Figure, MacroElement
from folium.template import Template

from zoning.errors import InvalidInputError
from zoning.io.geojson import read_features
from zoning.io.read import default_header_score, read_table
from zoning.io.text import snake
from zoning.io.values import to_number
from zoning.map.data import CoverageData
from zoning.map.render import Legend, TestHook, base_map
from zoning.map.style import STATUS_STYLE, status_key

__all__ = [
    "COLUMNS",
    "PREMIUM_DISTANCE_KM",
    "PostsLayer",
    "PostsTable",
    "posts_map",
    "read_posts",
]

log = logging.getLogger(__name__)

#: Distance from the main site that opens the territorial premium (RULES.md, 20 km rule).
PREMIUM_DISTANCE_KM = 20.0

#: Our column -> accepted spellings (compared after folding case, accents and blanks).
COLUMNS: dict[str, tuple[str, ...]] = {
    "post_id": ("id", "identifiant", "post_id", "poste", "ref", "reference", "ref_poste", "numero"),
    "programme": ("programme", "program", "dispositif"),
    "status": ("statut", "status", "verdict", "resultat"),
    "reasons": ("motifs", "motif", "reasons", "raisons", "raison", "verdicts", "details"),
    "main_name": (
        "site_principal_nom",
        "site_principal",
        "main_name",
        "hopital",
        "hopital_nom",
        "hospital_name",
        "etablissement",
        "nom_etablissement",
        "commune_etablissement",
    ),
    "main_lon": (
        "site_principal_lon",
        "main_lon",
        "hopital_lon",
        "hospital_lon",
        "lon_etablissement",
        "longitude_etablissement",
    ),
    "main_lat": (
        "site_principal_lat",
        "main_lat",
        "hopital_lat",
        "hospital_lat",
        "lat_etablissement",
        "latitude_etablissement",
    ),
    "site_name": (
        "site_nom",
        "site",
        "site_ambulatoire",
        "site_ambulatoire_nom",
        "amb_name",
        "site_name",
        "structure",
        "nom_site",
    ),
    "site_lon": (
        "site_lon",
        "site_longitude",
        "site_ambulatoire_lon",
        "amb_lon",
        "lon_site",
        "longitude_site",
    ),
    "site_lat": (
        "site_lat",
        "site_latitude",
        "site_ambulatoire_lat",
        "amb_lat",
        "lat_site",
        "latitude_site",
    ),
    "site_zone": ("site_zone", "zone", "site_ambulatoire_zone", "amb_zone", "zone_site"),
    "site_commune": (
        "site_commune",
        "commune",
        "site_ambulatoire_commune",
        "amb_commune",
        "commune_site",
    ),
    "distance_km": ("distance_km", "distance", "site_distance_km", "distance_km_site"),
    "premium": ("prime", "premium", "prime_mensuelle", "prime_eur"),
    "funding": ("financement", "funding", "financement_mensuel", "financement_eur"),
}
#: French names of the required fields, for error messages.
FIELD_LABELS: dict[str, str] = {
    "post_id": "identifiant du poste",
    "main_lon": "longitude du site principal",
    "main_lat": "latitude du site principal",
    "site_lon": "longitude du site ambulatoire",
    "site_lat": "latitude du site ambulatoire",
}
REQUIRED = ("main_lon", "main_lat", "site_lon", "site_lat")
SITE_FIELDS = ("site_name", "site_lon", "site_lat", "site_zone", "site_commune", "distance_km")
_NUMBERED = re.compile(r"^(?P<base>.+?)_?(?P<n>[1-9])(?P<rest>_.+)?$")


_LOOKUP = {snake(spelling): ours for ours, spellings in COLUMNS.items() for spelling in spellings}


@dataclass
class PostsTable:
    """Posts read from a batch result, one row per (post, ambulatory site).

    Attributes
    ----------
    rows : pandas.DataFrame
        Columns of :data:`COLUMNS` (missing ones are empty), ``line`` (line number in the
        file) and ``drawable`` (both ends have coordinates).
    source : str
        File the posts come from.
    notes : list of str
        French notes for the legend (rows not drawn, and why).
    """

    rows: pd.DataFrame
    source: str
    notes: list[str] = field(default_factory=list)

    @property
    def drawable(self) -> pd.DataFrame:
        """Rows with both ends located."""
        return self.rows[self.rows["drawable"]]


def _known_column(cell: str) -> bool:
    """A header of ours, plain or numbered (``lon_site2``: ``lon_site`` of site 2)."""
    name = snake(cell)
    if name in _LOOKUP:
        return True
    numbered = _NUMBERED.match(name)
    if numbered is None:
        return False
    return f"{numbered['base']}{numbered['rest'] or ''}" in _LOOKUP


def _header_score(cells: Sequence[str]) -> float:
    # Only known names count: any cell with a digit (a RPPS, a date) is not a header.
    return 100 * sum(1 for c in cells if _known_column(c)) + default_header_score(cells)


def _read_table(path: Path) -> pd.DataFrame:
    """CSV, Excel or ODS through the one reader; ``line`` is each row's line in the file."""
    table = read_table(path, None, _header_score, what="résultats de traitement")
    table.refuse_duplicates(table.headers)
    table.refuse_ragged()
    frame = table.frame()
    frame["line"] = table.lines
    return frame


def _read_geojson(path: Path) -> pd.DataFrame:
    """Properties of each feature, with the end points of its line (or its point)."""
    features, metadata = read_features(path)
    records = []
    for feature in features:
        props, geom = feature.properties, feature.geometry or {}
        coords = geom.get("coordinates")
        keys = {_LOOKUP.get(snake(k)) for k in props}
        if geom.get("type") == "LineString" and coords and len(coords) >= 2:
            if "main_lon" not in keys:
                props["main_lon"], props["main_lat"] = coords[0][:2]
            if "site_lon" not in keys:
                props["site_lon"], props["site_lat"] = coords[-1][:2]
        elif geom.get("type") == "Point" and coords and "site_lon" not in keys:
            props["site_lon"], props["site_lat"] = coords[:2]
        records.append(props)
    frame = pd.DataFrame.from_records(records)
    frame.attrs["provenance"] = metadata.get("provenance") or []
    return frame


def _programme_of(path: Path, frame: pd.DataFrame) -> str | None:
    """The programme a batch ran, from its provenance (GeoJSON metadata or side file).

    ``zoning batch`` records ``programme : <id> : <title>`` rather than a column.
    """
    pairs = [tuple(p) for p in frame.attrs.get("provenance", []) if len(p) == 2]
    side = path.with_name(f"{path.stem}.provenance.txt")
    if not pairs and side.is_file():
        for line in side.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(" : ")
            pairs.append((key.strip(), value))
    for key, value in pairs:
        if snake(str(key)) == "programme" and str(value).strip():
            return str(value).split(" : ")[0].strip()
    return None


def _load(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".geojson", ".json"):
        frame = _read_geojson(path)
        frame["line"] = range(1, len(frame) + 1)  # the feature's number
        return frame
    return _read_table(path)


def _melt_numbered(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn ``site1_lon, site2_lon…`` (any site field, numbered) into one row per site."""
    numbered: dict[int, dict[str, str]] = {}
    for col in frame.columns:
        match = _NUMBERED.match(snake(col))
        if not match:
            continue
        name = _LOOKUP.get(match["base"] + (match["rest"] or ""))
        if name in SITE_FIELDS:
            numbered.setdefault(int(match["n"]), {})[name] = col
    if not numbered:
        return frame
    used = {c for cols in numbered.values() for c in cols.values()}
    # Numbered columns win over an unnumbered one with the same meaning (the batch
    # output keeps the input's "Site longitude" beside its own lon_site1, lon_site2...).
    meanings = {name for cols in numbered.values() for name in cols}
    used |= {c for c in frame.columns if _LOOKUP.get(snake(c)) in meanings}
    base = frame.drop(columns=list(used))
    parts = []
    for n, cols in sorted(numbered.items()):
        part = base.copy()
        for ours, col in cols.items():
            part[ours] = frame[col]
        part["_order"] = n
        parts.append(part)
    out = pd.concat(parts, ignore_index=False).sort_index(kind="stable")
    keep = out[[c for c in ("site_lon", "site_lat", "site_name") if c in out]]
    has_site = keep.apply(
        lambda r: any(pd.notna(v) and str(v).strip() not in ("", "nan") for v in r), axis=1
    )
    # The first site row of a post is kept even when empty: no post is lost.
    return out[has_site | (out["_order"] == out.groupby(level=0)["_order"].transform("min"))]


def read_posts(path: str | Path) -> PostsTable:
    """Read a batch result into one row per (post, ambulatory site).

    Parameters
    ----------
    path : str or Path
        CSV (``,`` or ``;``, UTF-8 or Windows-1252), Excel or GeoJSON file.

    Returns
    -------
    PostsTable

    Raises
    ------
    InvalidInputError
        When the file is unreadable or lacks the post id and coordinates columns
        (the message lists the columns found and the spellings accepted).
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(f"fichier de résultats introuvable : {path}")
    frame = _load(path)
    programme = _programme_of(path, frame)
    frame = _melt_numbered(frame)
    original = [str(c) for c in frame.columns if c not in ("line", "_order")]
    renamed = {c: _LOOKUP[snake(c)] for c in frame.columns if snake(c) in _LOOKUP}
    frame = frame.rename(columns=renamed)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    if "post_id" not in frame.columns:
        # The reference column has a name the map does not know (« N° dossier »…): each
        # post is named by its line in the file rather than not drawn at all.
        frame["post_id"] = [f"ligne {n}" for n in frame["line"]]
        log.info("%s : pas de colonne d'identifiant connue, postes nommés par leur ligne", path)
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        wanted = "; ".join(f"{FIELD_LABELS[c]} (une de : {', '.join(COLUMNS[c])})" for c in missing)
        raise InvalidInputError(
            f"{path} : colonnes manquantes : {wanted}. Colonnes lues : {', '.join(original)}"
        )
    for col in COLUMNS:
        if col not in frame:
            frame[col] = ""
    rows = frame[[*COLUMNS, "line"]].copy().reset_index(drop=True)
    for col in (
        "main_lon",
        "main_lat",
        "site_lon",
        "site_lat",
        "distance_km",
        "premium",
        "funding",
    ):
        rows[col] = rows[col].map(to_number)
    for col in ("post_id", "programme", "status", "reasons", "main_name", "site_name"):
        rows[col] = rows[col].fillna("").astype(str).str.strip()
    rows["programme"] = rows["programme"].where(
        rows["programme"] != "", programme or "(sans programme)"
    )
    rows["status_key"] = rows["status"].map(status_key)
    rows["drawable"] = rows[["main_lon", "main_lat", "site_lon", "site_lat"]].notna().all(axis=1)
    bad_range = rows["drawable"] & ~(
        rows["main_lon"].between(-180, 180)
        & rows["site_lon"].between(-180, 180)
        & rows["main_lat"].between(-90, 90)
        & rows["site_lat"].between(-90, 90)
    )
    rows.loc[bad_range, "drawable"] = False
    rows["straight_km"] = _haversine_km(
        rows["main_lon"].astype(float),
        rows["main_lat"].astype(float),
        rows["site_lon"].astype(float),
        rows["site_lat"].astype(float),
    ).where(rows["drawable"])
    notes = []
    undrawn = rows[~rows["drawable"]]
    if len(undrawn):
        lines = ", ".join(str(n) for n in undrawn["line"].head(10))
        more = "…" if len(undrawn) > 10 else ""
        notes.append(
            f"{len(undrawn)} ligne(s) sans coordonnées valides pour les deux sites, "
            f"non dessinée(s) (lignes {lines}{more})"
        )
    log.info(
        "read %d post-site rows from %s (%d drawable)", len(rows), path, rows["drawable"].sum()
    )
    return PostsTable(rows=rows, source=str(path), notes=notes)


def _haversine_km(lon1: pd.Series, lat1: pd.Series, lon2: pd.Series, lat2: pd.Series) -> pd.Series:
    """Great-circle distance (km, mean Earth radius): only a label when none was given."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return pd.Series(2 * 6371.0088 * np.arcsin(np.sqrt(a)), index=lon1.index)


def _euros(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.2f}\u00a0€".replace(",", "\u202f").replace(".", ",")


def _distance_label(row: pd.Series) -> str:
    if row["distance_km"] is not None and not pd.isna(row["distance_km"]):
        return f"{row['distance_km']:.1f} km".replace(".", ",")
    # No distance in the results: the straight line, marked "≈" (explained in the legend).
    return f"≈ {row['straight_km']:.1f} km".replace(".", ",")


def _popup(group: pd.DataFrame) -> str:
    first = group.iloc[0]
    esc = html.escape
    label = STATUS_STYLE[first["status_key"]][1]
    sites = "".join(
        f"<li>{esc(r['site_name'] or 'site ambulatoire')}"
        + (f" — {esc(str(r['site_zone']))}" if str(r["site_zone"] or "").strip() else "")
        + (f" — {_distance_label(r)}" if r["drawable"] else " — non localisé")
        + "</li>"
        for _, r in group.iterrows()
    )
    reasons = esc(first["reasons"]).replace("\n", "<br>").replace(" | ", "<br>")
    return (
        f"<b>Poste {esc(first['post_id'])}</b> — {esc(first['programme'])}<br>"
        f"Statut : <b>{esc(first['status'] or label)}</b><br>"
        f"Site principal : {esc(first['main_name'] or '—')}<br>"
        f"Sites ambulatoires :<ul style='margin:2px 0 2px 16px;padding:0'>{sites}</ul>"
        f"Prime territoriale : {_euros(first['premium'])} / mois<br>"
        f"Financement ARS : {_euros(first['funding'])} / mois"
        + (f"<br><small>{reasons}</small>" if reasons else "")
    )


def posts_payload(table: PostsTable) -> list[dict[str, Any]]:
    """The posts as the page's script needs them (one entry per post, its sites nested)."""
    posts = []
    for post_id, group in table.rows.groupby("post_id", sort=False):
        first = group.iloc[0]
        drawable = group[group["drawable"]]
        if drawable.empty:
            continue
        posts.append(
            {
                "id": str(post_id),
                "programme": first["programme"],
                "status": first["status_key"],
                "color": STATUS_STYLE[first["status_key"]][0],
                "main": {
                    "name": first["main_name"] or "site principal",
                    "lat": round(float(first["main_lat"]), 6),
                    "lon": round(float(first["main_lon"]), 6),
                },
                "sites": [
                    {
                        "name": r["site_name"] or "site ambulatoire",
                        "lat": round(float(r["site_lat"]), 6),
                        "lon": round(float(r["site_lon"]), 6),
                        "label": _distance_label(r),
                    }
                    for _, r in drawable.iterrows()
                ],
                "popup": _popup(group),
            }
        )
    return posts


class PostsLayer(MacroElement):
    """Hospitals, ambulatory sites, lines and 20 km circles, filtered by programme and status.

    The filter uses empty layer groups listed in the map's layer control ("Programme : …",
    "Statut : …"): ticking or unticking one redraws the posts.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .zoning-icon { display: flex; align-items: center; justify-content: center;
          color: #fff; font: bold 12px Arial, sans-serif; border: 2px solid #fff;
          box-shadow: 0 1px 3px rgba(0,0,0,.6); box-sizing: border-box; }
        .zoning-icon-hospital { background: #1f3a93; border-radius: 3px; }
        .zoning-icon-site { background: #16a085; border-radius: 50%; }
        .zoning-distance { background: rgba(255,255,255,.85); border: none; box-shadow: none;
          font: 11px Arial, sans-serif; padding: 0 3px; }
        .zoning-distance::before { display: none; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var control = {{ this.control.get_name() }};
            var posts = {{ this.posts | tojson }};
            var statusLabels = {{ this.status_labels | tojson }};
            var radius = {{ this.radius_m | tojson }};
            var icon = function (kind, text) {
                return L.divIcon({className: "", iconSize: [22, 22],
                    html: '<div class="zoning-icon zoning-icon-' + kind +
                          '" style="width:22px;height:22px">' + text + '</div>'});
            };
            var cluster = function () {
                return L.markerClusterGroup({maxClusterRadius: 40, disableClusteringAtZoom: 12,
                                              showCoverageOnHover: false});
            };
            var hospitals = cluster(), sites = cluster();
            var lines = L.featureGroup(), circles = L.featureGroup();
            var filters = {programme: {}, status: {}};
            var addFilter = function (kind, key, label) {
                var group = L.layerGroup();
                group.zoningFilter = [kind, key];
                filters[kind][key] = true;
                control.addOverlay(group, label);
                group.addTo(map);
            };
            var programmes = [], statuses = [];
            posts.forEach(function (p) {
                if (programmes.indexOf(p.programme) < 0) programmes.push(p.programme);
                if (statuses.indexOf(p.status) < 0) statuses.push(p.status);
            });
            var redraw = function () {
                [hospitals, sites, lines, circles].forEach(function (g) { g.clearLayers(); });
                var seenMain = {};
                posts.forEach(function (p) {
                    if (!filters.programme[p.programme] || !filters.status[p.status]) return;
                    var key = p.main.lat + "," + p.main.lon;
                    var main = [p.main.lat, p.main.lon];
                    if (!seenMain[key]) {
                        seenMain[key] = L.marker(main, {icon: icon("hospital", "H"),
                                                        title: p.main.name});
                        seenMain[key].zoningPosts = [];
                        hospitals.addLayer(seenMain[key]);
                        circles.addLayer(L.circle(main, {radius: radius, color: "#1f3a93",
                            weight: 1.5, dashArray: "6 4", fill: false, interactive: false}));
                    }
                    seenMain[key].zoningPosts.push(p.popup);
                    p.sites.forEach(function (s) {
                        var site = [s.lat, s.lon];
                        sites.addLayer(L.marker(site, {icon: icon("site", "+"), title: s.name})
                                       .bindPopup(p.popup, {maxWidth: 360}));
                        lines.addLayer(L.polyline([main, site], {color: p.color, weight: 3,
                                opacity: 0.9, className: "zoning-post-line"})
                            .bindPopup(p.popup, {maxWidth: 360})
                            .bindTooltip(zoningEscape(s.label), {permanent: true,
                                direction: "center", className: "zoning-distance"}));
                    });
                });
                Object.keys(seenMain).forEach(function (k) {
                    var m = seenMain[k];
                    m.bindPopup(m.zoningPosts.join("<hr>"), {maxWidth: 380, maxHeight: 320});
                });
            };
            programmes.sort().forEach(function (p) {
                addFilter("programme", p, "Programme : " + zoningEscape(p));
            });
            statuses.forEach(function (s) {
                addFilter("status", s, "Statut : " + zoningEscape(statusLabels[s]));
            });
            map.on("overlayadd overlayremove", function (e) {
                var f = e.layer.zoningFilter;
                if (!f) return;
                filters[f[0]][f[1]] = (e.type === "overlayadd");
                redraw();
            });
            redraw();
            lines.addTo(map); hospitals.addTo(map); sites.addTo(map);
            control.addOverlay(lines, "Trajets (couleur du statut, distance)");
            control.addOverlay(hospitals, "Sites principaux (hôpitaux)");
            control.addOverlay(sites, "Sites ambulatoires");
            control.addOverlay(circles, "Cercle de 20 km autour du site principal");
            window.zoningPosts = {hospitals: hospitals, sites: sites, lines: lines,
                                  circles: circles, redraw: redraw, filters: filters};
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self, posts: list[dict[str, Any]], control: folium.LayerControl, radius_km: float
    ) -> None:
        super().__init__()
        self._name = "PostsLayer"
        self.posts = posts
        self.control = control
        self.radius_m = radius_km * 1000
        self.status_labels = {k: v[1] for k, v in STATUS_STYLE.items()}

    def render(self, **kwargs: Any) -> Any:
        from folium.plugins import MarkerCluster

        # Borrow MarkerCluster's links so the page loads (inlines) Leaflet.markercluster.
        figure = cast(Figure, self.get_root())
        for name, url in MarkerCluster.default_js:
            figure.header.add_child(folium.JavascriptLink(url), name=name)
        for name, url in MarkerCluster.default_css:
            figure.header.add_child(folium.CssLink(url), name=name)
        return super().render(**kwargs)


def posts_legend_html(table: PostsTable, coverage: CoverageData | None) -> str:
    """Legend body: statuses with counts, icons, the 20 km rule, provenance."""
    rows = table.rows
    per_post = rows.drop_duplicates("post_id")
    counts = per_post["status_key"].value_counts()
    items = []
    for key, (color, label) in STATUS_STYLE.items():
        if counts.get(key, 0):
            items.append(
                f'<div class="row"><span class="line" style="border-color:{color}"></span>'
                f'{html.escape(label)}<span class="num">{int(counts[key])} poste(s)</span></div>'
            )
    items.append(
        '<div class="row"><span class="sw" style="background:#1f3a93;border-radius:2px"></span>'
        "site principal (hôpital)</div>"
        '<div class="row"><span class="sw" style="background:#16a085;border-radius:50%"></span>'
        "site ambulatoire</div>"
        f'<div class="row"><span class="line" style="border-top:2px dashed #1f3a93"></span>'
        f"{PREMIUM_DISTANCE_KM:.0f} km autour du site principal (prime)</div>"
        "<div class='row'>≈ : distance à vol d'oiseau (absente des résultats)</div>"
    )
    notes = [html.escape(n) for n in table.notes]
    prov = [f"Résultats : {html.escape(Path(table.source).name)}"]
    if coverage is not None:
        prov += [html.escape(line) for line in coverage.provenance_lines()]
    return (
        f"<h4>Postes partagés ({len(per_post)})</h4>{''.join(items)}"
        + (f'<div class="prov">{"<br>".join(notes)}</div>' if notes else "")
        + f'<div class="prov"><details><summary>Sources et version</summary>'
        f"{'<br>'.join(prov)}</details></div>"
    )


def posts_map(
    table: PostsTable,
    coverage: CoverageData | None = None,
    tiles: bool = False,
    radius_km: float = PREMIUM_DISTANCE_KM,
) -> folium.Map:
    """Map the posts of a batch result, over the coverage map when given.

    Parameters
    ----------
    table : PostsTable
        From :func:`read_posts`.
    coverage : CoverageData, optional
        Communes by class drawn underneath (and their legend's provenance).
    tiles : bool
        Offer an OpenStreetMap background (needs the network; unticked by default).
    radius_km : float
        Radius of the circles around main sites.

    Returns
    -------
    folium.Map
    """
    from zoning.map.coverage import add_coverage_layers, coverage_legend_html

    drawable = table.drawable
    bounds: tuple[float, float, float, float]
    if coverage is not None:
        minx, miny, maxx, maxy = (float(v) for v in coverage.communes.total_bounds)
        bounds = (minx, miny, maxx, maxy)
    elif not drawable.empty:
        lons = pd.concat([drawable["main_lon"], drawable["site_lon"]])
        lats = pd.concat([drawable["main_lat"], drawable["site_lat"]])
        bounds = (lons.min() - 0.2, lats.min() - 0.2, lons.max() + 0.2, lats.max() + 0.2)
    else:
        bounds = (-5.0, 42.0, 8.0, 51.0)
    title = "Postes partagés"
    if coverage is not None and coverage.decree is not None:
        title += f" — zonage : {coverage.decree.short}"
    fmap = base_map(bounds, title, tiles=tiles)
    layers: dict[str, Any] = {}
    if coverage is not None:
        layers = add_coverage_layers(fmap, coverage, fill_opacity=0.55)
    control = folium.LayerControl(collapsed=False, position="topright")
    control.add_to(fmap)
    posts = posts_payload(table)
    PostsLayer(posts, control, radius_km).add_to(fmap)
    legend = posts_legend_html(table, coverage)
    if coverage is not None:
        legend += (
            "<details class='prov'><summary>Classes du zonage (fond de carte)</summary>"
            + coverage_legend_html(coverage)
            + "</details>"
        )
    Legend(legend).add_to(fmap)
    n_sites = sum(len(p["sites"]) for p in posts)
    n_main = len({(p["main"]["lat"], p["main"]["lon"]) for p in posts})
    TestHook(
        "posts",
        layers,
        counts={"posts": len(posts), "sites": n_sites, "hospitals": n_main},
    ).add_to(fmap)
    return fmap
