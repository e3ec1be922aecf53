"""Reading and writing tables for people: CSV/Excel in, Excel/CSV/GeoJSON out."""
