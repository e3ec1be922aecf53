"""FINESS establishments: the official etalab extract and the Eurostat hospital table.

Two readers give the same columns (:data:`FINESS_COLUMNS`):

* :func:`read_etalab` reads the official stock file ``etalab-cs1100507-stock-*.csv``
  (a ``finess;etalab;...`` header line, ``structureet`` rows, then ``geolocalisation``
  rows whose Lambert-93 / UTM coordinates are converted to WGS84);
* :func:`read_eurostat_hospitals` reads Eurostat's ``healthcare-services`` table for
  France (hospitals only, already in WGS84).

:class:`FinessDirectory` answers lookups by FINESS ET number.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from zoning.errors import InvalidInputError, NotFoundError, SourceFormatError
from zoning.io.decoding import decode_lines
from zoning.sources._tables import pick_columns, read_table
from zoning.sources.manifest import Source

FINESS_COLUMNS: tuple[str, ...] = (
    "finess",
    "name",
    "category_code",
    "category",
    "housenumber",
    "street",
    "postcode",
    "city",
    "citycode",
    "lon",
    "lat",
    "geo_quality",
    "origin",
    "legal_status",
)

# FINESS numbers (spec pattern): département (2 digits, 2A/2B, 9A.. overseas), 7 digits.
_FINESS = re.compile(r"[0-9][0-9A-Z][0-9]{7}")

# Field order of the two sections of the etalab extract (format_etalab_cs1100507 spec).
STRUCTURE_FIELDS: tuple[str, ...] = (
    "nofinesset", "nofinessej", "rs", "rslongue", "complrs", "compldistrib", "numvoie",
    "typvoie", "voie", "compvoie", "lieuditbp", "commune", "departement", "libdepartement",
    "ligneacheminement", "telephone", "telecopie", "categetab", "libcategetab",
    "categagretab", "libcategagretab", "siret", "codeape", "codemft", "libmft", "codesph",
    "libsph", "dateouv", "dateautor", "datemaj",
)  # fmt: skip
GEOLOC_FIELDS: tuple[str, ...] = ("nofinesset", "coordxet", "coordyet", "sourcecoordet", "datemaj")

# Projection named in the last comma field of ``sourcecoordet`` -> EPSG code.
PROJECTIONS: dict[str, int] = {
    "LAMBERT_93": 2154,
    "UTM_N20": 5490,  # RGAF09 / UTM 20N (Guadeloupe, Martinique)
    "UTM_N21": 4467,  # RGSPM06 / UTM 21N (Saint-Pierre-et-Miquelon)
    "UTM_N22": 2972,  # RGFG95 / UTM 22N (Guyane)
    "UTM_S38": 4471,  # RGM04 / UTM 38S (Mayotte)
    "UTM_S40": 2975,  # RGR92 / UTM 40S (La Réunion)
}

# Street-type abbreviations of the etalab extract, spelt out so addok matches them.
STREET_TYPES: dict[str, str] = {
    "R": "Rue", "AV": "Avenue", "BD": "Boulevard", "PL": "Place", "RTE": "Route",
    "CHE": "Chemin", "ALL": "Allée", "IMP": "Impasse", "QUA": "Quai", "CRS": "Cours",
    "SQ": "Square", "LOT": "Lotissement", "RES": "Résidence", "FG": "Faubourg",
    "PROM": "Promenade", "ESP": "Esplanade", "PASS": "Passage", "LD": "Lieu-dit",
    "HAM": "Hameau", "CITE": "Cité", "QUAI": "Quai", "VOIE": "Voie", "CHEM": "Chemin",
}  # fmt: skip

# Repetition index of the extract (B, T, Q) -> addok's spelling.
REPETITION: dict[str, str] = {"B": "bis", "T": "ter", "Q": "quater", "C": "quinquies"}


def normalize_finess(value: object) -> str:
    """Check a FINESS ET number and give it back as 9 characters.

    Spreadsheets turn ``010000024`` into the number ``10000024``: an 8-digit value gets
    its leading zero back.

    Parameters
    ----------
    value
        Text or number as typed by a user or read from a file.

    Returns
    -------
    str
        The 9-character number (``"010000024"``, ``"2A0000154"``).

    Raises
    ------
    InvalidInputError
        With a French message when the value cannot be a FINESS number.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = re.sub(r"\s", "", str(value if value is not None else "")).upper()
    if re.fullmatch(r"\d{8,9}\.0", text):  # read back from a spreadsheet as a float
        text = text[:-2]
    if re.fullmatch(r"\d{8}", text):
        text = "0" + text
    if not _FINESS.fullmatch(text):
        raise InvalidInputError(
            f"numéro FINESS invalide « {value} » : 9 caractères attendus, le département "
            "(2 chiffres, 2A, 2B, 9A...) puis 7 chiffres, par exemple 330781360"
        )
    return text


