"""Everything decided about one post (:func:`evaluate_post`): every criterion of
:mod:`zoning.rules.criteria`, then the distance of each site from the main one, the
territorial premium and the funding.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from zoning.locate.site import COARSE_PRECISIONS, Located
from zoning.reasons import Reason
from zoning.rules.criteria import (
    Check,
    check_application,
    check_duration,
    check_establishment,
    check_located,
    check_ordre,
    check_rpps,
    check_shortage,
    check_specialty,
    check_start,
    check_structure,
    check_time_split,
    check_zone,
)
from zoning.rules.distance import (
    DistanceVerdict,
    RoadDistance,
    check_distance,
    geodesic_m,
    measured,
    range_rule,
    straight_range_m,
)
from zoning.rules.funding import FundingResult, funding
from zoning.rules.post import Post
from zoning.rules.premium import PremiumResult, premium
from zoning.rules.programme import Programme
from zoning.rules.verdicts import CHECK, INVALID, OK, Status, status_of

# commune code -> its polygon (shapely), or None when unknown
CommuneArea = Callable[[str], Any]


@dataclass(frozen=True)
class PostResult:
    """Everything decided about one post."""

    status: Status
    checks: tuple[Check, ...]
    distances: tuple[DistanceVerdict | None, ...]
    premium: PremiumResult | None
    funding: FundingResult
    hospital: Located | None
    sites: tuple[Located, ...]

    def reasons(self) -> list[Reason]:
        """« label : reason » of every criterion that is not ok, with its code."""
        return [c.motif for c in self.checks if c.verdict != OK]


def _site_half_days(programme: Programme, post: Post) -> list[float | None]:
    given = [s.half_days for s in post.sites]
    if len(given) == 1 and given[0] is None and post.hospital_half_days is not None:
        return [programme.week_half_days - post.hospital_half_days]
    return given


def _extent(located: Located | None, commune_area: CommuneArea | None) -> Any:
    """Where a located site can be: its point, else its commune's polygon (None: unknown)."""
    import shapely

    if located is None:
        return None
    place = located.placement
    code = getattr(place, "commune_code", None) if place is not None else None
    coarse = located.precision in COARSE_PRECISIONS
    if located.lon is not None and located.lat is not None and not (coarse and code):
        # A point stands even when its commune is unknown (outside the store's region).
        return shapely.Point(located.lon, located.lat)
    # Known by its commune only (a geocoder's answer at the commune is the commune's
    # centre, not the site): anywhere in the commune's polygon.
    if commune_area is None or not code:
        return None
    members = getattr(place, "members", None)
    if members:
        # A commune nouvelle answered under its own name: the site may be anywhere in the
        # communes it covers, not only in the one whose code it kept.
        parts = [commune_area(m) for m in members]
        if any(p is None for p in parts):
            return None
        return shapely.union_all(parts)
    return commune_area(code)


def _distances(
    programme: Programme,
    post: Post,
    hospital: Located | None,
    sites: Sequence[Located],
    road_distance: RoadDistance | None,
    commune_area: CommuneArea | None = None,
) -> list[DistanceVerdict | None]:
    """The distance rule of each site from the main site (None: a position unknown).

    With a point on each side, the geodesic distance (and the road one under the
    threshold); with a commune only on either side, the straight-line range between
    the point and the commune's polygon, or between the two polygons. Without a
    territorial premium the programme has no threshold: distances are only reported.
    """
    rules = programme.premium
    main = _extent(hospital, commune_area)
    out: list[DistanceVerdict | None] = []
    for site in sites:
        other = _extent(site, commune_area)
        if main is None or other is None:
            out.append(None)
        elif main.geom_type == "Point" and other.geom_type == "Point":
            if rules is None:
                out.append(measured(geodesic_m(main.x, main.y, other.x, other.y)))
                continue
            out.append(
                check_distance(
                    (main.x, main.y),
                    (other.x, other.y),
                    rules.min_distance_km,
                    road_distance,
                    post.premium_derogation,
                    rules.derogations,
                )
            )
        else:
            nearest, farthest = straight_range_m(main, other)
            if rules is None:
                out.append(measured(nearest, farthest))
                continue
            communes = [
                s.commune_label() or "?"
                for s, g in ((hospital, main), (site, other))
                if s is not None and g.geom_type != "Point"
            ]
            out.append(
                range_rule(
                    nearest,
                    farthest,
                    rules.min_distance_km,
                    communes,
                    post.premium_derogation,
                    rules.derogations,
                )
            )
    return out


