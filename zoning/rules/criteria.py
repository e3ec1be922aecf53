"""Eligibility criteria of one post, as small pure functions.

Each ``check_*`` function takes the programme and the values it needs and returns a
:class:`Check` (criterion, verdict, French reason). :func:`evaluate_post` runs them all
on a post whose sites are already located, then adds distances, premium and funding.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from zoning.errors import InvalidInputError
from zoning.identifiers import normalise_rpps
from zoning.io.text import fold
from zoning.locate.site import COARSE_PRECISIONS, Located
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
from zoning.rules.types import type_code, type_label
from zoning.rules.verdicts import CHECK, INVALID, NO, OK, Status, Verdict, status_of
from zoning.store.decrees import EXPIRED, NOT_LOADED

# commune code -> its polygon (shapely), or None when unknown
CommuneArea = Callable[[str], Any]


@dataclass(frozen=True)
class Check:
    """One criterion's outcome."""

    criterion: str
    label: str
    verdict: Verdict
    reason: str


def _fr_date(day: dt.date) -> str:
    # Not strftime: it was a tenth of the rules' time on a large batch.
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def check_rpps(programme: Programme, rpps: str | None) -> Check:
    """RPPS number given and well formed (11 digits)."""
    label = "n° RPPS"
    if not rpps:
        verdict = CHECK if programme.rpps_required else OK
        return Check("rpps", label, verdict, "n° RPPS non fourni")
    try:
        number = normalise_rpps(rpps)
    except InvalidInputError as exc:
        return Check("rpps", label, INVALID, str(exc))
    return Check("rpps", label, OK, f"n° RPPS {number}")


def check_ordre(programme: Programme, registered: dt.date | None) -> Check:
    """Registration with the Ordre des médecins on or before the programme's deadline."""
    label = "inscription à l'Ordre"
    deadline = programme.ordre_registration_by
    if deadline is None:
        return Check("ordre", label, OK, "pas de date limite dans ce programme")
    if registered is None:
        return Check(
            "ordre",
            label,
            CHECK,
            f"date d'inscription à l'Ordre non fournie (au plus tard le {_fr_date(deadline)})",
        )
    if registered <= deadline:
        return Check("ordre", label, OK, f"inscrit le {_fr_date(registered)}")
    return Check(
        "ordre", label, NO, f"inscrit le {_fr_date(registered)}, après le {_fr_date(deadline)}"
    )


def check_specialty(programme: Programme, specialty: str | None) -> Check:
    """Specialty required or excluded by the programme."""
    label = "spécialité"
    if programme.specialty is None and not programme.excluded_specialties:
        return Check("specialite", label, OK, "toutes spécialités")
    if not specialty:
        if programme.specialty is not None:
            # A single-specialty programme: the column is not needed to know it.
            return Check("specialite", label, OK, f"supposée : {programme.specialty} (programme)")
        return Check("specialite", label, CHECK, "spécialité non fournie")
    given = fold(specialty)
    if given in {"mg", "medecin generaliste", "generaliste"}:
        given = "medecine generale"
    if programme.specialty is not None and given != fold(programme.specialty):
        return Check(
            "specialite", label, NO, f"{specialty} : programme réservé à la {programme.specialty}"
        )
    if given in {fold(s) for s in programme.excluded_specialties}:
        return Check("specialite", label, NO, f"{specialty} exclue de ce programme")
    return Check("specialite", label, OK, specialty)


def _check_type(
    criterion: str,
    label: str,
    raw: str | None,
    allowed: Collection[str],
    source: str | None = None,
) -> Check:
    if not raw:
        return Check(criterion, label, CHECK, "type non fourni")
    code = type_code(raw)
    if code is None:
        return Check(criterion, label, CHECK, f"type non reconnu : « {raw} »")
    said = f" (d'après {source})" if source else ""

    def refused() -> Check:
        wanted = ", ".join(sorted(type_label(c) for c in allowed))
        return Check(criterion, label, NO, f"{type_label(code)}{said} non admis (admis : {wanted})")

    if code == "prive":
        # Private, but ESPIC or for-profit is not said: fine only if both are admitted.
        both = {"espic", "prive_lucratif"}
        if both <= set(allowed):
            return Check(criterion, label, OK, f"{type_label(code)}{said} : les deux sont admis")
        if not both & set(allowed):
            return refused()
        return Check(
            criterion,
            label,
            CHECK,
            f"établissement privé{said} : ESPIC ou à but lucratif, la source ne le dit pas",
        )
    if code not in allowed:
        return refused()
    return Check(criterion, label, OK, f"{type_label(code)}{said}")


