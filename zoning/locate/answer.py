"""The answer about one place, as data: what ``zoning check --json`` prints and
``GET /api/check`` sends.

One model for both, so that the command line and the API cannot drift apart, and so that
the API's OpenAPI page shows every field. It is read from :meth:`Placement.to_dict`
(``extra="forbid"``: a field added there and not here fails loudly instead of vanishing
from the answer). The descriptions are in French: they are the API's documentation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from zoning.locate.placement import Placement


class DecreeRef(BaseModel):
    """The decree an answer was judged by."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="identifiant de l'arrêté dans le magasin")
    title: str = Field(description="l'arrêté en clair, avec ses dates de vigueur")


class Motif(BaseModel):
    """Un motif de la réponse, avec son code (voir la page « Aide », /aide#CODE)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(description="code stable du motif (ex. ZON-ANNEXE-ABSENTE)")
    texte: str = Field(description="le motif en clair, avec les valeurs du lieu")
    titre: str | None = Field(description="titre du motif dans le catalogue")


class PlaceAnswer(BaseModel):
    """La zone d'un lieu, sous quel arrêté, et ce que cela vaut pour la zone sous-dense."""

    model_config = ConfigDict(extra="forbid")

    query: str = Field(description="la recherche telle qu'elle a été lue")
    via: str = Field(description="comment le lieu a été trouvé (commune, point, géocodage…)")
    commune_code: str | None = Field(description="code INSEE de la commune")
    commune_name: str | None = Field(description="nom de la commune")
    departement: str | None = Field(description="code du département")
    region: str | None = Field(description="code de la région")
    decree: DecreeRef | None = Field(description="l'arrêté appliqué ; null sans arrêté")
    zone: str | None = Field(description="classe de la commune (ZIP, ZAC, ZV, HZ, ZAR, ND)")
    qpv: list[str] = Field(description="quartiers prioritaires (QPV) contenant le point")
    qpv_in_commune: list[str] = Field(description="quartiers prioritaires de la commune")
    under_served: bool | None = Field(description="zone sous-dense ; null : à vérifier")
    lon: float | None = Field(description="longitude WGS84 du lieu, s'il a un point")
    lat: float | None = Field(description="latitude WGS84 du lieu, s'il a un point")
    notes: list[str] = Field(description="remarques sur la réponse")
    decree_status: str = Field(
        description="« en vigueur », « échu » (successeur pas encore en vigueur) ou "
        "« classes non chargées »"
    )
    decree_caveat: str = Field(description="mise en garde sur l'arrêté ; vide s'il est en vigueur")
    zone_check: str = Field(description="pourquoi la classe est à vérifier ; vide sinon")
    members: list[str] = Field(description="communes couvertes par une commune nouvelle")
    zone_label: str | None = Field(description="la classe en toutes lettres")
    to_verify: bool = Field(description="la réponse est à vérifier")
    verdict: Literal["oui", "non", "à vérifier"] = Field(description="zone sous-dense ?")
    motif: str = Field(description="pourquoi ce verdict")
    code: str | None = Field(
        description="code du motif du verdict (page « Aide », /aide#CODE) ; null pour « oui »"
    )
    motifs: list[Motif] = Field(
        description="chaque motif à vérifier ou de refus, avec son code : celui du verdict, "
        "puis les doutes sur la position du lieu (adresse hors de la commune indiquée…)"
    )

    @classmethod
    def of(cls, placement: Placement) -> PlaceAnswer:
        """The answer of a placement (its :meth:`~Placement.to_dict`, checked)."""
        return cls.model_validate(placement.to_dict())


class HistoryRow(BaseModel):
    """La classe d'une commune sous un arrêté connu du magasin (``zoning check --historique``)."""

    model_config = ConfigDict(extra="forbid")

    decree: str = Field(description="identifiant de l'arrêté")
    title: str = Field(description="l'arrêté en clair")
    classes_loaded: bool = Field(description="son classement (annexe) est chargé")
    zone: str | None = Field(description="classe de la commune ; null : inconnue")
    note: str = Field(description="remarque, ou comment charger l'annexe")
