"""Screens of the fundtrack terminal UI (imported lazily, when first opened)."""
