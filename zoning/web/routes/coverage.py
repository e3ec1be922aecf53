"""Page « Carte de couverture »: a region under a decree, its map and its table."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from zoning.settings import get_settings
from zoning.store.store import ZoningStore
from zoning.web import services
from zoning.web.deps import HeavyDep, StoreDep
from zoning.web.templating import render

router = APIRouter(include_in_schema=False)


async def _data(
    store: ZoningStore, region: str | None, arrete: str | None
) -> tuple[str, str | None, Any]:
    """Region, decree id and coverage data for the selectors' values."""
    region, decree_id = _choice(store, region, arrete)
    data = await asyncio.to_thread(services.coverage, store, region, decree_id)
    return region, decree_id, data


def _choice(store: ZoningStore, region: str | None, arrete: str | None) -> tuple[str, str | None]:
    region = region or get_settings().region
    known = {code for code, _ in services.regions(store)}
    if region not in known:
        region = get_settings().region
    decree = arrete or None
    if decree is not None:
        decree_obj = store.decree(decree)  # unknown: OutsideCoverageError, a French message
        region = decree_obj.region
    return region, decree


@router.get("/couverture", response_class=HTMLResponse)
async def coverage_page(
    request: Request, store: StoreDep, region: str | None = None, arrete: str | None = None
) -> HTMLResponse:
    """Sélecteurs région et arrêté, carte, tableau par département contre les plafonds."""
    region, decree_id, data = await _data(store, region, arrete)
    headers, rows, caps = services.departement_table(data)
    query = f"region={region}" + (f"&arrete={decree_id}" if decree_id else "")
    context: dict[str, Any] = {
        "regions": services.regions(store),
        "decrees": services.decrees(store),
        "region": region,
        "decree": data.decree,
        "decree_id": decree_id or "",
        "headers": headers,
        "rows": rows,
        "caps": caps,
        "query": query,
        "provenance": data.provenance_lines(),
    }
    return render(request, "coverage.html", context)


@router.get("/couverture/carte.html", response_class=HTMLResponse)
async def coverage_map(
    store: StoreDep, heavy: HeavyDep, region: str | None = None, arrete: str | None = None
) -> HTMLResponse:
    """La carte de couverture, page autonome (Leaflet intégré depuis npm)."""
    with heavy.slot():  # drawing a region's map: full, 429
        _region, _decree, data = await _data(store, region, arrete)
        return HTMLResponse(await asyncio.to_thread(services.coverage_html, data))


@router.get("/couverture/departements.csv")
async def coverage_csv(
    store: StoreDep, region: str | None = None, arrete: str | None = None
) -> Response:
    """Le tableau par département (CSV ; séparateur point-virgule, UTF-8 avec BOM)."""
    region, _decree, data = await _data(store, region, arrete)
    headers, rows, _caps = services.departement_table(data)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    writer.writerows(rows)
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="couverture-{region}.csv"'},
    )
