"""Evaluate many posts at once: every site located in one pass, then the criteria.

Locating is not done here: a :class:`~zoning.locate.sites.Locator` is given (the batch
service builds it with its FINESS lookups and geocoder); the rules only judge posts
whose sites are located.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from tqdm import tqdm

from zoning.locate.site import Located, SiteInput
from zoning.locate.sites import Locator, SiteLocator, without_zone_notes
from zoning.rules.distance import RoadDistance
from zoning.rules.evaluate import PostResult, evaluate_post
from zoning.rules.post import Post
from zoning.rules.programme import Programme
from zoning.store.store import ZoningStore

#: ``on_progress(stage, done, total)`` of a batch run.
Progress = Callable[[str, int, int], None]


def _silent(stage: str, done: int, total: int) -> None:
    """The progress callback of a run nobody follows."""


def _cached(road: RoadDistance | None) -> RoadDistance | None:
    """Ask the routing service once per pair of points."""
    if road is None:
        return None
    cache: dict[tuple[tuple[float, float], tuple[float, float]], float] = {}

    def cached(a: tuple[float, float], b: tuple[float, float]) -> float:
        if (a, b) not in cache:
            cache[(a, b)] = road(a, b)
        return cache[(a, b)]

    return cached


def qpv_polygon_communes(store: ZoningStore) -> frozenset[str]:
    """Communes whose QPV perimeters the store holds (a point there can be tested)."""
    polygons = store.qpv_polygons()
    if len(polygons) == 0 or "commune" not in polygons:
        return frozenset()
    return frozenset(str(c) for c in polygons["commune"].dropna())


def commune_areas(store: ZoningStore) -> Callable[[str], Any]:
    """Commune code -> polygon, loading the commune polygons on first use only."""
    table: dict[str, Any] = {}

    def area(code: str) -> Any:
        if not table:
            gdf = store.communes_gdf()
            table.update(zip(gdf["code"], gdf.geometry, strict=True))
        return table.get(code)

    return area


def _hospitals(
    locate: Locator,
    located: list[Located],
    slots: Sequence[int],
    sites: Sequence[SiteInput],
    dates: Sequence[dt.date | None],
) -> None:
    """Hospitals as the rows need them: where they are, without their own zone's notes.

    The hospital's zone plays no part in the rules: a start date before every decree
    must not hide where it is (it is placed again without date, on its own), and notes
    about its commune's class or QPV would read as if about the ambulatory site.
    """
    retry = [i for i in slots if located[i].error and not located[i].invalid and dates[i]]
    if retry:
        again = locate([sites[i] for i in retry], [None] * len(retry))
        for i, hospital in zip(retry, again, strict=True):
            if hospital.error is None:
                located[i] = hospital
    for i in slots:
        located[i] = without_zone_notes(located[i])


#: Per post: the index of its hospital among the sites to locate (None: not needed),
#: and those of its ambulatory sites.
_Slots = list[tuple[int | None, list[int]]]


def _sites_to_locate(
    programme: Programme, posts: Sequence[Post | None]
) -> tuple[list[SiteInput], list[dt.date | None], _Slots]:
    """Every site of every post in one list, with the date each is judged at."""
    sites: list[SiteInput] = []
    dates: list[dt.date | None] = []
    slots: _Slots = []
    for post in posts:
        if post is None:
            slots.append((None, []))
            continue
        hospital_slot = None
        if programme.hospital_required and post.hospital is not None:
            hospital_slot = len(sites)
            sites.append(post.hospital)
            # Located on the post's date like its sites, so that nothing said of it
            # (decree, caveat) belongs to another date; see _hospitals for the rest.
            dates.append(post.start)
        site_slots = []
        for site in post.sites:
            site_slots.append(len(sites))
            sites.append(site)
            dates.append(post.start)
        slots.append((hospital_slot, site_slots))
    return sites, dates, slots


def evaluate_posts(
    store: ZoningStore,
    programme: Programme,
    posts: Sequence[Post | None],
    locator: Locator | None = None,
    road_distance: RoadDistance | None = None,
    progress: bool = True,
    on_progress: Progress | None = None,
) -> list[PostResult | None]:
    """Results in the order of ``posts``; a None post (blank row...) gives None.

    ``locator`` finds the sites (default: the store alone, no FINESS nor geocoder);
    ``on_progress(stage, done, total)`` is told where the run is (a French stage name,
    rows done, rows in all), a few hundred times at most.
    """
    tell = on_progress or _silent
    tell("localisation des sites", 0, len(posts))
    locate = locator or SiteLocator(store)
    sites, dates, slots = _sites_to_locate(programme, posts)
    located = locate(sites, dates)
    hospitals = [h for h, _ in slots if h is not None]
    _hospitals(locate, located, hospitals, sites, dates)
    polygons = qpv_polygon_communes(store)
    road = _cached(road_distance if programme.premium else None)
    areas = commune_areas(store)
    results: list[PostResult | None] = []
    bar = tqdm(total=len(posts), desc="postes", unit="ligne", disable=not progress, leave=False)
    step = max(1, len(posts) // 200)
    for done, (post, (hospital_slot, site_slots)) in enumerate(zip(posts, slots, strict=True)):
        bar.update()
        if done % step == 0:
            tell("règles du programme", done, len(posts))
        if post is None:
            results.append(None)
            continue
        hospital = located[hospital_slot] if hospital_slot is not None else None
        results.append(
            evaluate_post(
                programme,
                post,
                hospital,
                [located[i] for i in site_slots],
                road,
                polygons,
                areas,
            )
        )
    bar.close()
    tell("règles du programme", len(posts), len(posts))
    return results
