"""Load and validate programme rules files (``data/programmes/<id>.toml``).

A programme file holds every figure of one programme and campaign (amounts, allowed
half-day splits, durations, dates, allowed establishment and structure types, premium
tiers, the distance threshold). The code reads them here, once, and refuses a file
that is incomplete or malformed with a French message naming the file and the field.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zoning.errors import InvalidInputError, NotFoundError, ProgrammeFileError

FUNDING_KINDS = ("by_hospital_half_days", "fixed_monthly", "share_of_cost", "break_even")


@dataclass(frozen=True)
class PremiumTier:
    """One row of the territorial-premium table.

    Matches ``h`` half-days a week outside the main site on ``n`` other sites when
    ``min < h`` (``<=`` if ``min_inclusive``), ``h <= max`` (no bound if ``max`` is
    None) and ``n >= min_other_sites``.
    """

    amount: float
    min: float
    max: float | None = None
    min_inclusive: bool = False
    min_other_sites: int = 1

    def matches(self, half_days: float, other_sites: int) -> bool:
        """Whether ``half_days`` on ``other_sites`` sites falls in this tier."""
        above = half_days >= self.min if self.min_inclusive else half_days > self.min
        below = self.max is None or half_days <= self.max
        return above and below and other_sites >= self.min_other_sites


@dataclass(frozen=True)
class PremiumRules:
    """Territorial premium: distance threshold, tiers, derogations (code -> label)."""

    min_distance_km: float
    tiers: tuple[PremiumTier, ...]
    derogations: Mapping[str, str]
    basis: str = ""


@dataclass(frozen=True)
class Funding:
    """How the ARS funds the post (see ``FUNDING_KINDS``)."""

    kind: str
    basis: str
    monthly_by_half_days: Mapping[float, float] = field(default_factory=dict)
    monthly_amount: float | None = None
    share: float | None = None


@dataclass(frozen=True)
class Programme:
    """Every rule of one programme and campaign, as read from its TOML file."""

    id: str
    title: str
    short: str
    path: Path
    sources: tuple[str, ...]
    region: str | None
    campaign: int | None
    ordre_registration_by: dt.date | None
    rpps_required: bool
    specialty: str | None
    excluded_specialties: tuple[str, ...]
    hospital_required: bool
    establishment_types: frozenset[str]
    structure_types: frozenset[str]
    zones: frozenset[str]
    qpv: bool
    shortage_finding: bool
    week_half_days: float
    hospital_half_days: tuple[float, ...]
    other_split_if_motivated: bool
    duration_months: tuple[int, ...]
    derogation_months: tuple[int, ...]
    application_deadline: dt.date | None
    start_months: tuple[str, ...]
    funding: Funding
    premium: PremiumRules | None


class _Reader:
    """Typed access to a parsed TOML table that reports the dotted field name on error."""

    def __init__(self, path: Path, data: Mapping[str, Any], prefix: str = "") -> None:
        self.path = path
        self.data = data
        self.prefix = prefix

    def fail(self, key: str, expected: str) -> ProgrammeFileError:
        name = f"{self.prefix}{key}"
        got = self.data.get(key, "<absent>")
        return ProgrammeFileError(
            f"fichier de programme {self.path.name} : champ « {name} » invalide "
            f"(attendu : {expected} ; trouvé : {got!r})"
        )

    def sub(self, key: str, required: bool = True) -> _Reader:
        value = self.data.get(key)
        if value is None and not required:
            return _Reader(self.path, {}, f"{self.prefix}{key}.")
        if not isinstance(value, dict):
            raise self.fail(key, "une table [" + f"{self.prefix}{key}" + "]")
        return _Reader(self.path, value, f"{self.prefix}{key}.")

    def has(self, key: str) -> bool:
        return key in self.data

    def text(self, key: str, default: str | None = None, required: bool = True) -> str | None:
        value = self.data.get(key, default)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "un texte non vide")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "true ou false")
        return value

    def number(self, key: str, default: float | None = None, required: bool = True) -> float | None:
        value = self.data.get(key, default)
        if value is None and not required:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise self.fail(key, "un nombre")
        if value < 0:
            raise self.fail(key, "un nombre positif")
        return float(value)

    def day(self, key: str) -> dt.date | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise self.fail(key, "une date AAAA-MM-JJ (sans guillemets)")
        return value

    def items(
        self, key: str, kind: type | tuple[type, ...], default: list[Any] | None = None
    ) -> list[Any]:
        value = self.data.get(key, default)
        if not isinstance(value, list) or not all(
            isinstance(v, kind) and not isinstance(v, bool) for v in value
        ):
            raise self.fail(key, f"une liste de {_KIND_NAMES.get(kind, 'nombres')}")
        return value


_KIND_NAMES: dict[object, str] = {str: "textes", int: "entiers", dict: "tables"}


def _tiers(reader: _Reader) -> tuple[PremiumTier, ...]:
    raw = reader.items("tiers", dict)
    if not raw:
        raise reader.fail("tiers", "au moins un palier")
    tiers = []
    for i, item in enumerate(raw):
        row = _Reader(reader.path, item, f"{reader.prefix}tiers[{i + 1}].")
        amount = row.number("amount")
        low = row.number("min")
        assert amount is not None and low is not None
        high = row.number("max", required=False)
        if high is not None and high < low:
            raise row.fail("max", f"une borne >= min ({low:g})")
        sites = row.number("min_other_sites", default=1)
        assert sites is not None
        if sites != int(sites) or sites < 1:
            raise row.fail("min_other_sites", "un entier >= 1")
        tiers.append(
            PremiumTier(
                amount=amount,
                min=low,
                max=high,
                min_inclusive=row.flag("min_inclusive", False),
                min_other_sites=int(sites),
            )
        )
    return tuple(tiers)


def _funding(reader: _Reader) -> Funding:
    kind = reader.text("kind")
    if kind not in FUNDING_KINDS:
        raise reader.fail("kind", " / ".join(FUNDING_KINDS))
    basis = reader.text("basis") or ""
    if kind == "by_hospital_half_days":
        monthly = reader.sub("monthly")
        table: dict[float, float] = {}
        for key in monthly.data:
            try:
                half_days = float(key)
            except ValueError:
                raise monthly.fail(key, 'des clés en demi-journées ("4", "5"...)') from None
            amount = monthly.number(key)
            assert amount is not None
            table[half_days] = amount
        if not table:
            raise reader.fail("monthly", "au moins un montant")
        return Funding(kind=kind, basis=basis, monthly_by_half_days=table)
    if kind == "fixed_monthly":
        return Funding(kind=kind, basis=basis, monthly_amount=reader.number("monthly_amount"))
    if kind == "share_of_cost":
        share = reader.number("share")
        assert share is not None
        if share > 1:
            raise reader.fail("share", "une part entre 0 et 1")
        return Funding(kind=kind, basis=basis, share=share)
    return Funding(kind=kind, basis=basis)


def _start_months(reader: _Reader) -> tuple[str, ...]:
    months = reader.items("start_months", str, [])
    for month in months:
        try:
            dt.date.fromisoformat(month + "-01")
        except ValueError:
            raise reader.fail("start_months", "des mois AAAA-MM") from None
    return tuple(months)


def parse_programme(path: Path, data: Mapping[str, Any]) -> Programme:
    """Build a :class:`Programme` from the parsed TOML ``data`` of ``path``.

    Raises
    ------
    ProgrammeFileError
        When a field is missing or has the wrong type; the message names the file and
        the field.
    """
    top = _Reader(path, data)
    pid = top.text("id") or ""
    if pid != path.stem:
        raise top.fail("id", f"le nom du fichier sans extension ({path.stem!r})")
    candidate = top.sub("candidate", required=False)
    hospital = top.sub("hospital")
    ambulatory = top.sub("ambulatory")
    split = top.sub("time_split", required=False)
    duration = top.sub("duration")
    calendar = top.sub("calendar", required=False)
    hospital_required = hospital.flag("required", True)
    half_days = tuple(float(v) for v in split.items("hospital_half_days", (int, float), []))
    if hospital_required and not half_days:
        raise split.fail("hospital_half_days", "au moins une répartition (demi-journées)")
    months = [int(m) for m in duration.items("months", int)]
    if not months:
        raise duration.fail("months", "au moins une durée en mois")
    premium = None
    if top.has("premium"):
        prem = top.sub("premium")
        distance = prem.number("min_distance_km")
        assert distance is not None
        derogations = prem.sub("derogations", required=False)
        labels = {k: derogations.text(k) or "" for k in derogations.data}
        premium = PremiumRules(
            min_distance_km=distance,
            tiers=_tiers(prem),
            derogations=labels,
            basis=prem.text("basis", required=False) or "",
        )
    campaign = top.number("campaign", required=False)
    region = top.text("region", required=False)
    return Programme(
        id=pid,
        title=top.text("title") or "",
        short=top.text("short") or "",
        path=path,
        sources=tuple(top.items("sources", str)),
        region=region,
        campaign=int(campaign) if campaign is not None else None,
        ordre_registration_by=candidate.day("ordre_registration_by"),
        rpps_required=candidate.flag("rpps_required", True),
        specialty=candidate.text("specialty", required=False),
        excluded_specialties=tuple(candidate.items("excluded_specialties", str, [])),
        hospital_required=hospital_required,
        establishment_types=frozenset(hospital.items("establishment_types", str, [])),
        structure_types=frozenset(ambulatory.items("structure_types", str)),
        zones=frozenset(ambulatory.items("zones", str)),
        qpv=ambulatory.flag("qpv", False),
        shortage_finding=ambulatory.flag("shortage_finding", False),
        week_half_days=split.number("week_half_days", default=10) or 10.0,
        hospital_half_days=half_days,
        other_split_if_motivated=split.flag("other_split_if_motivated", False),
        duration_months=tuple(months),
        derogation_months=tuple(int(m) for m in duration.items("derogation_months", int, [])),
        application_deadline=calendar.day("application_deadline"),
        start_months=_start_months(calendar),
        funding=_funding(top.sub("funding")),
        premium=premium,
    )


def load_programme_file(path: Path) -> Programme:
    """Read and validate one programme rules file."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ProgrammeFileError(
            f"fichier de programme {path.name} : TOML illisible ({exc})"
        ) from exc
    return parse_programme(path, data)


