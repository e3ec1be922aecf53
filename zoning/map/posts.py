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
import pandas as pd
from branca.element import Figure, MacroElement
from folium.template import Template

from zoning.errors import InvalidInputError
from zoning.io.french import format_km
from zoning.io.geojson import read_features
from zoning.io.read import default_header_score, read_table
from zoning.io.text import snake
from zoning.io.values import to_number
from zoning.map.data import CoverageData
from zoning.map.render import Legend, TestHook, base_map
from zoning.map.style import STATUS_STYLE, status_key
from zoning.rules.distance import geodesic_many_m

__all__ = [
    "COLUMNS",
    "PostsLayer",
    "PostsTable",
    "posts_map",
    "read_posts",
]

log = logging.getLogger(__name__)

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
    # The batch's own verdict of the distance rule and, for a site known by its commune
    # only, the longest straight line: the map says what the row says.
    "distance_max_km": ("distance_max_km", "distance_max_km_site"),
    "distance_rule": ("regle_20km", "regle_20km_site", "regle_distance"),
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
SITE_FIELDS = (
    "site_name",
    "site_lon",
    "site_lat",
    "site_zone",
    "site_commune",
    "distance_km",
    "distance_max_km",
    "distance_rule",
)
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
    thresholds : dict
        Programme -> distance threshold of its premium in km (None: no premium, or
        unknown), from the batch's provenance or the programme's rules file.
    """

    rows: pd.DataFrame
    source: str
    notes: list[str] = field(default_factory=list)
    thresholds: dict[str, float | None] = field(default_factory=dict)

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


def _provenance(path: Path, frame: pd.DataFrame) -> dict[str, str]:
    """The provenance of a batch result (GeoJSON metadata, side file or Excel sheet),
    keys folded with :func:`snake`."""
    pairs = [tuple(p) for p in frame.attrs.get("provenance", []) if len(p) == 2]
    side = path.with_name(f"{path.stem}.provenance.txt")
    if not pairs and side.is_file():
        for line in side.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(" : ")
            pairs.append((key.strip(), value))
    if not pairs and path.suffix.lower() in (".xlsx", ".ods"):
        from zoning.report.batch import SHEET_PROVENANCE

        try:
            sheet = read_table(path, SHEET_PROVENANCE, what="provenance")
        except InvalidInputError:
            sheet = None
        if sheet is not None:
            pairs = [(sheet.headers[0], sheet.headers[1]), *(tuple(r[:2]) for r in sheet.rows)]
    out: dict[str, str] = {}
    for key, value in pairs:
        out.setdefault(snake(str(key)), str(value).strip())
    return out


def _programme_of(path: Path, frame: pd.DataFrame) -> str | None:
    """The programme a batch ran, from its provenance.

    ``zoning batch`` records ``programme : <id> : <title>`` rather than a column.
    """
    value = _provenance(path, frame).get("programme")
    return value.split(" : ")[0].strip() if value else None


def _threshold(programme: str, provenance: dict[str, str], ran: str | None) -> float | None:
    """The premium's distance threshold (km) of a programme: recorded by the batch in its
    provenance, else read from the programme's rules file; None when it has no premium
    or is unknown (then no circle is drawn: the map invents no rule)."""
    from zoning.report.batch import PROVENANCE_THRESHOLD

    recorded = to_number(provenance.get(snake(PROVENANCE_THRESHOLD), ""))
    if programme == ran and recorded is not None:
        return float(recorded)
    from zoning.errors import ZoningError
    from zoning.rules.programme import load_programme

    try:
        rules = load_programme(programme).premium
    except (ZoningError, OSError):
        return None
    return rules.min_distance_km if rules else None


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
    provenance = _provenance(path, frame)
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
        "distance_max_km",
        "premium",
        "funding",
    ):
        rows[col] = rows[col].map(to_number)
    for col in (
        "post_id",
        "programme",
        "status",
        "reasons",
        "main_name",
        "site_name",
        "distance_rule",
    ):
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
    # Only for files without distances: the rules' own geodesic, marked « ≈ ».
    straight = geodesic_many_m(
        rows["main_lon"].astype(float).to_numpy(),
        rows["main_lat"].astype(float).to_numpy(),
        rows["site_lon"].astype(float).to_numpy(),
        rows["site_lat"].astype(float).to_numpy(),
    )
    rows["straight_km"] = pd.Series(straight / 1000, index=rows.index).where(rows["drawable"])
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
    thresholds = {p: _threshold(p, provenance, programme) for p in rows["programme"].unique()}
    return PostsTable(rows=rows, source=str(path), notes=notes, thresholds=thresholds)


def _euros(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.2f}\u00a0€".replace(",", "\u202f").replace(".", ",")


#: The batch's verdicts of the distance rule, as the map labels them.
_RULE_WORDS = {"ok": "prime : oui", "non": "prime : non", "à vérifier": "à vérifier"}


def _known(value: Any) -> bool:
    return value is not None and not pd.isna(value)


def _distance_label(row: pd.Series) -> str:
    """The distance as the batch wrote it (a range for a commune known by name), with
    the batch's verdict: the same figures and words as the row, never recomputed."""
    near, far = row["distance_km"], row["distance_max_km"]
    if _known(near):
        text = format_km(float(near) * 1000)
        if _known(far):
            text = f"{text.removesuffix(' km')}–{format_km(float(far) * 1000, up=True)}"
    else:
        # No distance in the results: the straight line, marked "≈" (explained in the legend).
        return f"≈ {format_km(row['straight_km'] * 1000)}"
    verdict = str(row["distance_rule"] or "").split(" : ", 1)[0]
    word = _RULE_WORDS.get(verdict)
    return f"{text} · {word}" if word else text


