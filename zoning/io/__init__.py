"""User tables in and out: one reader, one text folder, one value parser.

``read`` reads every user table (CSV in any of the encodings Excel writes, Excel,
ODS); ``text`` folds accents, case and punctuation; ``values`` parses the numbers,
dates and yes/no answers found in cells. Writers live beside them (``write``,
``atomic``).
"""
