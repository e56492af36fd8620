"""Every figure fundtrack reports, defined once, as pure functions over plain data.

Conventions: money in DataFrames is int64 fen (分) — exact and vectorised; money returned
to callers is Decimal yuan. A sum over nothing is 0; a ratio over a zero denominator is None.
"""

from fundtrack.metrics.ratios import ratio, fen_to_decimal, decimal_to_fen  # noqa: F401
