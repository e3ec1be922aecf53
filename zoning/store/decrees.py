"""Zoning decrees: one region, one signature date, one commune-code vintage."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from zoning.errors import SourceFormatError


@dataclass(frozen=True)
class Decree:
    """A regional zoning decree (or, lacking one, the national file's classes for a region)."""

    id: str
    region: str
    title: str
    short: str
    cog_vintage: int
    zoning_source: str
    signed: date | None = None
    in_force_from: date | None = None
    in_force_until: date | None = None
    caps: dict[str, float] = field(default_factory=dict)
    caveats: tuple[str, ...] = ()

    def in_force_on(self, day: date) -> bool:
        """Whether the decree applies on ``day`` (unknown bounds do not exclude)."""
        if self.in_force_from and day < self.in_force_from:
            return False
        return not (self.in_force_until and day >= self.in_force_until)

    def provenance(self) -> str:
        """One French line naming the decree and its period."""
        period = ""
        if self.in_force_from:
            until = f" au {self.in_force_until:%d/%m/%Y}" if self.in_force_until else ""
            period = f" (en vigueur du {self.in_force_from:%d/%m/%Y}{until})"
        return f"{self.short}{period}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (dates as ISO strings)."""
        out = asdict(self)
        for key in ("signed", "in_force_from", "in_force_until"):
            out[key] = out[key].isoformat() if out[key] else None
        out["caveats"] = list(self.caveats)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decree:
        """Inverse of :meth:`to_dict`; also reads a decree TOML file's table."""
        values = dict(data)
        for key in ("signed", "in_force_from", "in_force_until"):
            value = values.get(key)
            if isinstance(value, str):
                values[key] = date.fromisoformat(value)
        values["caveats"] = tuple(values.get("caveats", ()))
        values["caps"] = {k: float(v) for k, v in values.get("caps", {}).items()}
        values["region"] = str(values["region"])
        return cls(**values)


def load_decree_files(folder: Path | None = None) -> list[Decree]:
    """Every ``*.toml`` decree description in ``folder``, checked.

    Without ``folder``: the decree files in use, shipped and from the user folder
    (:meth:`zoning.settings.Settings.rule_files`).
    """
    if folder is None:
        from zoning.settings import get_settings

        paths = [f.path for f in get_settings().rule_files("decrees").values()]
    else:
        paths = sorted(Path(folder).glob("*.toml"))
    decrees = []
    for path in paths:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            decrees.append(Decree.from_dict(data))
        except (tomllib.TOMLDecodeError, TypeError, KeyError, ValueError) as exc:
            raise SourceFormatError(f"arrêté {path} : description invalide ({exc})") from exc
    return decrees


def generic_decree(region: str, region_name: str, zoning_source: str, cog_vintage: int) -> Decree:
    """Stand-in for a region whose decree we have not described: classes as in the file."""
    return Decree(
        id=f"zonmed-{region}",
        region=region,
        title=f"Zonage médecins du fichier national, région {region_name} (arrêté non identifié)",
        short=f"zonage médecins, région {region_name} (arrêté régional non identifié)",
        cog_vintage=cog_vintage,
        zoning_source=zoning_source,
        caveats=(
            "Arrêté régional non décrit dans data/decrees : classes reprises du fichier national, "
            "date d'effet inconnue.",
        ),
    )
