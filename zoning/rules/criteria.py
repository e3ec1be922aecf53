"""Eligibility criteria of one post, as small pure functions.

Each ``check_*`` function takes the programme and the values it needs and returns a
:class:`Check` (criterion, verdict, the reason's code and its French words): a criterion
not met cannot be said without its code (:mod:`zoning.reasons`).
:func:`~zoning.rules.evaluate.evaluate_post` runs them all on a post whose sites are
already located, then adds distances, premium and funding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from zoning.errors import InvalidInputError
from zoning.identifiers import normalise_rpps
from zoning.io.french import format_date
from zoning.io.text import fold
from zoning.locate.site import COARSE_PRECISIONS, Located
from zoning.reasons import PASSED, Reason, is_code
from zoning.rules.programme import Programme
from zoning.rules.types import type_code, type_label
from zoning.rules.verdicts import CHECK, INVALID, NO, OK, Verdict
from zoning.store.decrees import EXPIRED, NOT_LOADED, STATUS_CODES


@dataclass(frozen=True)
class Check:
    """One criterion's outcome: ``code`` is the reason's code in the catalogue
    (:data:`~zoning.reasons.PASSED` for a criterion met, and only then)."""

    criterion: str
    label: str
    verdict: Verdict
    code: str
    reason: str

    def __post_init__(self) -> None:
        if (self.verdict == OK) != (self.code == PASSED):
            raise ValueError(f"{self.criterion} : code {self.code!r} pour « {self.verdict} »")
        if self.code != PASSED and not is_code(self.code):
            raise ValueError(f"{self.criterion} : code de motif mal formé {self.code!r}")

    @property
    def motif(self) -> Reason:
        """The reason as the outputs give it: « label : words », with its code."""
        return Reason(self.code, f"{self.label} : {self.reason}")

    @classmethod
    def of(cls, criterion: str, label: str, verdict: Verdict, reason: Reason) -> Check:
        """A check whose reason was made elsewhere (a site's error, a row's value)."""
        return cls(criterion, label, verdict, reason.code, reason.text)


def check_rpps(programme: Programme, rpps: str | None) -> Check:
    """RPPS number given and well formed (11 digits)."""
    label = "n° RPPS"
    if not rpps:
        if not programme.rpps_required:
            return Check("rpps", label, OK, PASSED, "n° RPPS non fourni")
        return Check("rpps", label, CHECK, "CAND-RPPS-ABSENT", "n° RPPS non fourni")
    try:
        number = normalise_rpps(rpps)
    except InvalidInputError as exc:
        return Check("rpps", label, INVALID, "DONNEES-RPPS-INVALIDE", str(exc))
    return Check("rpps", label, OK, PASSED, f"n° RPPS {number}")


def check_ordre(programme: Programme, registered: dt.date | None) -> Check:
    """Registration with the Ordre des médecins on or before the programme's deadline."""
    label = "inscription à l'Ordre"
    deadline = programme.ordre_registration_by
    if deadline is None:
        return Check("ordre", label, OK, PASSED, "pas de date limite dans ce programme")
    if registered is None:
        return Check(
            "ordre",
            label,
            CHECK,
            "ORDRE-DATE-ABSENTE",
            f"date d'inscription à l'Ordre non fournie (au plus tard le {format_date(deadline)})",
        )
    if registered <= deadline:
        return Check("ordre", label, OK, PASSED, f"inscrit le {format_date(registered)}")
    return Check(
        "ordre",
        label,
        NO,
        "ORDRE-INSCRIPTION-TARDIVE",
        f"inscrit le {format_date(registered)}, après le {format_date(deadline)}",
    )


def check_specialty(programme: Programme, specialty: str | None) -> Check:
    """Specialty required or excluded by the programme."""
    label = "spécialité"
    if programme.specialty is None and not programme.excluded_specialties:
        return Check("specialite", label, OK, PASSED, "toutes spécialités")
    if not specialty:
        if programme.specialty is not None:
            # A single-specialty programme: the column is not needed to know it.
            return Check(
                "specialite", label, OK, PASSED, f"supposée : {programme.specialty} (programme)"
            )
        return Check(
            "specialite", label, CHECK, "CAND-SPECIALITE-ABSENTE", "spécialité non fournie"
        )
    given = fold(specialty)
    if given in {"mg", "medecin generaliste", "generaliste"}:
        given = "medecine generale"
    if programme.specialty is not None and given != fold(programme.specialty):
        return Check(
            "specialite",
            label,
            NO,
            "CAND-SPECIALITE-AUTRE",
            f"{specialty} : programme réservé à la {programme.specialty}",
        )
    if given in {fold(s) for s in programme.excluded_specialties}:
        return Check(
            "specialite", label, NO, "CAND-SPECIALITE-EXCLUE", f"{specialty} exclue de ce programme"
        )
    return Check("specialite", label, OK, PASSED, specialty)


