"""What a post says on the map: its distance label and its popup, from its rows only."""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

from zoning.io.french import format_amount, format_km
from zoning.map.style import STATUS_STYLE

__all__ = ["distance_label", "popup_html"]

#: The batch's verdicts of the distance rule, as the map labels them.
_RULE_WORDS = {"ok": "prime : oui", "non": "prime : non", "à vérifier": "à vérifier"}


def _euros(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return format_amount(value, "typeset")


def _known(value: Any) -> bool:
    return value is not None and not pd.isna(value)


def distance_label(row: pd.Series) -> str:
    """The distance as the batch wrote it (a range for a commune known by name), with
    the batch's verdict: the same figures and words as the row, never recomputed."""
    near, far = row["distance_km"], row["distance_max_km"]
    if _known(near):
        text = format_km(float(near) * 1000)
        if _known(far):
            text = f"{text.removesuffix(' km')}–{format_km(float(far) * 1000, up=True)}"
    else:
        # No distance in the results: the straight line, marked "≈" (explained in the legend).
        return f"≈ {format_km(row['straight_km'] * 1000)}"
    verdict = str(row["distance_rule"] or "").split(" : ", 1)[0]
    word = _RULE_WORDS.get(verdict)
    return f"{text} · {word}" if word else text


def popup_html(group: pd.DataFrame) -> str:
    """The popup of one post (its rows, one per site): verdicts, premium and funding."""
    first = group.iloc[0]
    esc = html.escape
    label = STATUS_STYLE[first["status_key"]][1]
    sites = "".join(
        f"<li>{esc(r['site_name'] or 'site ambulatoire')}"
        + (f" — {esc(str(r['site_zone']))}" if str(r["site_zone"] or "").strip() else "")
        + (f" — {distance_label(r)}" if r["drawable"] else " — non localisé")
        + (f"<br><small>{esc(r['distance_rule'])}</small>" if r["distance_rule"] else "")
        + "</li>"
        for _, r in group.iterrows()
    )
    reasons = esc(first["reasons"]).replace("\n", "<br>").replace(" | ", "<br>")
    return (
        f"<b>Poste {esc(first['post_id'])}</b> — {esc(first['programme'])}<br>"
        f"Statut : <b>{esc(first['status'] or label)}</b><br>"
        f"Site principal : {esc(first['main_name'] or '—')}<br>"
        f"Sites ambulatoires :<ul style='margin:2px 0 2px 16px;padding:0'>{sites}</ul>"
        f"Prime territoriale : {_euros(first['premium'])} / mois<br>"
        f"Financement ARS : {_euros(first['funding'])} / mois"
        + (f"<br><small>{reasons}</small>" if reasons else "")
    )
