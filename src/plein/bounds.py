"""Bounds on whole numbers that come from outside (paths, query strings, JSON bodies, tokens): each is checked
against what its use can hold before it reaches the database, so that no number, however large, causes a 500."""

from __future__ import annotations

MAX_BIGINT = 2**63 - 1  # the database's BIGINT: ids and counters
MAX_PAGE = 100_000  # any page number of a listing: far beyond what a listing holds, well within OFFSET
MAX_DIGITS = 18  # a whole number of at most this many digits fits a BIGINT

