"""Textual widgets of the fundtrack terminal UI."""
