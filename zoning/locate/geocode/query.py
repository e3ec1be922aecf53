"""What one geocoding asks (:class:`PlaceQuery`, :class:`StatedCommune`) and what a batch gets
back (:class:`BatchOutcome`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from zoning.locate.geocode.result import GeocodeResult

_TRAILING_POSTCODE_CITY = re.compile(r"\b(\d{5})\s+([^\d,]+?)\s*$")


def _clean(value: object) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    return "" if text.lower() in {"nan", "none", "<na>"} else text


@dataclass(frozen=True)
class PlaceQuery:
    """What a user gives for one place; any field may be empty."""

    address: str = ""
    finess: str = ""
    postcode: str = ""
    city: str = ""
    citycode: str = ""

    @classmethod
    def of(
        cls,
        address: object = None,
        finess: object = None,
        postcode: object = None,
        city: object = None,
        citycode: object = None,
    ) -> PlaceQuery:
        """Build from raw cell values (``None``/NaN become empty, postcodes padded)."""
        pc = _clean(postcode)
        if pc.endswith(".0"):
            pc = pc[:-2]
        if pc.isdigit() and len(pc) == 4:
            pc = pc.zfill(5)  # a spreadsheet ate the leading zero
        code = _clean(citycode)
        if code.isdigit() and len(code) == 4:
            code = code.zfill(5)
        return cls(_clean(address), _clean(finess), pc, _clean(city), code)

    def commune_hint(self) -> tuple[str, str]:
        """(postcode, city) for the commune fallback, read from the address if needed."""
        postcode, city = self.postcode, self.city
        if (not postcode or not city) and self.address:
            match = _TRAILING_POSTCODE_CITY.search(self.address)
            if match:
                postcode = postcode or match.group(1)
                city = city or match.group(2)
        return postcode, city


@dataclass(frozen=True)
class StatedCommune:
    """The commune a user stated for an address, resolved to INSEE codes.

    Attributes
    ----------
    codes
        INSEE codes it may be (one, or every commune of a postal code).
    label
        As the user wrote it (``64100 Bayonne``, ``23096``), for messages.
    filters
        addok filters that keep answers inside it (``citycode`` or ``postcode``).
    """

    codes: frozenset[str]
    label: str
    filters: dict[str, str]


@dataclass
class BatchOutcome:
    """Results of a batch, one per query in order, and the error that cut it short."""

    results: list[GeocodeResult]
    error: str | None = None

    @property
    def unfinished(self) -> int:
        """Rows left without a point because the geocoder failed."""
        return sum(1 for r in self.results if r.reason.startswith("géocodeur indisponible"))
