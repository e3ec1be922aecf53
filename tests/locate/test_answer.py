"""The answer model of one place: exactly the placement's fields, in their order."""

from __future__ import annotations

import json
from datetime import date

import pytest
from pydantic import ValidationError

from zoning.locate import lookup
from zoning.locate.answer import HistoryRow, PlaceAnswer
from zoning.locate.placement import Placement
from zoning.store import ZoningStore


def _placements(store: ZoningStore) -> list[Placement]:
    on = date(2023, 11, 1)
    return [
        lookup.by_commune(store, "23096", on),  # ZIP, with a listed QPV
        lookup.by_commune(store, "23121", on),  # an old code, converted and said
        lookup.by_commune(store, "23096", date(2026, 1, 1)),  # an expired decree
        lookup.by_point(store, 1.87113, 46.16497, on),  # a point
        lookup.by_postcode_name(store, "87000", "Limoges", on),
    ]


def test_the_model_is_the_placement_as_json(fixture_store: ZoningStore) -> None:
    """What `zoning check --json` printed before the model, key for key and in order."""
    for placement in _placements(fixture_store):
        before = json.dumps(placement.to_dict(), ensure_ascii=False, indent=1)
        now = PlaceAnswer.of(placement).model_dump(mode="json")
        assert json.dumps(now, ensure_ascii=False, indent=1) == before


def test_a_field_the_model_does_not_know_is_refused(fixture_store: ZoningStore) -> None:
    """A field added to the placement and not to the model fails, never vanishes."""
    answer = lookup.by_commune(fixture_store, "23096", date(2023, 11, 1)).to_dict()
    with pytest.raises(ValidationError, match="extra"):
        PlaceAnswer.model_validate({**answer, "new_field": 1})


def test_history_rows(fixture_store: ZoningStore) -> None:
    rows = lookup.history(fixture_store, "23096")
    assert [HistoryRow.model_validate(r).model_dump(mode="json") for r in rows] == rows
