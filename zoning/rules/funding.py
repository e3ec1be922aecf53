"""ARS funding of a post: monthly and total, from the programme's funding rule."""

from __future__ import annotations

from dataclasses import dataclass

from zoning.io.french import format_amount
from zoning.reasons import needs_code
from zoning.rules.programme import Funding
from zoning.rules.verdicts import CHECK, NO, OK, Verdict


@dataclass(frozen=True)
class FundingResult:
    """Monthly and total ARS funding (None when the inputs do not fix it)."""

    verdict: Verdict
    reason: str
    #: The reason's code in the catalogue (:mod:`zoning.reasons`); None when funded.
    code: str | None
    monthly: float | None
    total: float | None

    def __post_init__(self) -> None:
        needs_code(self.verdict in (CHECK, NO), self.code, self.reason)


def funding(
    rule: Funding,
    hospital_half_days: float | None,
    months: int | None,
    monthly_cost: float | None = None,
) -> FundingResult:
    """ARS funding for a post.

    Parameters
    ----------
    rule
        The programme's funding rule.
    hospital_half_days
        Weekly half-days at the hospital (for amounts set by time split).
    months
        Duration of the post in months (for the total).
    monthly_cost
        Monthly cost of the post (for a share of cost) or monthly shortfall salary
        minus revenue (for a break-even guarantee), when known.
    """
    monthly: float | None
    if rule.kind == "by_hospital_half_days":
        if hospital_half_days is None:
            return FundingResult(
                CHECK, "à vérifier : répartition du temps inconnue", "FIN-TEMPS-INCONNU", None, None
            )
        amount = rule.monthly_by_half_days.get(float(hospital_half_days))
        if amount is None:
            allowed = ", ".join(f"{k:g}" for k in sorted(rule.monthly_by_half_days))
            return FundingResult(
                NO,
                f"aucun financement prévu pour {hospital_half_days:g} demi-journées à "
                f"l'hôpital (prévu pour {allowed})",
                "FIN-TEMPS-NON-PREVU",
                None,
                None,
            )
        monthly = amount
    elif rule.kind == "fixed_monthly":
        monthly = rule.monthly_amount
    elif rule.kind == "share_of_cost":
        if monthly_cost is None:
            share = f"{(rule.share or 0) * 100:g} %"
            return FundingResult(
                CHECK,
                f"à vérifier : {share} du coût mensuel du poste (coût non fourni)",
                "FIN-COUT-ABSENT",
                None,
                None,
            )
        monthly = round(monthly_cost * (rule.share or 0.0), 2)
    else:
        if monthly_cost is None:
            return FundingResult(
                CHECK,
                "à vérifier : différence salaire - recettes (montants non fournis)",
                "FIN-MONTANTS-ABSENTS",
                None,
                None,
            )
        monthly = round(max(monthly_cost, 0.0), 2)
    assert monthly is not None
    total = round(monthly * months, 2) if months else None
    reason = f"{format_amount(monthly)} par mois"
    if total is not None:
        reason += f", {format_amount(total)} sur {months} mois"
    return FundingResult(OK, reason, None, monthly, total)
