"""Sample posts for the map tests and the README images (hand-written, labelled so)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

# Hand-written test fixture (NOT real posts): the hospitals are real FINESS sites with
# the coordinates of ../shared/data/finess/eurostat_healthcare_FR_hospitals_2020.csv;
# the ambulatory sites are real communes placed at La Poste's reference point, read
# from the store; ids, programmes, statuses, premiums and funding are made up.
HOSPITALS = {
    "gueret": ("CENTRE HOSPITALIER DE GUERET", 1.87113, 46.16497),
    "limoges": ('CHU "DUPUYTREN" LIMOGES', 1.2328, 45.8141),
    "bayonne": ("CH INTERCOMMUNAL DE LA COTE BASQUE", -1.48231, 43.48311),
}
SAMPLE_POSTS = [
    # id, programme, statut, hospital, [(site name, commune code)], distance, prime, funding
    (
        "T1",
        "na-mg-2023",
        "éligible",
        "gueret",
        [("Cabinet (test) Aubusson", "23008")],
        None,
        450,
        3130.42,
    ),
    (
        "T2",
        "na-mg-2023",
        "non éligible",
        "limoges",
        [("Cabinet (test) Limoges", "87085")],
        None,
        0,
        0,
    ),
    (
        "T3",
        "cvl-assistants-partages",
        "à vérifier",
        "bayonne",
        [("MSP (test) Hasparren", "64256"), ("CDS (test) Saint-Palais", "64493")],
        None,
        None,
        3772.16,
    ),
    (
        "T4",
        "na-mg-2023",
        "éligible",
        "gueret",
        [("Cabinet (test) Bourganeuf", "23030")],
        None,
        450,
        3130.42,
    ),
    ("T5", "na-mg-2023", "erreur", "gueret", [("adresse introuvable", "")], None, None, None),
]


def write_sample_posts(store: Any, path: Path) -> Path:
    """Write the sample posts as a batch result: Windows-1252, ``;``, one row per site."""
    postal = store.postal().drop_duplicates("code").set_index("code")
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(
            [
                "id",
                "programme",
                "statut",
                "motifs",
                "site_principal_nom",
                "site_principal_lon",
                "site_principal_lat",
                "site_nom",
                "site_lon",
                "site_lat",
                "distance_km",
                "prime",
                "financement",
            ]
        )
        for pid, prog, status, hosp, sites, dist, prime, funding in SAMPLE_POSTS:
            name, lon, lat = HOSPITALS[hosp]
            for site_name, code in sites:
                slon = f"{postal.loc[code, 'lon']:.6f}".replace(".", ",") if code else ""
                slat = f"{postal.loc[code, 'lat']:.6f}".replace(".", ",") if code else ""
                writer.writerow(
                    [
                        pid,
                        prog,
                        status,
                        "motif de test",
                        name,
                        str(lon).replace(".", ","),
                        str(lat).replace(".", ","),
                        site_name,
                        slon,
                        slat,
                        dist or "",
                        prime if prime is not None else "",
                        funding if funding is not None else "",
                    ]
                )
    return path