def _check_type(
    criterion: str,
    label: str,
    raw: str | None,
    allowed: Collection[str],
    source: str | None = None,
) -> Check:
    if not raw:
        return Check(criterion, label, CHECK, "TYPE-ABSENT", "type non fourni")
    code = type_code(raw)
    if code is None:
        return Check(criterion, label, CHECK, "TYPE-INCONNU", f"type non reconnu : « {raw} »")
    said = f" (d'après {source})" if source else ""

    def refused() -> Check:
        wanted = ", ".join(sorted(type_label(c) for c in allowed))
        said_type = f"{type_label(code)}{said} non admis (admis : {wanted})"
        return Check(criterion, label, NO, "TYPE-NON-ADMIS", said_type)

    if code == "prive":
        # Private, but ESPIC or for-profit is not said: fine only if both are admitted.
        both = {"espic", "prive_lucratif"}
        if both <= set(allowed):
            return Check(
                criterion, label, OK, PASSED, f"{type_label(code)}{said} : les deux sont admis"
            )
        if not both & set(allowed):
            return refused()
        return Check(
            criterion,
            label,
            CHECK,
            "TYPE-PRIVE-NON-PRECISE",
            f"établissement privé{said} : ESPIC ou à but lucratif, la source ne le dit pas",
        )
    if code not in allowed:
        return refused()
    return Check(criterion, label, OK, PASSED, f"{type_label(code)}{said}")


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
        return Check("repartition", label, OK, PASSED, "sans objet (pas de site hospitalier)")
    if hospital_half_days is None:
        return Check(
            "repartition",
            label,
            CHECK,
            "TEMPS-HOPITAL-ABSENT",
            "demi-journées à l'hôpital non fournies",
        )
    week = programme.week_half_days
    known = [h for h in site_half_days if h is not None]
    total = hospital_half_days + sum(known)
    if hospital_half_days < 0 or hospital_half_days > week or total > week:
        return Check(
            "repartition",
            label,
            INVALID,
            "DONNEES-TEMPS-DEPASSE",
            f"{total:g} demi-journées par semaine au total (maximum {week:g})",
        )
    percent = round(100 * hospital_half_days / week)
    share = f"{hospital_half_days:g} demi-journées à l'hôpital ({percent} %)"
    allowed = ", ".join(f"{h:g}" for h in programme.hospital_half_days)
    if hospital_half_days in programme.hospital_half_days:
        return Check("repartition", label, OK, PASSED, share)
    if programme.other_split_if_motivated:
        if motivated:
            return Check("repartition", label, OK, PASSED, f"{share}, répartition motivée")
        return Check(
            "repartition",
            label,
            CHECK,
            "TEMPS-A-MOTIVER",
            f"{share} : répartition différente de {allowed} demi-journées, à motiver",
        )
    return Check(
        "repartition", label, NO, "TEMPS-NON-ADMIS", f"{share} ; admis : {allowed} demi-journées"
    )


def check_duration(programme: Programme, months: int | None, derogation: bool = False) -> Check:
    """Duration in months, a derogation duration only when the derogation is flagged."""
    label = "durée"
    if months is None:
        return Check("duree", label, CHECK, "DUREE-ABSENTE", "durée non fournie")
    if months in programme.duration_months:
        return Check("duree", label, OK, PASSED, f"{months} mois")
    if months in programme.derogation_months:
        if derogation:
            return Check(
                "duree", label, OK, PASSED, f"{months} mois par dérogation (projet motivé)"
            )
        return Check(
            "duree",
            label,
            CHECK,
            "DUREE-DEROGATION",
            f"{months} mois : possible seulement par dérogation "
            "(projet professionnel motivé), à indiquer",
        )
    allowed = ", ".join(str(m) for m in (*programme.duration_months, *programme.derogation_months))
    return Check("duree", label, NO, "DUREE-NON-ADMISE", f"{months} mois ; admis : {allowed} mois")


