"""A draft zoning (« projet de zonage »): class changes on a loaded decree, and their gauges.

A planner starts from a decree whose classes are in the store (or from nothing), sets the
class of communes — one, a list, a département, or a territoire de vie-santé through a
TVS → commune table (:func:`zoning.store.annex_resolve.read_tvs_table`, the table
``zoning data import-decree --tvs`` reads) — and sees, after each change, the population
share of every class against the caps, and the communes whose class differs from the
starting decree.

Everything here is a pure function of a :class:`Draft` (frozen; a change returns a new
draft): the CLI (``zoning draft``) and the web page « Simuler » replay the same list of
:class:`Operation` from the starting decree.

Caps and margin
    The caps are the starting decree's (``caps`` of its record in ``data/decrees``), or
    typed by the planner when the order's figures are not in the sources (the decree of
    30 December 2025: its caps are unknown). The margin is a figure, kept as data
    (:data:`DEFAULT_MARGIN`, changed with ``--marge``): the 5 % of issue 27, read as
    DREES's Zonage_ARS tool shows its gauges (a share is judged against the cap, the last
    5 % of the cap marked as the danger band). Neither ``RULES.md`` nor the seeded texts
    state a 5 % margin: it is NOT a rule of the sources, so a share above the cap is
    always said « au-dessus du plafond », and the margin only tells by how much.
    Population: the store's (INSEE municipal population), over every commune of the
    region (classed or not).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from zoning.errors import InvalidInputError
from zoning.io.values import to_number
from zoning.sources.annex_vocab import read_class
from zoning.store.decree_store import EXPORT_HEADERS
from zoning.store.store import ZoningStore

#: Margin around a cap, in percent of the cap (issue 27, after DREES's Zonage_ARS: see above).
DEFAULT_MARGIN = 5.0
#: The word every draft output carries: a draft is never an adopted decree until imported.
PROJET = "projet"
#: Classes a draft may give (the decrees' classes; « » takes a commune out of the table).
DRAFT_CLASSES = ("ZIP", "ZAC", "ZV", "ZAR", "HZ")
#: Targets of an operation.
KINDS = ("commune", "departement", "territoire")

UNDER_CAP = "sous le plafond"
IN_MARGIN = "au-dessus du plafond (dans la marge)"
OVER_MARGIN = "au-dessus du plafond et de la marge"
NO_CAP = "pas de plafond connu"


@dataclass(frozen=True)
class Operation:
    """Set ``zone`` on a commune, a département or a territory (``codes``: its communes)."""

    zone: str
    kind: str
    key: str
    codes: tuple[str, ...] = ()

    def label(self) -> str:
        """French line: « ZIP : département 23 »."""
        what = {"commune": "commune", "departement": "département", "territoire": "territoire"}
        return f"{self.zone} : {what.get(self.kind, self.kind)} {self.key}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (the web page keeps its operations in the form)."""
        return {"zone": self.zone, "kind": self.kind, "key": self.key, "codes": list(self.codes)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Operation:
        """Inverse of :meth:`to_dict`."""
        return cls(
            str(data["zone"]),
            str(data["kind"]),
            str(data["key"]),
            tuple(str(c) for c in data.get("codes") or ()),
        )


@dataclass(frozen=True)
class Gauge:
    """One class's population share against its cap."""

    zone: str
    communes: int
    population: int
    share: float
    cap: float | None
    margin: float
    status: str

    @property
    def limit(self) -> float | None:
        """The cap plus its margin (percent of the region's population)."""
        return None if self.cap is None else round(self.cap * (1 + self.margin / 100), 2)

    @property
    def over(self) -> bool:
        """Whether the share is above the cap."""
        return self.cap is not None and self.share > self.cap


@dataclass(frozen=True)
class Change:
    """A commune whose class differs from the starting decree's."""

    code: str
    name: str
    departement: str
    population: int
    before: str
    after: str


@dataclass(frozen=True)
class Draft:
    """A draft zoning of one region: the class of every commune, and where it started."""

    region: str
    region_name: str
    base_id: str
    base_title: str
    caps: Mapping[str, float]
    margin: float
    # code -> (name, département, population), every commune of the region.
    communes: Mapping[str, tuple[str, str, int]]
    base: Mapping[str, str]
    classes: Mapping[str, str]
    operations: tuple[Operation, ...] = ()
    notes: tuple[str, ...] = field(default=())


def start(
    store: ZoningStore,
    decree_id: str | None = None,
    region: str | None = None,
    caps: Mapping[str, float] | None = None,
    margin: float = DEFAULT_MARGIN,
) -> Draft:
    """A draft from a loaded decree's classes (or empty, for ``region``).

    ``caps`` typed by the planner replace the decree's, class by class.
    """
    if decree_id:
        decree = store.decree(decree_id)
        if not decree.classes_loaded:
            raise InvalidInputError(
                f"l'arrêté {decree_id} n'a pas de classes dans le magasin : partez d'un arrêté "
                f"chargé, ou d'un projet vide (--region {decree.region})"
            )
        if region and region != decree.region:
            raise InvalidInputError(f"l'arrêté {decree_id} est de la région {decree.region}")
        region = decree.region
        zones = store.zones(decree_id)
        base = {str(c): str(z) for c, z in zip(zones["code"], zones["zone"], strict=True) if z}
        title = decree.provenance()
        all_caps = {**decree.caps, **(caps or {})}
    else:
        if not region:
            raise InvalidInputError("un projet vide demande sa région (ex. --region 75)")
        base, title, all_caps = {}, "aucun (projet vide)", dict(caps or {})
    table = store.communes()
    table = table.loc[table["region"].astype(str) == str(region)]
    if table.empty:
        raise InvalidInputError(f"région {region} inconnue du magasin")
    communes = {
        str(c): (str(n), str(d), int(p))
        for c, n, d, p in zip(
            table["code"], table["name"], table["departement"], table["population"], strict=True
        )
    }
    base = {c: z for c, z in base.items() if c in communes}
    for zone, cap in all_caps.items():
        if not 0 < float(cap) <= 100:
            raise InvalidInputError(f"plafond {zone} = {cap} : un pourcentage entre 0 et 100")
    if not (math.isfinite(margin) and margin >= 0):  # nan passes a plain « < 0 »
        raise InvalidInputError(f"marge {margin} : un pourcentage positif")
    return Draft(
        region=str(region),
        region_name=store.region_name(str(region)),
        base_id=decree_id or "",
        base_title=title,
        caps=MappingProxyType({k: float(v) for k, v in all_caps.items()}),
        margin=float(margin),
        communes=MappingProxyType(communes),
        base=MappingProxyType(base),
        classes=MappingProxyType(dict(base)),
    )


def percent(text: str, what: str) -> float | None:
    """A percentage the planner typed (« 16,8 », « 16.8 % »): None when blank, a French
    error when it is no number. The CLI and the « Simuler » page read caps and margin so."""
    if not text.strip():
        return None
    value = to_number(text)
    if value is None:
        raise InvalidInputError(f"{what} : un nombre attendu, « {text.strip()[:20]} » lu")
    return value


def zone_name(raw: str) -> str:
    """A class as the decrees write it (« ZIP », « zone d'action complémentaire »...)."""
    label = read_class(raw) if raw.strip() else None
    if label is None or label.level or label.zone not in DRAFT_CLASSES:
        raise InvalidInputError(
            f"classe « {raw} » non reconnue (classes d'un projet : {', '.join(DRAFT_CLASSES)})"
        )
    return label.zone


def operation(
    draft: Draft,
    zone: str,
    kind: str,
    key: str,
    tvs: Mapping[str, Sequence[str]] | None = None,
) -> Operation:
    """An operation checked against the draft's region: its communes resolved."""
    zone, key = zone_name(zone), key.strip()
    if kind == "commune":
        code = key.upper().zfill(5)
        if code not in draft.communes:
            raise InvalidInputError(
                f"commune {key} : absente de la région {draft.region} ({draft.region_name})"
            )
        return Operation(zone, kind, code, (code,))
    if kind == "departement":
        dep = key.upper().zfill(2)
        codes = tuple(c for c, (_, d, _) in draft.communes.items() if d == dep)
        if not codes:
            raise InvalidInputError(
                f"département {key} : aucune commune dans la région {draft.region}"
            )
        return Operation(zone, kind, dep, codes)
    if kind == "territoire":
        if tvs is None:
            raise InvalidInputError(
                "territoire : donnez la table territoire → communes (--tvs FICHIER)"
            )
        if key not in tvs:
            raise InvalidInputError(f"territoire « {key} » absent de la table des territoires")
        codes = tuple(c.upper().zfill(5) for c in tvs[key] if c.upper().zfill(5) in draft.communes)
        if not codes:
            raise InvalidInputError(
                f"territoire {key} : aucune de ses communes dans la région {draft.region}"
            )
        return Operation(zone, kind, key, codes)
    raise InvalidInputError(f"cible « {kind} » inconnue ({', '.join(KINDS)})")


def apply(draft: Draft, op: Operation) -> Draft:
    """The draft with ``op`` applied (a new draft; ``draft`` is unchanged)."""
    unknown = [c for c in op.codes if c not in draft.communes]
    if unknown:
        raise InvalidInputError(
            f"{op.label()} : communes hors de la région {draft.region} ({', '.join(unknown[:5])})"
        )
    classes = dict(draft.classes)
    classes.update(dict.fromkeys(op.codes, op.zone))
    return replace(draft, classes=MappingProxyType(classes), operations=(*draft.operations, op))


def apply_all(draft: Draft, ops: Iterable[Operation]) -> Draft:
    """Every operation in turn."""
    for op in ops:
        draft = apply(draft, op)
    return draft


def gauges(draft: Draft) -> list[Gauge]:
    """Share of the region's population per class, against its cap and margin.

    Every capped class is listed (at 0 % when no commune has it), then the others.
    """
    total = sum(p for _, _, p in draft.communes.values())
    pops: dict[str, list[int]] = {}
    for code, zone in draft.classes.items():
        pops.setdefault(zone, []).append(draft.communes[code][2])
    order = [*DRAFT_CLASSES, *sorted(set(pops) - set(DRAFT_CLASSES))]
    out = []
    for zone in order:
        if zone not in pops and zone not in draft.caps:
            continue
        population = sum(pops.get(zone, []))
        share = round(100 * population / total, 2) if total else 0.0
        cap = draft.caps.get(zone)
        gauge = Gauge(zone, len(pops.get(zone, [])), population, share, cap, draft.margin, "")
        out.append(replace(gauge, status=_status(gauge)))
    unclassed = [p for c, (_, _, p) in draft.communes.items() if c not in draft.classes]
    if unclassed:
        share = round(100 * sum(unclassed) / total, 2) if total else 0.0
        out.append(Gauge("", len(unclassed), sum(unclassed), share, None, draft.margin, NO_CAP))
    return out


def _status(gauge: Gauge) -> str:
    if gauge.cap is None:
        return NO_CAP
    if gauge.share <= gauge.cap:
        return UNDER_CAP
    limit = gauge.limit
    return IN_MARGIN if limit is not None and gauge.share <= limit else OVER_MARGIN


def changes(draft: Draft) -> list[Change]:
    """Communes whose class differs from the starting decree's, by code."""
    out = []
    for code in sorted(set(draft.base) | set(draft.classes)):
        before, after = draft.base.get(code, ""), draft.classes.get(code, "")
        if before != after:
            name, dep, pop = draft.communes[code]
            out.append(Change(code, name, dep, pop, before, after))
    return out


def annex_rows(draft: Draft) -> tuple[list[str], list[list[Any]]]:
    """The draft as an annex in the layout of ``zoning data export-decree`` (which
    ``zoning data import-decree`` reads): one row per classed commune."""
    rows: list[list[Any]] = []
    for code in sorted(draft.classes):
        name, dep, pop = draft.communes[code]
        rows.append([code, name, dep, draft.classes[code], pop])
    return list(EXPORT_HEADERS), rows


def import_command(draft: Draft, path: str = "projet.xlsx") -> str:
    """The command that would adopt the draft (after review): the caps go with it."""
    parts = [f"zoning data import-decree {path}", f"--region {draft.region}", "--id ID"]
    parts.append("--in-force AAAA-MM-JJ")
    if draft.base_id:
        parts.append(f"--replaces {draft.base_id}")
    parts += [f"--cap {zone}={cap:g}" for zone, cap in draft.caps.items()]
    return " ".join(parts) + " --apercu"


def title(draft: Draft) -> str:
    """The title every draft file and page carries."""
    return (
        f"PROJET de zonage — région {draft.region_name} ({draft.region}) — "
        f"non adopté : ce n'est pas un arrêté tant qu'il n'est pas importé"
    )