def _insee_code(departement: str, commune: str) -> str | None:
    """INSEE code of an etalab row: département + 3-digit commune, for metropolitan France.

    Overseas départements are coded 9A, 9B... in FINESS; their mapping to 971, 972...
    is not documented in the spec we have, so no code is guessed for them.
    """
    departement, commune = departement.strip(), commune.strip()
    if re.fullmatch(r"\d{2}|2A|2B", departement) and re.fullmatch(r"\d{3}", commune):
        return departement + commune
    return None


def _split_lines(path: Path) -> list[str]:
    # Older extracts are Windows-1252: decoded line by line like every user file.
    raw = path.read_bytes().removeprefix(codecs.BOM_UTF8)
    return "".join(line for line, _ in decode_lines(raw)).splitlines()


def read_etalab(path: Path) -> pd.DataFrame:
    """Read an official FINESS etalab extract (``etalab-cs1100507-stock-*.csv``).

    Parameters
    ----------
    path
        The stock file, ``;``-separated, UTF-8 or latin-1.

    Returns
    -------
    pandas.DataFrame
        :data:`FINESS_COLUMNS`, one row per establishment (``structureet``), with the
        WGS84 point of its ``geolocalisation`` row (``NaN`` when it has none).

    Raises
    ------
    SourceFormatError
        Naming the file and line of the first malformed row.
    """
    from pyproj import Transformer

    lines = _split_lines(Path(path))
    if not lines or not lines[0].lower().startswith("finess;etalab"):
        raise SourceFormatError(
            f"{path} : ligne 1 : en-tête « finess;etalab;... » attendu, "
            f"trouvé « {lines[0][:60] if lines else ''} »"
        )
    structures: list[dict[str, str]] = []
    geoloc: dict[str, tuple[float, float, str]] = {}
    reader = csv.reader(io.StringIO("\n".join(lines[1:])), delimiter=";")
    for lineno, cells in enumerate(reader, start=2):
        if not cells or not any(cells) or cells[0].startswith("#"):
            continue  # blank line, or a comment (our hand-made test fixtures carry one)
        section = cells[0].strip().lower()
        if section == "structureet":
            if len(cells) - 1 != len(STRUCTURE_FIELDS):
                raise SourceFormatError(
                    f"{path} : ligne {lineno} : {len(cells) - 1} champs « structureet », "
                    f"{len(STRUCTURE_FIELDS)} attendus"
                )
            structures.append(dict(zip(STRUCTURE_FIELDS, cells[1:], strict=True)))
        elif section == "geolocalisation":
            if len(cells) - 1 != len(GEOLOC_FIELDS):
                raise SourceFormatError(
                    f"{path} : ligne {lineno} : {len(cells) - 1} champs « geolocalisation », "
                    f"{len(GEOLOC_FIELDS)} attendus"
                )
            row = dict(zip(GEOLOC_FIELDS, cells[1:], strict=True))
            try:
                x, y = float(row["coordxet"]), float(row["coordyet"])
            except ValueError:
                continue  # an establishment without coordinates keeps NaN
            projection = row["sourcecoordet"].split(",")[-1].strip().upper()
            geoloc[row["nofinesset"].strip()] = (x, y, projection)
        else:
            raise SourceFormatError(
                f"{path} : ligne {lineno} : section « {cells[0]} » inconnue "
                "(structureet ou geolocalisation attendue)"
            )
    records = []
    for s in structures:
        postcode, _, city = s["ligneacheminement"].strip().partition(" ")
        number = s["numvoie"].strip()
        if number and s["compvoie"].strip():
            number = f"{number} {REPETITION.get(s['compvoie'].strip(), s['compvoie'].strip())}"
        street_type = STREET_TYPES.get(s["typvoie"].strip().upper(), s["typvoie"].strip())
        records.append(
            {
                "finess": normalize_finess(s["nofinesset"]),
                "name": (s["rslongue"] or s["rs"]).strip(),
                "category_code": s["categetab"].strip() or None,
                "category": s["libcategetab"].strip(),
                "housenumber": number,
                "street": " ".join(p for p in (street_type, s["voie"].strip()) if p),
                "postcode": postcode,
                "city": city.strip(),
                "citycode": _insee_code(s["departement"], s["commune"]),
                "geo_quality": None,
                "origin": "etalab",
                "legal_status": None,
            }
        )
    frame = pd.DataFrame.from_records(
        records, columns=[c for c in FINESS_COLUMNS if c not in ("lon", "lat")]
    )
    lon = np.full(len(frame), np.nan)
    lat = np.full(len(frame), np.nan)
    numbers = [str(n) for n in frame["finess"]]
    by_projection: dict[str, list[int]] = {}
    for i, finess in enumerate(numbers):
        if finess in geoloc:
            by_projection.setdefault(geoloc[finess][2], []).append(i)
    for projection, rows in by_projection.items():
        epsg = PROJECTIONS.get(projection)
        if epsg is None:
            continue  # unknown projection: keep no point rather than a wrong one
        transformer = Transformer.from_crs(epsg, 4326, always_xy=True)
        xs = [geoloc[numbers[i]][0] for i in rows]
        ys = [geoloc[numbers[i]][1] for i in rows]
        lon[rows], lat[rows] = transformer.transform(xs, ys)
    frame["lon"], frame["lat"] = lon, lat
    return frame[list(FINESS_COLUMNS)]