def programme_files(folder: Path | None = None) -> dict[str, Path]:
    """Programme files by id: those of ``folder``, or (None) the files in use.

    The files in use are the shipped ones and those of the user folder, which add or
    override (:meth:`zoning.settings.Settings.rule_files`).
    """
    if folder is not None:
        return {p.stem: p for p in sorted(folder.glob("*.toml"))}
    from zoning.settings import get_settings

    return {key: f.path for key, f in get_settings().rule_files("programmes").items()}


def list_programmes(folder: Path | None = None) -> list[str]:
    """Ids of the programme files available, sorted."""
    return sorted(programme_files(folder))


_PROGRAMME_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


def load_programme(programme_id: str, folder: Path | None = None) -> Programme:
    """Load the programme ``programme_id`` (from ``folder``, else the files in use).

    Raises
    ------
    InvalidInputError
        When ``programme_id`` is not a name (``[a-z0-9-]+``): a path is refused.
    NotFoundError
        When no file ``<programme_id>.toml`` exists (the message lists the known ids).
    ProgrammeFileError
        When the file is malformed.
    """
    if not _PROGRAMME_ID.fullmatch(programme_id or ""):
        # An id is a name, never a path: « ../../pyproject » must not load another TOML.
        known = ", ".join(list_programmes(folder)) or "aucun"
        raise InvalidInputError(
            f"identifiant de programme invalide : {programme_id!r} (lettres minuscules, "
            f"chiffres et tirets ; programmes connus : {known})"
        )
    available = programme_files(folder)
    path = available.get(programme_id)
    if path is None:
        known = ", ".join(sorted(available)) or "aucun"
        raise NotFoundError(f"programme inconnu : {programme_id!r} (programmes connus : {known})")
    return load_programme_file(path)
