"""Assign points read from large files, chunk by chunk, with bounded memory (``zoning assign``).

Input is CSV (any separator and encoding, e.g. Windows-1252 ``;`` from Excel) or
Parquet; output is CSV or Parquet, written chunk by chunk. Every input row is in
the output, in order, with its columns unchanged (CSV columns are kept as text)
plus the result columns; a row whose coordinates are missing or not numbers gets
no polygon (index ``-1``, empty label) instead of stopping the run.

The modules, as a file flows through them:

* :mod:`.zones` — what ``zoning assign`` adds: commune, class, decree, remark, QPV,
  read once per run from the store as per-commune columns;
* :mod:`.read` — the input in chunks (CSV or Parquet) and their coordinates;
* :mod:`.columns` — per-polygon columns, dictionary-encoded once, taken per chunk;
* :mod:`.remarks` — the « remarque » column: why a class is to be checked, why a row
  is in no commune;
* :mod:`.pool` — chunks on a thread pool, results in input order;
* :mod:`.assign` — the run itself (:func:`~.assign.assign_file`), writing as it goes;
* :mod:`.dask_engine` — the same assignment on the partitions of a dask frame.
"""