def read_eurostat_hospitals(path: Path, source: Source) -> pd.DataFrame:
    """Read Eurostat's French hospital table (FINESS-derived, WGS84).

    Parameters
    ----------
    path
        ``eurostat_healthcare_FR_hospitals_2020.csv``.
    source
        Its manifest entry (``finess_hospitals``), which maps the column names.

    Returns
    -------
    pandas.DataFrame
        :data:`FINESS_COLUMNS`; ``citycode`` is empty (the table has none, see
        :meth:`FinessDirectory.with_citycodes`), ``category_code`` too.
    """
    raw = read_table(path)
    frame = pick_columns(raw, source.fields, path)
    for bad, value in enumerate(frame["finess"], start=2):
        if not re.fullmatch(r"[0-9][0-9A-Z]?[0-9]{7}", value):
            raise SourceFormatError(f"{path} : ligne {bad} : numéro FINESS « {value} » invalide")
    number = frame["housenumber"].str.strip().str.upper()
    parts = number.str.extract(r"^(\d+)\s*([BTQC]?)$")
    spelled = parts[1].map(lambda r: f" {REPETITION[r]}" if isinstance(r, str) and r else "")
    out = pd.DataFrame(
        {
            "finess": frame["finess"].map(normalize_finess),
            "name": frame["name"].str.strip(),
            "category_code": None,
            "category": frame["category"].str.strip(),
            "housenumber": (parts[0].fillna("") + spelled.fillna("")).where(
                parts[0].notna(), number
            ),
            "street": frame["street"].str.strip(),
            "postcode": frame["postcode"].str.strip().str.zfill(5),
            "city": frame["city"].str.strip(),
            "citycode": None,
            "lon": pd.to_numeric(frame["lon"], errors="coerce"),
            "lat": pd.to_numeric(frame["lat"], errors="coerce"),
            "geo_quality": raw["geo_qual"].replace("", None) if "geo_qual" in raw else None,
            "origin": "eurostat",
            # « public » / « private » (ESPIC or for-profit: the table does not say).
            "legal_status": (
                frame["status"].str.strip().str.lower().replace("", None)
                if "status" in frame
                else None
            ),
        }
    )
    return out[list(FINESS_COLUMNS)]


