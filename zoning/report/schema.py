"""The batch's output schema: the names of the columns a result adds to the input's.

One list for every writer (CSV, Excel, GeoJSON properties) and for the posts map, which
reads a result back by these names.
"""

from __future__ import annotations


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
    ]


def result_headers(n_sites: int) -> list[str]:
    """Names of the columns added to the input columns."""
    cols = [
        "statut",
        "motifs",
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
        "financement_mensuel",
        "financement_total",
        "financement_motif",
        "remarques",
    ]
    return cols