def _premium(
    programme: Programme,
    half_days: Sequence[float | None],
    distances: Sequence[DistanceVerdict | None],
) -> PremiumResult | None:
    rules = programme.premium
    if rules is None:
        return None
    if any(d is None for d in distances):
        return PremiumResult(
            CHECK,
            "à vérifier : position d'un site inconnue, distance non calculée",
            "PRIME-POSITION-INCONNUE",
            None,
            None,
            0.0,
            0,
        )
    if any(h is None for h in half_days):
        return PremiumResult(
            CHECK,
            "à vérifier : demi-journées par site non précisées",
            "PRIME-DJ-SITES-ABSENTES",
            None,
            None,
            0.0,
            0,
        )
    pairs = [
        (float(h or 0.0), d) for h, d in zip(half_days, distances, strict=True) if d is not None
    ]
    result = premium(pairs, rules)
    # What the distance of a doubtful site or of a site known by its commune rests on,
    # in the same words as its distance column.
    said = [
        f"site {k} : {d.reason.removeprefix('à vérifier : ')}"
        for k, d in enumerate(distances, start=1)
        if d is not None and (d.verdict == CHECK or d.farthest_km is not None)
    ]
    if not said:
        return result
    return dataclasses.replace(result, reason=f"{result.reason} — {' ; '.join(said)}")


def evaluate_post(
    programme: Programme,
    post: Post,
    hospital: Located | None,
    sites: Sequence[Located],
    road_distance: RoadDistance | None = None,
    qpv_polygon_communes: Collection[str] | None = None,
    commune_area: CommuneArea | None = None,
) -> PostResult:
    """Run every criterion of ``programme`` on ``post`` (sites already located).

    ``sites`` are the located ambulatory sites, in the order of ``post.sites``;
    ``commune_area`` gives a commune's polygon (for sites known only by commune).
    """
    checks: list[Check] = [Check.of("ligne", "données", INVALID, e) for e in post.errors]
    checks += [Check.of("ligne", "données", CHECK, d) for d in post.doubts]
    checks += [
        check_rpps(programme, post.rpps),
        check_ordre(programme, post.ordre_date),
        check_specialty(programme, post.specialty),
    ]
    if programme.hospital_required:
        located = check_located(hospital, "site_principal", "site principal")
        if located is not None:
            checks.append(located)
        checks.append(
            check_establishment(programme, post.establishment_type, post.establishment_type_source)
        )
    half_days = _site_half_days(programme, post)
    checks.append(
        check_time_split(
            programme,
            post.hospital_half_days,
            [s.half_days for s in post.sites],
            post.split_motivated,
        )
    )
    checks.append(check_duration(programme, post.months, post.duration_derogation))
    checks.append(check_start(programme, post.start))
    application = check_application(programme, post.filed)
    if application is not None:
        checks.append(application)
    if not sites:
        checks.append(
            Check(
                "site_1",
                "site ambulatoire",
                INVALID,
                "SITE-AUCUN-AMBULATOIRE",
                "aucun site ambulatoire",
            )
        )
    for i, (site_in, site) in enumerate(zip(post.sites, sites, strict=True), start=1):
        checks.append(check_structure(programme, site_in.kind, i))
        checks.append(check_zone(programme, site, i, qpv_polygon_communes))
    shortage = check_shortage(programme, post.shortage_confirmed)
    if shortage is not None:
        checks.append(shortage)
    distances = _distances(programme, post, hospital, sites, road_distance, commune_area)
    return PostResult(
        status=status_of([c.verdict for c in checks]),
        checks=tuple(checks),
        distances=tuple(distances),
        premium=_premium(programme, half_days, distances),
        funding=funding(programme.funding, post.hospital_half_days, post.months, post.monthly_cost),
        hospital=hospital,
        sites=tuple(sites),
    )