@dataclass(frozen=True)
class FinessSite:
    """One FINESS establishment (ET)."""

    finess: str
    name: str
    category_code: str | None
    category: str
    housenumber: str
    street: str
    postcode: str
    city: str
    citycode: str | None
    lon: float | None
    lat: float | None
    geo_quality: str | None
    origin: str
    legal_status: str | None = None

    @property
    def address(self) -> str:
        """One-line postal address: ``"900 ROUTE DE PARIS 01440 VIRIAT"``."""
        parts = (self.housenumber, self.street, self.postcode, self.city)
        return " ".join(p for p in parts if p)


class FinessDirectory:
    """FINESS establishments indexed by ET number.

    Parameters
    ----------
    frames
        Tables with :data:`FINESS_COLUMNS`; on a duplicate number the first one wins
        (pass the etalab extract before the Eurostat table).
    """

    def __init__(self, frames: Iterable[pd.DataFrame]) -> None:
        table = pd.concat(list(frames), ignore_index=True)
        self.table = table.drop_duplicates("finess", keep="first").set_index("finess")

    def __len__(self) -> int:
        return len(self.table)

    def __contains__(self, finess: object) -> bool:
        try:
            return normalize_finess(finess) in self.table.index
        except InvalidInputError:
            return False

    def get(self, finess: object) -> FinessSite:
        """The establishment with this ET number.

        Raises
        ------
        InvalidInputError
            Malformed number.
        NotFoundError
            Well-formed number absent from the loaded files.
        """
        number = normalize_finess(finess)
        if number not in self.table.index:
            raise NotFoundError(
                f"numéro FINESS {number} absent des fichiers chargés "
                f"({len(self)} établissements ; le fichier Eurostat ne contient que les "
                "hôpitaux, pas les centres ni maisons de santé)"
            )
        row = self.table.loc[number]

        def text(key: str) -> str:
            value = row[key]
            return "" if value is None or pd.isna(value) else str(value)

        def number_or_none(key: str) -> float | None:
            value = row[key]
            return None if value is None or pd.isna(value) else float(value)

        return FinessSite(
            finess=number,
            name=text("name"),
            category_code=text("category_code") or None,
            category=text("category"),
            housenumber=text("housenumber"),
            street=text("street"),
            postcode=text("postcode"),
            city=text("city"),
            citycode=text("citycode") or None,
            lon=number_or_none("lon"),
            lat=number_or_none("lat"),
            geo_quality=text("geo_quality") or None,
            origin=text("origin"),
            legal_status=text("legal_status") or None,
        )

    def with_citycodes(self, citycodes: pd.Series) -> FinessDirectory:
        """A copy whose missing ``citycode`` are filled from ``citycodes`` (indexed by FINESS)."""
        table = self.table.copy()
        missing = table["citycode"].isna() | (table["citycode"] == "")
        table.loc[missing, "citycode"] = citycodes.reindex(table.index[missing]).to_numpy()
        clone = FinessDirectory.__new__(FinessDirectory)
        clone.table = table
        return clone


def load_finess_directory(sources_dir: Path) -> FinessDirectory:
    """Every FINESS file in a sources folder: etalab stock extracts first, then Eurostat.

    An empty directory (with a warning) when the folder holds none.
    """
    import logging

    from zoning.sources.manifest import load_manifest

    frames = [
        read_etalab(p)
        for p in sorted((sources_dir / "finess").glob("etalab-cs1100507-stock-*.csv"))
    ]
    source = load_manifest()["finess_hospitals"]
    if source.is_present(sources_dir):
        frames.append(read_eurostat_hospitals(source.path(sources_dir), source))
    if not frames:
        logging.getLogger(__name__).warning("no FINESS file in %s/finess", sources_dir)
        frames.append(pd.DataFrame(columns=list(FINESS_COLUMNS)))
    return FinessDirectory(frames)
