"""The « remarque » column of ``zoning assign``: why a class is to be checked, and why a
row is in no commune."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from zoning.io.arrow import dictionary_array, text_array
from zoning.locate.classes import ABSENT, ZONE_LABELS

#: Why a commune classed « ND » by its decree is to be checked.
ND_REMARK = f"classe ND ({ZONE_LABELS['ND']}) dans l'arrêté"
#: Remarks of the rows in no commune: coordinates that are no degrees, or none of ours.
BAD_POINT = "coordonnées hors bornes ou illisibles : degrés WGS84 attendus (longitude, latitude)"
OUTSIDE = (
    "à vérifier : le point n'est dans aucune commune couverte (en mer, hors de France, "
    "ou longitude et latitude inversées ?)"
)


def commune_remarks(
    caveat_of_region: list[str],
    region_at: npt.NDArray[np.int32],
    judged: npt.NDArray[np.bool_],
    has_class: npt.NDArray[np.bool_],
    listed: npt.NDArray[np.bool_],
    notes: list[str | None],
    note_at: npt.NDArray[np.integer[Any]],
) -> pa.DictionaryArray:
    """« à vérifier : ... » per commune: its region's caveat on the decree, and why a
    commune judged by a decree has no class there (the store's note ``notes[note_at]``,
    else its class ND when ``listed`` in the decree's table, else its absence from the
    table); ``None`` when there is nothing to say."""

    texts: dict[str, int] = {"": -1}
    of_region = [texts.setdefault(c, len(texts) - 1) for c in caveat_of_region]
    remark = np.array(of_region, dtype=np.int32)[region_at]
    for i in np.flatnonzero(judged & ~has_class).tolist():
        why = notes[note_at[i]] or (ND_REMARK if listed[i] else ABSENT)
        caveat = caveat_of_region[region_at[i]]
        remark[i] = texts.setdefault(f"{caveat} ; {why}" if caveat else why, len(texts) - 1)
    words = [f"à vérifier : {t}" for t in texts if t]
    return dictionary_array(remark, text_array(words), remark >= 0)


def outside_column(
    column: pa.DictionaryArray,
    idx: npt.NDArray[np.int64],
    lon: npt.NDArray[np.float64],
    lat: npt.NDArray[np.float64],
    finite: npt.NDArray[np.bool_],
    outside: tuple[str, str, str],
) -> pa.DictionaryArray:
    """``column`` with the rows in no polygon (``idx < 0``) saying why: ``outside`` is
    (name, text for coordinates that are no WGS84 degrees, text for a point in no
    polygon), as :func:`zoning.locate.stream.assign.assign_file` takes it."""
    _, bad, none = outside
    sane = finite & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    values = column.to_pylist()
    for i in np.flatnonzero(idx < 0).tolist():
        values[i] = none if sane[i] else bad
    # Built from buffers: pa.array and dictionary_encode would import pandas and compute.
    words = sorted({v for v in values if v is not None})
    position = {word: i for i, word in enumerate(words)}
    codes = np.array([-1 if v is None else position[v] for v in values], dtype=np.int32)
    return dictionary_array(codes, text_array(words), codes >= 0)
