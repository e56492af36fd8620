"""投资进度 and 未缴 — deployment and unfunded commitments."""

from __future__ import annotations

from fundtrack.metrics.ratios import ratio


def deployment(commitments_fen: int, direct_fen: int, committed_fen: int) -> float | None:
    """Guidance fund: (its commitments to sub-funds + its direct investments) ÷ its size.
    Sub-fund: pass its investments as `direct_fen` and 0 commitments (or its fund commitments)."""
    return ratio(commitments_fen + direct_fen, committed_fen)


def unfunded(committed_fen: int, paid_in_fen: int) -> int:
    return committed_fen - paid_in_fen