def check_establishment(programme: Programme, raw: str | None, source: str | None = None) -> Check:
    """Type of the employing establishment (main site); ``source`` when not the user's."""
    return _check_type(
        "type_etablissement", "type d'établissement", raw, programme.establishment_types, source
    )


def check_structure(programme: Programme, raw: str | None, index: int) -> Check:
    """Type of an ambulatory structure."""
    return _check_type(
        f"type_structure_{index}",
        f"type de structure (site {index})",
        raw,
        programme.structure_types,
    )


def check_time_split(
    programme: Programme,
    hospital_half_days: float | None,
    site_half_days: Sequence[float | None] = (),
    motivated: bool = False,
) -> Check:
    """Weekly half-days at the hospital among the allowed splits."""
    label = "répartition du temps"
    if not programme.hospital_required:
        return Check("repartition", label, OK, "sans objet (pas de site hospitalier)")
    if hospital_half_days is None:
        return Check("repartition", label, CHECK, "demi-journées à l'hôpital non fournies")
    week = programme.week_half_days
    known = [h for h in site_half_days if h is not None]
    total = hospital_half_days + sum(known)
    if hospital_half_days < 0 or hospital_half_days > week or total > week:
        return Check(
            "repartition",
            label,
            INVALID,
            f"{total:g} demi-journées par semaine au total (maximum {week:g})",
        )
    percent = round(100 * hospital_half_days / week)
    share = f"{hospital_half_days:g} demi-journées à l'hôpital ({percent} %)"
    allowed = ", ".join(f"{h:g}" for h in programme.hospital_half_days)
    if hospital_half_days in programme.hospital_half_days:
        return Check("repartition", label, OK, share)
    if programme.other_split_if_motivated:
        if motivated:
            return Check("repartition", label, OK, f"{share}, répartition motivée")
        return Check(
            "repartition",
            label,
            CHECK,
            f"{share} : répartition différente de {allowed} demi-journées, à motiver",
        )
    return Check("repartition", label, NO, f"{share} ; admis : {allowed} demi-journées")


def check_duration(programme: Programme, months: int | None, derogation: bool = False) -> Check:
    """Duration in months, a derogation duration only when the derogation is flagged."""
    label = "durée"
    if months is None:
        return Check("duree", label, CHECK, "durée non fournie")
    if months in programme.duration_months:
        return Check("duree", label, OK, f"{months} mois")
    if months in programme.derogation_months:
        if derogation:
            return Check("duree", label, OK, f"{months} mois par dérogation (projet motivé)")
        return Check(
            "duree",
            label,
            CHECK,
            f"{months} mois : possible seulement par dérogation "
            "(projet professionnel motivé), à indiquer",
        )
    allowed = ", ".join(str(m) for m in (*programme.duration_months, *programme.derogation_months))
    return Check("duree", label, NO, f"{months} mois ; admis : {allowed} mois")


def check_start(programme: Programme, start: dt.date | None) -> Check:
    """Start date in one of the programme's start months."""
    label = "date de prise de poste"
    if start is None:
        return Check(
            "debut",
            label,
            CHECK,
            "date de début non fournie (zonage jugé à la date du dernier arrêté connu)",
        )
    month = f"{start.year:04d}-{start.month:02d}"
    if not programme.start_months or month in programme.start_months:
        return Check("debut", label, OK, _fr_date(start))
    months = ", ".join(programme.start_months)
    return Check(
        "debut", label, NO, f"{_fr_date(start)} hors des mois de prise de poste prévus ({months})"
    )


def check_application(programme: Programme, filed: dt.date | None) -> Check | None:
    """Application filed by the programme's deadline (None when either date is unknown)."""
    deadline = programme.application_deadline
    if deadline is None or filed is None:
        return None
    label = "date de dépôt"
    if filed <= deadline:
        return Check("depot", label, OK, f"déposée le {_fr_date(filed)}")
    return Check("depot", label, NO, f"déposée le {_fr_date(filed)}, après le {_fr_date(deadline)}")


def check_located(located: Located | None, criterion: str, label: str) -> Check | None:
    """A check when a site could not be located (None when it was)."""
    if located is None:
        return Check(criterion, label, INVALID, "site non renseigné")
    if located.error:
        return Check(criterion, label, INVALID if located.invalid else CHECK, located.error)
    return None


