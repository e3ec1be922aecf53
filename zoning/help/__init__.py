"""Help data in French: the catalogue of reasons (``motifs.toml``, read by
:mod:`zoning.reasons`)."""
