"""The batch's output schema: the names of the columns a result adds to the input's.

One list for every writer (CSV, Excel, GeoJSON properties) and for the posts map, which
reads a result back by these names. Beside each column of reasons, the column of their
codes (:mod:`zoning.reasons`), in the same order, joined the same way.
"""

from __future__ import annotations

#: The reasons of a row (« critère : motif | … ») and their codes, in the same order.
REASONS = "motifs"
REASON_CODES = "codes_motifs"
PREMIUM_CODE = "code_prime"
FUNDING_CODE = "code_financement"


def distance_code(k: int) -> str:
    """The column of the code of site ``k``'s distance rule."""
    return f"code_regle_20km_site{k}"


def site_columns(k: int) -> list[str]:
    """Names of the columns of ambulatory site ``k`` (1-based)."""
    return [
        f"lon_site{k}",
        f"lat_site{k}",
        f"zone_site{k}",
        f"commune_site{k}",
        f"departement_site{k}",
        f"qpv_site{k}",
        f"precision_site{k}",
        f"distance_km_site{k}",
        f"distance_max_km_site{k}",
        f"distance_route_km_site{k}",
        f"regle_20km_site{k}",
        distance_code(k),
    ]


def result_headers(n_sites: int) -> list[str]:
    """Names of the columns added to the input columns."""
    cols = [
        "statut",
        REASONS,
        REASON_CODES,
        "lon_etablissement",
        "lat_etablissement",
        "commune_etablissement",
        "precision_etablissement",
    ]
    for k in range(1, n_sites + 1):
        cols += site_columns(k)
    cols += [
        "arrete",
        "prime_verdict",
        "prime_mensuelle",
        "prime_si_confirmee",
        "prime_motif",
        PREMIUM_CODE,
        "financement_mensuel",
        "financement_total",
        "financement_motif",
        FUNDING_CODE,
        "remarques",
    ]
    return cols
