"""fundtrack — the ledger and figures of government guidance funds (政府引导基金)."""

__version__ = "0.1.0"