def check_start(programme: Programme, start: dt.date | None) -> Check:
    """Start date in one of the programme's start months."""
    label = "date de prise de poste"
    if start is None:
        return Check(
            "debut",
            label,
            CHECK,
            "DEBUT-ABSENT",
            "date de début non fournie (zonage jugé à la date du dernier arrêté connu)",
        )
    month = f"{start.year:04d}-{start.month:02d}"
    if not programme.start_months or month in programme.start_months:
        return Check("debut", label, OK, PASSED, format_date(start))
    months = ", ".join(programme.start_months)
    return Check(
        "debut",
        label,
        NO,
        "DEBUT-HORS-CALENDRIER",
        f"{format_date(start)} hors des mois de prise de poste prévus ({months})",
    )


def check_application(programme: Programme, filed: dt.date | None) -> Check | None:
    """Application filed by the programme's deadline (None when either date is unknown)."""
    deadline = programme.application_deadline
    if deadline is None or filed is None:
        return None
    label = "date de dépôt"
    if filed <= deadline:
        return Check("depot", label, OK, PASSED, f"déposée le {format_date(filed)}")
    return Check(
        "depot",
        label,
        NO,
        "DEPOT-HORS-DELAI",
        f"déposée le {format_date(filed)}, après le {format_date(deadline)}",
    )


def check_located(located: Located | None, criterion: str, label: str) -> Check | None:
    """A check when a site could not be located (None when it was)."""
    if located is None:
        return Check(criterion, label, INVALID, "SITE-NON-RENSEIGNE", "site non renseigné")
    if located.error:
        return Check.of(criterion, label, INVALID if located.invalid else CHECK, located.error)
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
        return Check(
            criterion, label, NO, "ZON-HORS-REGION", f"{name} hors de la région du programme"
        )
    if place.decree is None:
        return Check(
            criterion,
            label,
            CHECK,
            "ZON-AUCUN-ARRETE",
            f"{name} : à vérifier, aucun arrêté de zonage connu à la date",
        )
    decree = place.decree.short
    zone = place.zone
    qpv = list(place.qpv or [])
    status = getattr(place, "decree_status", "")
    caveat = getattr(place, "decree_caveat", "")
    if status == NOT_LOADED:
        if programme.qpv and qpv:
            return Check(criterion, label, OK, PASSED, f"{name} : dans le QPV {', '.join(qpv)}")
        said = f"{name} : classement inconnu, à vérifier — {caveat}"
        return Check(criterion, label, CHECK, STATUS_CODES[NOT_LOADED], said)
    if status == EXPIRED:
        under = zone in programme.zones or (programme.qpv and qpv)
        what = f"classée {zone}" if zone else "sans classe"
        if programme.qpv and qpv:
            what += f", dans le QPV {', '.join(qpv)}"
        verdict = "zone sous-dense" if under else "hors zone sous-dense"
        said = f"{name} {what} ({verdict}) — {caveat}"
        return Check(criterion, label, CHECK, STATUS_CODES[EXPIRED], said)
    if zone in programme.zones:
        return Check(criterion, label, OK, PASSED, f"{name} classée {zone} ({decree})")
    if programme.qpv and qpv:
        return Check(criterion, label, OK, PASSED, f"{name} : dans le QPV {', '.join(qpv)}")
    if zone is None or zone == "ND":
        # The same words as `zoning check`: why the class is no answer (absent from the
        # decree's table, ND...).
        from zoning.locate.placement import verdict_of

        answer = verdict_of(place)
        said = f"{name} : classement inconnu, à vérifier — {answer.reason}"
        return Check(criterion, label, CHECK, answer.code or "ZON-CLASSE-INCONNUE", said)
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
                "SITE-QPV-PERIMETRE" if has_point else "SITE-QPV-POSITION",
                f"{name} classée {zone}, mais la commune compte "
                f"des QPV ({', '.join(in_commune)}) : {why}, à vérifier",
            )
    said = f"{name} classée {zone} ({decree}) : hors zone sous-dense"
    return Check(criterion, label, NO, "ZON-HORS-ZONE", said)


def check_shortage(programme: Programme, confirmed: bool) -> Check | None:
    """ARS finding of a shortage of liberal practice (salaried GP posts), if required."""
    if not programme.shortage_finding:
        return None
    label = "constat de carence"
    if confirmed:
        return Check(
            "carence", label, OK, PASSED, "carence de l'offre libérale constatée par l'ARS"
        )
    return Check(
        "carence",
        label,
        CHECK,
        "CARENCE-A-VERIFIER",
        "constat de carence de l'offre libérale par l'ARS à vérifier",
    )
