"""A shared post as the rules see it: a candidate, a main site, other sites, dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from zoning.locate.site import SiteInput
from zoning.reasons import Reason


@dataclass(frozen=True)
class Post:
    """One candidate post; values not given are None and checked as « à vérifier »."""

    ref: str | None = None
    rpps: str | None = None
    ordre_date: dt.date | None = None
    specialty: str | None = None
    hospital: SiteInput | None = None
    establishment_type: str | None = None
    # Where ``establishment_type`` comes from when the user did not give it (FINESS record).
    establishment_type_source: str | None = None
    hospital_half_days: float | None = None
    sites: tuple[SiteInput, ...] = ()
    start: dt.date | None = None
    months: int | None = None
    duration_derogation: bool = False
    split_motivated: bool = False
    premium_derogation: str | None = None
    shortage_confirmed: bool = False
    monthly_cost: float | None = None
    filed: dt.date | None = None
    errors: tuple[Reason, ...] = field(default=())
    #: Values read but not settled (« novembre 2024 »: which day?): « à vérifier », not invalid.
    doubts: tuple[Reason, ...] = field(default=())
