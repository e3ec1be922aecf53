"""What a geocoding gives back: a point, how precise it is, where it came from, or why not."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Precision = Literal["address", "street", "finess", "municipality", "none"]

#: Precisions from best to worst; ``none`` means no point at all.
PRECISIONS: tuple[Precision, ...] = ("address", "finess", "street", "municipality", "none")

#: How a reason says an address was found in another commune than the one stated (the
#: commune is kept): `zoning check` gives such a doubt its own code by these words.
OUTSIDE_STATED = "hors de la commune indiquée"

#: Output columns added to every geocoded row, in this order.
RESULT_COLUMNS: tuple[str, ...] = (
    "longitude",
    "latitude",
    "precision",
    "source",
    "score",
    "label",
    "citycode",
    "reason",
)


@dataclass(frozen=True)
class GeocodeResult:
    """The outcome of geocoding one place.

    Attributes
    ----------
    lon, lat
        WGS84 coordinates, ``None`` when nothing usable was found.
    precision
        ``address`` (house number), ``street``, ``finess`` (coordinates of the FINESS
        file), ``municipality`` (the commune's reference point, never an address) or
        ``none``.
    source
        Who gave the point: ``ban`` (addok), ``finess``, ``laposte`` (commune point),
        or ``""``.
    score
        addok's score in [0, 1] (``None`` for FINESS and commune points).
    label
        What was matched, as the source writes it.
    citycode
        INSEE code of the commune when known.
    reason
        French explanation when the point is missing or coarse, ``""`` otherwise.
    """

    lon: float | None
    lat: float | None
    precision: Precision
    source: str
    score: float | None = None
    label: str = ""
    citycode: str | None = None
    reason: str = ""

    @property
    def found(self) -> bool:
        """Whether the result carries a point."""
        return self.lon is not None and self.lat is not None

    def to_dict(self) -> dict[str, Any]:
        """The result as the output columns (``longitude``, ``latitude``...)."""
        raw = asdict(self)
        raw["longitude"] = raw.pop("lon")
        raw["latitude"] = raw.pop("lat")
        return {key: raw[key] for key in RESULT_COLUMNS}

    @classmethod
    def failed(cls, reason: str) -> GeocodeResult:
        """A result without a point, saying why (in French)."""
        return cls(lon=None, lat=None, precision="none", source="", reason=reason)