def _popup(group: pd.DataFrame) -> str:
    first = group.iloc[0]
    esc = html.escape
    label = STATUS_STYLE[first["status_key"]][1]
    sites = "".join(
        f"<li>{esc(r['site_name'] or 'site ambulatoire')}"
        + (f" — {esc(str(r['site_zone']))}" if str(r["site_zone"] or "").strip() else "")
        + (f" — {_distance_label(r)}" if r["drawable"] else " — non localisé")
        + (f"<br><small>{esc(r['distance_rule'])}</small>" if r["distance_rule"] else "")
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


def posts_payload(table: PostsTable, radius_km: float | None = None) -> list[dict[str, Any]]:
    """The posts as the page's script needs them (one entry per post, its sites nested).

    ``radius`` (m) is the circle around the main site: ``radius_km`` when given, else the
    threshold of the post's programme (None: no circle).
    """
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
                "radius": _radius_m(table, first["programme"], radius_km),
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


def _radius_m(table: PostsTable, programme: str, radius_km: float | None) -> float | None:
    km = radius_km if radius_km is not None else table.thresholds.get(programme)
    return None if km is None else km * 1000


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
                var seenMain = {}, seenCircle = {};
                posts.forEach(function (p) {
                    if (!filters.programme[p.programme] || !filters.status[p.status]) return;
                    var key = p.main.lat + "," + p.main.lon;
                    var main = [p.main.lat, p.main.lon];
                    if (!seenMain[key]) {
                        seenMain[key] = L.marker(main, {icon: icon("hospital", "H"),
                                                        title: p.main.name});
                        seenMain[key].zoningPosts = [];
                        hospitals.addLayer(seenMain[key]);
                    }
                    // The programme's own threshold (none: no premium, no circle).
                    if (p.radius && !seenCircle[key + "," + p.radius]) {
                        seenCircle[key + "," + p.radius] = true;
                        circles.addLayer(L.circle(main, {radius: p.radius, color: "#1f3a93",
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
            control.addOverlay(circles, "Seuil de distance de la prime autour du site principal");
            window.zoningPosts = {hospitals: hospitals, sites: sites, lines: lines,
                                  circles: circles, redraw: redraw, filters: filters};
        })();
        {% endmacro %}
        """
    )

    def __init__(self, posts: list[dict[str, Any]], control: folium.LayerControl) -> None:
        super().__init__()
        self._name = "PostsLayer"
        self.posts = posts
        self.control = control
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
        "<div class='row'>≈ : distance à vol d'oiseau (absente des résultats)</div>"
    )
    for programme, km in sorted(table.thresholds.items()):
        if km is not None and programme in set(per_post["programme"]):
            items.append(
                '<div class="row"><span class="line" style="border-top:2px dashed #1f3a93">'
                f"</span>{html.escape(f'{km:g}')} km autour du site principal (prime, "
                f"{html.escape(programme)})</div>"
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
    radius_km: float | None = None,
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
    radius_km : float, optional
        Radius of the circles around main sites; by default the distance threshold of
        each post's programme (no circle for a programme without premium).

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
    posts = posts_payload(table, radius_km)
    PostsLayer(posts, control).add_to(fmap)
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
