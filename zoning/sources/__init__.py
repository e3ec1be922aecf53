"""Readers of the upstream source files, one module per kind of source.

Each reader takes a path and the source's entry of the manifest (``data/sources.toml``)
and returns a plain DataFrame (or GeoDataFrame) with *our* column names; nothing here
knows about decrees or the store.
"""
