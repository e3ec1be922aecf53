"""The answer of every lookup: where a place is, under which decree, and what that means
(:class:`Placement`), with its verdict in words for a person (:func:`verdict_of`)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

from zoning.locate.classes import ZONE_LABELS
from zoning.reasons import Reason, needs_code, title
from zoning.store.decrees import STATUS_CODES, Decree
from zoning.store.store import EXPIRED, IN_FORCE, NOT_LOADED


@dataclass
class Placement:
    """Where a place is and what that means for under-served eligibility."""

    query: str
    via: str
    commune_code: str | None = None
    commune_name: str | None = None
    departement: str | None = None
    region: str | None = None
    decree: Decree | None = None
    zone: str | None = None
    qpv: list[str] = field(default_factory=list)
    qpv_in_commune: list[str] = field(default_factory=list)
    under_served: bool | None = None
    lon: float | None = None
    lat: float | None = None
    notes: list[str] = field(default_factory=list)
    decree_status: str = IN_FORCE
    decree_caveat: str = ""
    #: Why the class is « à vérifier » although the commune is known (a commune nouvelle
    #: over communes of different classes, a restored commune), for the sentence.
    zone_check: str = ""
    #: The store's communes a later commune covers (a commune nouvelle answered under its
    #: own name): its area is theirs together, not that of the one whose code it kept.
    members: list[str] = field(default_factory=list)
    #: Doubts on where the place is, besides its class (an address found outside the
    #: stated commune, so the commune was kept), each with its code.
    doubts: list[Reason] = field(default_factory=list)

    @property
    def to_verify(self) -> bool:
        """Whether the answer rests on no class or on an expired decree's classes."""
        return self.decree_status != IN_FORCE or self.under_served is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form, with the decree reduced to its id and description."""
        # Shallow on purpose: ``asdict`` deep-copies the decree record only to drop it, and
        # was half the time of an API answer.
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        for key in ("qpv", "qpv_in_commune", "notes", "members"):
            out[key] = list(out[key])
        del out["doubts"]
        out["decree"] = (
            {"id": self.decree.id, "title": self.decree.provenance()} if self.decree else None
        )
        out["zone_label"] = ZONE_LABELS.get(self.zone or "")
        out["to_verify"] = self.to_verify
        verdict = verdict_of(self)
        out["verdict"], out["motif"], out["code"] = verdict.answer, verdict.reason, verdict.code
        out["motifs"] = [
            {"code": r.code, "texte": r.text, "titre": title(r.code)} for r in self.motifs()
        ]
        return out

    def motifs(self) -> list[Reason]:
        """Every reason of the answer that asks a person to check, each with its code:
        the verdict's, then the doubts on where the place is."""
        verdict = verdict_of(self)
        own = [verdict.motif] if verdict.motif is not None else []
        return own + list(self.doubts)

    def sentence(self) -> str:
        """A short French sentence for people."""
        where = f"{self.commune_name} ({self.commune_code})"
        if self.decree_status == NOT_LOADED:
            verdict = "classement inconnu, à vérifier"
            if self.qpv:
                verdict = f"dans le QPV {', '.join(self.qpv)}, zone sous-dense ; zonage : {verdict}"
            return f"{where} : {verdict} — {self.decree_caveat}."
        if self.qpv:
            verdict = f"dans le QPV {', '.join(self.qpv)}, zone sous-dense"
            if self.zone:
                verdict = f"{self.zone}, {verdict}"
        elif self.zone_check:
            verdict = f"classe à vérifier ({self.zone_check})"
        elif self.under_served is None:
            # No class, ND, or QPV without perimeters: never « pas zone sous-dense »,
            # always « à vérifier » and why.
            zone = self.zone or ""
            what = f"{zone} ({ZONE_LABELS.get(zone, zone)})" if zone else ""
            doubts = [_class_doubt(self)] if self.zone in (None, "", "ND") else []
            doubts += ["la commune compte des QPV"] if self.qpv_in_commune else []
            verdict = f"{what or 'sans classe dans le zonage'} — à vérifier : {' ; '.join(doubts)}"
        elif self.under_served:
            verdict = f"{self.zone}, zone sous-dense"
        else:
            zone = self.zone or ""
            verdict = f"{zone} ({ZONE_LABELS.get(zone, zone)}), pas zone sous-dense"
        decree = f" — {self.decree.provenance()}" if self.decree else ""
        if self.decree_status == EXPIRED:
            decree += f" ; {self.decree_caveat}"
        return f"{where} : {verdict}{decree}."


@dataclass(frozen=True)
class Verdict:
    """Under-served or not, in words: ``oui``, ``non`` or ``à vérifier``, and why; ``code``
    is the reason's code in the catalogue (None for ``oui``: nothing to explain)."""

    answer: Literal["oui", "non", "à vérifier"]
    reason: str
    code: str | None

    def __post_init__(self) -> None:
        needs_code(self.answer != "oui", self.code, self.reason)

    @property
    def motif(self) -> Reason | None:
        """The reason with its code (None for ``oui``)."""
        return Reason(self.code, self.reason) if self.code else None


def verdict_of(placement: Placement) -> Verdict:
    """The answer of a placement for a person, with the reason taken from the placement."""
    zone = placement.zone or ""
    label = ZONE_LABELS.get(zone, zone)
    decree = placement.decree.short if placement.decree else "l'arrêté"
    if placement.qpv:
        return Verdict(
            "oui", f"le lieu est dans le quartier prioritaire {', '.join(placement.qpv)}", None
        )
    if placement.decree_status != IN_FORCE:
        # A decree whose annex is not loaded, or an expired one before its successor:
        # the person decides, told why (never the old classes in silence).
        known = f" ; classe sous {decree} : {zone} ({label})" if zone else ""
        code = STATUS_CODES.get(placement.decree_status, STATUS_CODES[NOT_LOADED])
        return Verdict("à vérifier", placement.decree_caveat + known, code)
    if placement.under_served:
        return Verdict("oui", f"commune classée {zone} ({label}) par {decree}", None)
    if placement.under_served is None:
        qpv_notes = [n for n in placement.notes if "QPV" in n]
        reasons = [_class_doubt(placement)] if zone in ("", "ND") else []
        if reasons:
            code = "ZON-COMMUNE-ABSENTE" if _absent(placement) else "ZON-CLASSE-INCONNUE"
        elif qpv_notes:
            code = "SITE-QPV-PERIMETRE"
        else:
            code = "ZON-CLASSE-A-VERIFIER"
            reasons = [placement.zone_check or f"classe {zone} ({label}) à vérifier"]
        return Verdict("à vérifier", " ; ".join(reasons + qpv_notes[-1:]), code)
    return Verdict(
        "non",
        f"commune classée {zone} ({label}) par {decree}, hors quartier prioritaire",
        "ZON-HORS-ZONE",
    )


def _absent(placement: Placement) -> list[str]:
    """The notes saying the commune is absent from the decree's table or annex."""
    return [n for n in placement.notes if n.startswith("commune absente")]


def _class_doubt(placement: Placement) -> str:
    """Why the class of a placement's commune is no answer: absent from the decree's
    table, no class there, or ND (« classement non disponible »)."""
    decree = placement.decree.short if placement.decree else "l'arrêté"
    absent = _absent(placement)
    if absent:  # of the table (no row), or of the annex (a row without class, and why)
        return f"{absent[0]} ({decree})"
    zone = placement.zone or ""
    known = f" ({zone} : {ZONE_LABELS.get(zone, zone)})" if zone else ""
    return f"commune sans classe connue dans {decree}{known}"
