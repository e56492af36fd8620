"""Stake performance for the report: the core's vectorised definition, nothing more."""

from fundtrack.metrics.performance import performance_by as stake_performance  # noqa: F401
