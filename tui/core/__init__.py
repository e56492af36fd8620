"""The TUI's headless core: queries, table sources, scopes and exports.

Nothing here imports Textual, so it can be tested (and benchmarked) without a terminal, and
every figure still comes from fundtrack.services / fundtrack.metrics — this package only
loads data and shapes it for display.
"""
