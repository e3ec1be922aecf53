"""Eligibility rules of the shared-post programmes.

Figures live in ``data/programmes/*.toml`` (one file per programme and campaign,
loaded by :mod:`zoning.rules.programme`); the modules here hold the logic once, as
small pure functions, one concern per module: identifiers, distance, premium,
funding, criteria (one post), batch (many posts).
"""