def check_zone(
    programme: Programme,
    located: Located,
    index: int,
    qpv_polygon_communes: Collection[str] | None = None,
) -> Check:
    """Ambulatory site in an under-served zone (ZIP/ZAC of the decree, or a QPV).

    ``qpv_polygon_communes`` lists the communes whose QPV perimeters are known; a site
    in an HZ commune holding a QPV without known perimeter (or located only by
    commune) is « à vérifier », never a silent no.
    """
    criterion, label = f"zone_{index}", f"zone sous-dense (site {index})"
    missing = check_located(located, criterion, label)
    if missing is not None:
        return missing
    place = located.placement
    name = f"{place.commune_name} ({place.commune_code})"
    if programme.region and place.region != programme.region:
        return Check(criterion, label, NO, f"{name} hors de la région du programme")
    if place.decree is None:
        return Check(
            criterion, label, CHECK, f"{name} : à vérifier, aucun arrêté de zonage connu à la date"
        )
    decree = place.decree.short
    zone = place.zone
    qpv = list(place.qpv or [])
    status = getattr(place, "decree_status", "")
    caveat = getattr(place, "decree_caveat", "")
    if status == NOT_LOADED:
        if programme.qpv and qpv:
            return Check(criterion, label, OK, f"{name} : dans le QPV {', '.join(qpv)}")
        return Check(criterion, label, CHECK, f"{name} : classement inconnu, à vérifier — {caveat}")
    if status == EXPIRED:
        under = zone in programme.zones or (programme.qpv and qpv)
        what = f"classée {zone}" if zone else "sans classe"
        if programme.qpv and qpv:
            what += f", dans le QPV {', '.join(qpv)}"
        verdict = "zone sous-dense" if under else "hors zone sous-dense"
        return Check(criterion, label, CHECK, f"{name} {what} ({verdict}) — {caveat}")
    if zone in programme.zones:
        return Check(criterion, label, OK, f"{name} classée {zone} ({decree})")
    if programme.qpv and qpv:
        return Check(criterion, label, OK, f"{name} : dans le QPV {', '.join(qpv)}")
    if zone is None or zone == "ND":
        # The same words as `zoning check`: why the class is no answer (absent from the
        # decree's table, ND...).
        from zoning.locate.placement import verdict_of

        why = verdict_of(place).reason
        return Check(criterion, label, CHECK, f"{name} : classement inconnu, à vérifier — {why}")
    in_commune = list(place.qpv_in_commune or [])
    if programme.qpv and in_commune:
        has_point = located.lon is not None and located.precision not in COARSE_PRECISIONS
        polygons = qpv_polygon_communes is not None and place.commune_code in qpv_polygon_communes
        if not (has_point and polygons):
            why = "périmètres QPV non disponibles" if has_point else "position précise nécessaire"
            return Check(
                criterion,
                label,
                CHECK,
                f"{name} classée {zone}, mais la commune compte "
                f"des QPV ({', '.join(in_commune)}) : {why}, à vérifier",
            )
    return Check(criterion, label, NO, f"{name} classée {zone} ({decree}) : hors zone sous-dense")


def check_shortage(programme: Programme, confirmed: bool) -> Check | None:
    """ARS finding of a shortage of liberal practice (salaried GP posts), if required."""
    if not programme.shortage_finding:
        return None
    label = "constat de carence"
    if confirmed:
        return Check("carence", label, OK, "carence de l'offre libérale constatée par l'ARS")
    return Check(
        "carence", label, CHECK, "constat de carence de l'offre libérale par l'ARS à vérifier"
    )


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

    def reasons(self) -> list[str]:
        """« label : reason » of every criterion that is not ok."""
        return [f"{c.label} : {c.reason}" for c in self.checks if c.verdict != OK]


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
            None,
            None,
            0.0,
            0,
        )
    if any(h is None for h in half_days):
        return PremiumResult(
            CHECK, "à vérifier : demi-journées par site non précisées", None, None, 0.0, 0
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
    checks: list[Check] = [Check("ligne", "données", INVALID, e) for e in post.errors]
    checks += [Check("ligne", "données", CHECK, d) for d in post.doubts]
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
        checks.append(Check("site_1", "site ambulatoire", INVALID, "aucun site ambulatoire"))
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
