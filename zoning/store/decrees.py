"""Zoning decrees: one region, their legal life, and whether their classes are loaded.

A decree record says when it was adopted, published, in force from and until, which
decree it replaces, the national method order it applies, its population caps and where
its annex is published. Its class table may be absent (``classes_loaded = false``): the
record still tells a user which decree applies on a date, and how to load its annex.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from zoning.errors import SourceFormatError
from zoning.io.french import format_date

# Statuses of the decree answering for a day (see zoning.store.store.DecreeChoice).
IN_FORCE = "en vigueur"
NOT_LOADED = "classes non chargées"
EXPIRED = "échu"
#: The reason code of an answer under each status that is not « en vigueur »
#: (catalogue: zoning/help/motifs.toml).
STATUS_CODES = {NOT_LOADED: "ZON-ANNEXE-ABSENTE", EXPIRED: "ZON-ARRETE-ECHU"}

_DATES = ("adopted", "published", "in_force_from", "in_force_until")


@dataclass(frozen=True)
class Decree:
    """A regional zoning decree (or, lacking one, the national file's classes for a region).

    ``in_force_until`` is the first day the decree no longer applies (its stated end,
    e.g. « trois ans maximum »); the successor's ``in_force_from`` ends it earlier.
    """

    id: str
    region: str
    title: str
    short: str
    cog_vintage: int
    zoning_source: str = ""
    adopted: date | None = None
    published: date | None = None
    published_in: str = ""
    in_force_from: date | None = None
    in_force_until: date | None = None
    end_basis: str = ""
    replaces: str = ""
    replaced_by: str = ""
    method_order: str = ""
    qpv_list: str = ""
    source_page: str = ""
    annex_url: str = ""
    annex_source: str = ""
    classes_loaded: bool = True
    classes_origin: str = ""
    caps: dict[str, float] = field(default_factory=dict)
    caveats: tuple[str, ...] = ()
    # The annex file adopted into the store (name, sha256, size, date, tool version): set
    # by ``zoning data import-decree``, empty for classes loaded by the build.
    audit: dict[str, Any] = field(default_factory=dict)

    def in_force_on(self, day: date) -> bool:
        """Whether the decree applies on ``day`` (unknown bounds do not exclude)."""
        if self.in_force_from and day < self.in_force_from:
            return False
        return not (self.in_force_until and day >= self.in_force_until)

    def provenance(self) -> str:
        """One French line naming the decree and its period."""
        period = ""
        if self.in_force_from:
            until = f" au {format_date(self.in_force_until)}" if self.in_force_until else ""
            period = f" (en vigueur du {format_date(self.in_force_from)}{until})"
        return f"{self.short}{period}{self.audit_text()}"

    def audit_text(self) -> str:
        """« ; annexe X adoptée le … (sha256 …) » for an imported annex, else ``""``."""
        if not self.audit:
            return ""
        a = self.audit
        return (
            f" ; annexe {a['file']} adoptée le {a['date'][:10]} "
            f"(sha256 {a['sha256'][:12]}…, zoning {a['tool_version']})"
        )

    def import_command(self) -> str:
        """The command that loads this decree's annex into a store."""
        parts = ["zoning data import-decree ANNEXE.xlsx", f"--region {self.region}"]
        parts.append(f"--id {self.id}")
        if self.adopted:
            parts.append(f"--adopted {self.adopted.isoformat()}")
        if self.in_force_from:
            parts.append(f"--in-force {self.in_force_from.isoformat()}")
        if self.replaces:
            parts.append(f"--replaces {self.replaces}")
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (dates as ISO strings)."""
        out = asdict(self)
        for key in _DATES:
            out[key] = out[key].isoformat() if out[key] else None
        out["caveats"] = list(self.caveats)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decree:
        """Inverse of :meth:`to_dict`; also reads a decree TOML file's table.

        ``signed`` (the name used by stores built before decree records had a legal
        life) is read as ``adopted``.
        """
        values = dict(data)
        if "signed" in values:
            values.setdefault("adopted", values.pop("signed"))
        for key in _DATES:
            value = values.get(key)
            if isinstance(value, str):
                values[key] = date.fromisoformat(value)
        values["caveats"] = tuple(values.get("caveats", ()))
        values["caps"] = {k: float(v) for k, v in (values.get("caps") or {}).items()}
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
