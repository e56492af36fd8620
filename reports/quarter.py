"""Calendar quarters are a core notion (fundtrack.quarters); the report uses them from there."""

from fundtrack.quarters import Quarter, quarter_ends  # noqa: F401
