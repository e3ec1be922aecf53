"""The shapes of the JSON API's answers, for FastAPI to check and the OpenAPI page to show.

The answer about one place is not here: it is the command line's too
(:class:`zoning.locate.answer.PlaceAnswer`). The descriptions are in French: they are the
API's documentation.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from zoning.rules.verdicts import Status


class _Answer(BaseModel):
    """An answer of the API: every field declared, none added on the way."""

    model_config = ConfigDict(extra="forbid")


class ErrorAnswer(_Answer):
    """Une erreur, expliquée en français."""

    erreur: str = Field(description="ce qui ne va pas, en français")
    code: int = Field(description="code de sortie de la ligne de commande, ou statut HTTP")


class Health(_Answer):
    """État du service."""

    status: Literal["ok"] = Field(description="« ok » : le service répond")
    version: str = Field(description="version de zoning")
    store_built_at: str = Field(description="date de construction du magasin de zonage")


class CommuneSuggestion(_Answer):
    """Une commune proposée pour le champ de recherche."""

    code: str = Field(description="code INSEE")
    name: str = Field(description="nom")
    departement: str = Field(description="code du département")
    label: str = Field(description="« Nom (code) », à afficher")


# -- the small map of one answer (GeoJSON) --------------------------------------------------

#: A GeoJSON position: longitude, latitude (WGS84).
Position = Annotated[list[float], Field(min_length=2, max_length=3)]


class Polygon(_Answer):
    """Contour d'une commune d'un seul tenant."""

    type: Literal["Polygon"]
    coordinates: list[list[Position]]


class MultiPolygon(_Answer):
    """Contour d'une commune en plusieurs parties (îles…)."""

    type: Literal["MultiPolygon"]
    coordinates: list[list[list[Position]]]


class CommuneProperties(_Answer):
    """Une commune de la carte et sa classe ce jour-là."""

    code: str = Field(description="code INSEE")
    name: str = Field(description="nom")
    departement: str = Field(description="code du département")
    zone: str = Field(description="classe sous l'arrêté de sa région ce jour-là ; ND : inconnue")
    focus: bool = Field(description="la commune demandée")


class CommuneFeature(_Answer):
    """Une commune de la carte."""

    type: Literal["Feature"]
    properties: CommuneProperties
    geometry: Annotated[Polygon | MultiPolygon, Field(discriminator="type")]


class Neighbourhood(_Answer):
    """Une commune et ses voisines (GeoJSON, WGS84)."""

    type: Literal["FeatureCollection"]
    bbox: list[float] = Field(
        min_length=4, max_length=4, description="ouest, sud, est, nord de la carte"
    )
    features: list[CommuneFeature]


# -- a list ---------------------------------------------------------------------------------

#: A cell of a result row: text as read, a number, or null (empty, or unreadable).
Cell = str | int | float | bool | None


class MotifCount(_Answer):
    """Un code de motif présent dans les résultats, expliqué (la feuille « Motifs »)."""

    code: str = Field(description="code stable du motif (page « Aide », /aide#CODE)")
    titre: str = Field(description="le motif en quelques mots")
    verdict: str = Field(description="données invalides, à vérifier ou non éligible")
    lignes: int = Field(description="nombre de lignes qui donnent ce code")
    sens: str = Field(description="ce que le motif veut dire")
    pourquoi: str = Field(description="pourquoi l'outil ne peut pas trancher seul")
    que_faire: str = Field(description="que faire : pièce à demander, option, source")


class BatchAnswer(_Answer):
    """Une liste vérifiée : chaque ligne, dans l'ordre du fichier, avec son statut."""

    programme: str = Field(description="identifiant du programme")
    lignes: int = Field(description="nombre de lignes vérifiées")
    statuts: dict[Status, int] = Field(description="nombre de lignes par statut")
    colonnes: list[str] = Field(
        description="colonnes des résultats, dans l'ordre : celles du fichier, puis celles "
        "ajoutées (statut, motifs, lieux, zones, distances, prime…)"
    )
    resultats: list[dict[str, Cell]] = Field(
        description="une ligne par ligne du fichier, par nom de colonne (voir `colonnes`) ; "
        "`codes_motifs` donne le code de chaque motif de `motifs`, dans le même ordre"
    )
    motifs: list[MotifCount] = Field(
        description="chaque code de motif présent dans les résultats, avec son explication"
    )

    @classmethod
    def of(
        cls,
        programme: str,
        rows: int,
        counts: dict[Status, int],
        headers: list[str],
        table: list[list[Cell]],
        motifs: list[list[Cell]] | None = None,
    ) -> BatchAnswer:
        """The answer of a checked list: its headers and table, row by row, and the rows
        of the sheet « Motifs » (:func:`zoning.report.motifs.motif_rows`)."""
        return cls(
            programme=programme,
            lignes=rows,
            statuts=counts,
            colonnes=headers,
            resultats=[dict(zip(headers, map(_finite, row), strict=True)) for row in table],
            motifs=[
                MotifCount.model_validate(dict(zip(_MOTIF_KEYS, row, strict=True)))
                for row in motifs or []
            ],
        )


#: The fields of :class:`MotifCount`, in the order of the sheet's columns.
_MOTIF_KEYS = ("code", "titre", "verdict", "lignes", "sens", "pourquoi", "que_faire")


class BatchProgress(_Answer):
    """Où en est la vérification d'une liste envoyée par la page « Vérifier une liste »."""

    etat: str = Field(description="lu, en cours, terminé ou erreur")
    etape: str = Field(description="étape en cours")
    faites: int = Field(description="lignes faites")
    total: int = Field(description="lignes en tout")
    prets: list[str] = Field(description="fichiers de résultats prêts (suffixes)")


def _finite(value: Cell) -> Cell:
    """A cell as JSON holds it: a value read as infinite or NaN (« inf », « nan » typed in a
    cell) becomes null, which JSON can carry (the row's status and reasons say why)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class DraftOperation(_Answer):
    """Un changement d'un projet de zonage (gardé dans le formulaire de la page « Simuler »)."""

    zone: str = Field(max_length=8, description="classe donnée : ZIP, ZAC, ZV, ZAR ou HZ")
    kind: Literal["commune", "departement", "territoire"] = Field(description="cible")
    key: str = Field(
        max_length=40, description="code de la commune, du département ou du territoire"
    )
    codes: list[Annotated[str, Field(max_length=5)]] = Field(
        default_factory=list, max_length=5000, description="codes INSEE des communes visées"
    )


class DraftOperations(BaseModel):
    """Les changements d'un projet, dans l'ordre."""

    operations: list[DraftOperation] = Field(default_factory=list, max_length=2000)
