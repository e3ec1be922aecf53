"""The posts on the map: the data the page's script draws, and the folium element that
carries it (its script: ``zoning/map/templates/posts_layer.j2``)."""

from __future__ import annotations

from typing import Any

import folium
from branca.element import Figure
from folium.plugins import MarkerCluster

from zoning.map.element import MapElement, template
from zoning.map.posts.labels import distance_label, popup_html
from zoning.map.posts.read import PostsTable
from zoning.map.style import STATUS_STYLE

__all__ = ["PostsLayer", "posts_payload"]


def _radius_m(table: PostsTable, programme: str, radius_km: float | None) -> float | None:
    km = radius_km if radius_km is not None else table.thresholds.get(programme)
    return None if km is None else km * 1000


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
                        "label": distance_label(r),
                    }
                    for _, r in drawable.iterrows()
                ],
                "popup": popup_html(group),
            }
        )
    return posts


class PostsLayer(MapElement):
    """Hospitals, ambulatory sites, lines and threshold circles, filtered by programme and
    status.

    The filter uses empty layer groups listed in the map's layer control ("Programme : …",
    "Statut : …"): ticking or unticking one redraws the posts.
    """

    _template = template("posts_layer.j2")

    def __init__(self, posts: list[dict[str, Any]], control: folium.LayerControl) -> None:
        super().__init__("PostsLayer")
        self.posts = posts
        self.control = control
        self.status_labels = {k: v[1] for k, v in STATUS_STYLE.items()}

    def render(self, **kwargs: Any) -> Any:
        # Borrow MarkerCluster's links so the page loads (inlines) Leaflet.markercluster.
        figure = self.get_root()
        assert isinstance(figure, Figure)
        for name, url in MarkerCluster.default_js:
            figure.header.add_child(folium.JavascriptLink(url), name=name)
        for name, url in MarkerCluster.default_css:
            figure.header.add_child(folium.CssLink(url), name=name)
        # branca's MacroElement.render carries no annotations.
        return super().render(**kwargs)  # type: ignore[no-untyped-call]
