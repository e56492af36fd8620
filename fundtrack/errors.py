"""Errors the command line turns into exit codes, importable without loading SQLAlchemy."""


class SchemaError(RuntimeError):
    """The database schema is not the one this version of fundtrack expects."""
