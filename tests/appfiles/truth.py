"""Expected answer of one application, from the raw sources and the rules read by hand.

No ``import zoning``: the rules of ``na-mg-2023`` are restated here from the ARS
specification (« cahier des charges » 2023, as quoted in data/programmes/na-mg-2023.toml):

- inscription à l'Ordre on or before 1 November 2023 (later: non éligible; not given:
  à vérifier); RPPS number of 11 digits (not given: à vérifier);
- 4, 5 or 6 half-days a week at the hospital (anything else: non éligible);
- two years (24 months); one year (12 months) only by a motivated derogation (flagged:
  fine; not flagged: à vérifier); any other duration: non éligible;
- taking up the post in November 2023, May 2024 or November 2024 (else non éligible);
- application filed by 30 April 2023 (DS « Déposé le »; later: non éligible);
- ambulatory site in a ZIP or ZAC commune of the decree in force at the start date (the
  ARS NA decree of 25 April 2022 for every start date drawn here, COG 2022 codes), or in
  a QPV: an HZ commune holding QPV is « à vérifier » (no QPV perimeters in NA), an HZ
  commune without QPV is non éligible, a commune of unknown class is « à vérifier »;
- the 20 km rule (RULES.md): by road; a straight line of 20 km or more settles it (no
  road is shorter): « oui » when the whole site commune lies 20 km or more from the
  hospital, else « à vérifier » (a site known by its commune only has no road distance).
  Within 0.5 km of 20 km either answer is accepted (simplified polygons, ~1 m, and a
  hospital point that may differ from the tool's by some metres).

Status: any « non » → non éligible, else any doubt → à vérifier, else éligible.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .sources import Hospital, Sources

ORDRE_BY = dt.date(2023, 11, 1)
FILED_BY = dt.date(2023, 4, 30)
START_MONTHS = {(2023, 11), (2024, 5), (2024, 11)}
HALF_DAYS = {4.0, 5.0, 6.0}
ADMITTED_ZONES = {"ZIP", "ZAC"}
DECREE_WORDS = "25 avril 2022"
MARGIN_KM = 0.5
#: na-mg-2023 pays no territorial premium (« No territorial premium in this specification »,
#: read in the programme and in the ARS specification): the 20 km column is « sans objet »
#: and only the straight-line distance it reports is checked.
PREMIUM = False

ELIGIBLE, NOT_ELIGIBLE, TO_CHECK = "éligible", "non éligible", "à vérifier"


@dataclass
class Post:
    """One application as drawn, before any wording or value style."""

    ident: str
    last_name: str
    first_name: str
    rpps: str | None
    ordre: dt.date | None
    hospital: Hospital
    half_days: float
    site_codes: list[str]  # COG 2022 code(s) the site may be (several: a commune nouvelle)
    site_name: str  # as written in the file
    site_postcode: str | None
    structure: str
    structure_name: str
    start: dt.date
    months: int
    derogation: bool
    filed: dt.date | None = None
    commune_style: str = "insee"


@dataclass
class Expected:
    status: str
    insee: set[str]  # acceptable COG 2022 codes of the site
    zone: str | None  # None: not certain
    rule20: set[str]  # acceptable answers of the 20 km column: « oui », « à vérifier »
    qpv: set[str] = field(default_factory=set)  # QPV codes of the site's commune(s)
    reasons: list[str] = field(default_factory=list)  # criteria that are not « ok »
    nearest_km: float = 0.0  # shortest straight-line distance hospital -> site commune


def _min_distance_km(sources: Sources, hospital: Hospital, code: str) -> float:
    """Shortest geodesic distance (km) from the hospital to commune ``code``'s polygons.

    The polygons are projected on an azimuthal equidistant projection centred on the
    hospital, where the distance from the centre is the geodesic distance.
    """
    import numpy as np
    import shapely
    from pyproj import Transformer
    from shapely.geometry import Point, shape

    aeqd = f"+proj=aeqd +lat_0={hospital.lat} +lon_0={hospital.lon} +ellps=GRS80 +units=m"
    to_aeqd = Transformer.from_crs("EPSG:4326", aeqd, always_xy=True)

    def project(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(to_aeqd.transform(xy[:, 0], xy[:, 1]))

    geometries = sources.geometries_2022(code)
    if not geometries:
        raise ValueError(f"pas de contour pour {code}")
    origin = Point(0, 0)
    return min(shapely.transform(shape(g), project).distance(origin) for g in geometries) / 1000.0


def expected(sources: Sources, post: Post) -> Expected:
    reasons: list[str] = []
    no = check = False

    def fail(why: str) -> None:
        nonlocal no
        no = True
        reasons.append(why)

    def doubt(why: str) -> None:
        nonlocal check
        check = True
        reasons.append(why)

    if not post.rpps:
        doubt("rpps")
    if post.ordre is None:
        doubt("ordre")
    elif post.ordre > ORDRE_BY:
        fail("ordre")
    if post.half_days not in HALF_DAYS:
        fail("repartition")
    if post.months == 12:
        if not post.derogation:
            doubt("duree")
    elif post.months != 24:
        fail("duree")
    if (post.start.year, post.start.month) not in START_MONTHS:
        fail("debut")
    if post.filed is not None and post.filed > FILED_BY:
        fail("depot")

    zones = {sources.zones.get(c) for c in post.site_codes}
    qpv = {q for c in post.site_codes for q in sources.qpv.get(c, [])}
    zone = zones.pop() if len(zones) == 1 else None
    if zone in ADMITTED_ZONES:
        pass
    elif zone is None or qpv:
        doubt("zone")
    else:
        fail("zone")

    distances = [_min_distance_km(sources, post.hospital, c) for c in post.site_codes]
    nearest = min(distances)
    rule20 = {"oui"} if nearest >= 20 else {TO_CHECK}
    if abs(nearest - 20) < MARGIN_KM:
        rule20 = {"oui", TO_CHECK}
    status = NOT_ELIGIBLE if no else TO_CHECK if check else ELIGIBLE
    return Expected(status, set(post.site_codes), zone, rule20, qpv, reasons, nearest_km=nearest)
