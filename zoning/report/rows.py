"""Turn one input row (text cells by field) into a :class:`~zoning.rules.post.Post`.

Values are parsed by :mod:`zoning.io.values` (French decimal comma, dates in figures or
words, Excel serials, « 2 ans », « 5 ½ », oui/non); a value that cannot be read becomes an error on
the post, reported on its row, and never stops the run.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from zoning.identifiers import is_insee
from zoning.io.text import fold
from zoning.io.values import (
    FALSE_WORDS,
    parse_bool,
    parse_date,
    parse_half_days,
    parse_months,
    parse_number,
)
from zoning.locate.site import SiteInput
from zoning.reasons import Reason
from zoning.report.fields import MAX_SITES
from zoning.rules.post import Post

__all__ = ["parse_bool", "parse_date", "parse_derogation", "parse_number", "post_from_cells"]

_DEROGATIONS = {
    "entit": "entites_juridiques_differentes",
    "juridique": "entites_juridiques_differentes",
    "penitent": "unite_sanitaire_penitentiaire",
    "prison": "unite_sanitaire_penitentiaire",
    "usmp": "unite_sanitaire_penitentiaire",
}


def parse_derogation(text: str) -> str | None:
    """Code of an ARS derogation to the 20 km rule from the user's wording."""
    value = fold(text)
    if not value or value in FALSE_WORDS:
        return None
    for key, code in _DEROGATIONS.items():
        if key in value:
            return code
    return value.replace(" ", "_")


_SITE_CELLS = ("insee", "ville", "lon", "lat", "cp", "finess", "adresse", "nom", "type", "dj")


@functools.cache
def _site_keys(prefix: str) -> tuple[str, ...]:
    return tuple(f"{prefix}_{attr}" for attr in _SITE_CELLS)


def _site(cells: Mapping[str, str], prefix: str, errors: list[Reason], label: str) -> SiteInput:
    # One pass over the site's cells, in the order of _SITE_CELLS.
    insee, city, lon, lat, cp, finess, address, name, kind, dj = (
        cells[key].strip() if key in cells else "" for key in _site_keys(prefix)
    )
    # Most files have no site 2 or 3 column, or leave them blank.
    if not (insee or city or lon or lat or cp or finess or address or name or kind or dj):
        return SiteInput()
    commune = insee
    # A « commune » column often holds the INSEE code itself.
    if not commune and city and is_insee(city) and re.fullmatch(r"[0-9AB]{4,5}", city.upper()):
        commune, city = city, ""
    return SiteInput(
        lon=parse_number(lon, f"longitude ({label})", errors),
        lat=parse_number(lat, f"latitude ({label})", errors),
        commune=commune or None,
        postcode=cp or None,
        city=city or None,
        finess=finess or None,
        address=address or None,
        name=name or None,
        kind=kind or None,
        half_days=parse_half_days(dj, f"demi-journées ({label})", errors),
    )


def post_from_cells(cells: Mapping[str, str], week_half_days: float = 10.0) -> Post:
    """Build a post from the cells of one row, keyed by field name (see columns.FIELDS)."""
    errors: list[Reason] = []
    doubts: list[Reason] = []

    def get(name: str) -> str:
        return cells.get(name, "").strip()

    half_days = parse_half_days(
        get("dj_hopital"), "demi-journées à l'hôpital", errors, week_half_days
    )
    if half_days is None and get("quotite_hopital"):
        share = parse_number(get("quotite_hopital"), "quotité hospitalière", errors)
        if share is not None:
            share = share / 100 if share > 1 else share
            half_days = round(share * week_half_days, 2)
    months = parse_months(get("duree"), "durée", errors)
    if months is not None and months != int(months):
        errors.append(Reason("DONNEES-DUREE-NON-ENTIERE", f"durée non entière : {months:g} mois"))
    sites = []
    for k in range(1, MAX_SITES + 1):
        site = _site(cells, f"site{k}", errors, f"site {k}")
        if k == 1 or not site.is_empty():
            sites.append(site)
    cost = parse_number(get("cout_mensuel"), "coût mensuel", errors)
    return Post(
        ref=get("ref") or None,
        rpps=get("rpps") or None,
        ordre_date=parse_date(get("ordre"), "date d'inscription à l'Ordre", errors, doubts),
        specialty=get("specialite") or None,
        hospital=_site(cells, "hop", errors, "établissement"),
        establishment_type=get("type_etablissement") or None,
        hospital_half_days=half_days,
        sites=tuple(sites),
        start=parse_date(get("date_debut"), "date de début", errors, doubts),
        months=int(months) if months is not None else None,
        duration_derogation=parse_bool(get("derogation_duree"), "dérogation de durée", errors),
        split_motivated=parse_bool(get("repartition_motivee"), "répartition motivée", errors),
        premium_derogation=parse_derogation(get("derogation_prime")),
        shortage_confirmed=parse_bool(get("carence"), "carence constatée", errors),
        monthly_cost=cost,
        filed=parse_date(get("date_depot"), "date de dépôt", errors, doubts),
        errors=tuple(errors),
        doubts=tuple(doubts),
    )
