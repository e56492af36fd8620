"""TUI settings from the user config directory (fundtrack.config.config_dir()):

    tui.toml      [tui] lang = "en", theme = "textual-light", cursor_blink = false
    keymap.toml   [keymap] "table.filter" = "f", "app.jump" = "ctrl+f,g"

A key in keymap.toml is a binding id (the help screen lists them); its value is one key or
several separated by commas, in Textual's key names ("ctrl+f", "slash", "f2"). Bad files
never stop the app: they are reported in `Settings.problems` and shown as a notification.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

KEYMAP_FILE = "keymap.toml"
SETTINGS_FILE = "tui.toml"


@dataclass
class Settings:
    lang: str = "zh"
    theme: str | None = None
    cursor_blink: bool = True
    keymap: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    directory: Path | None = None


def _read(path: Path, problems: list[str]) -> dict:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        problems.append(f"{path}: {exc}")
        return {}


def parse_keymap(data: dict, problems: list[str] | None = None) -> dict[str, str]:
    """{binding id: "key,key"} from a keymap.toml table ([keymap] or top level)."""
    problems = problems if problems is not None else []
    table = data.get("keymap", data)
    out: dict[str, str] = {}
    for k, v in table.items():
        if isinstance(v, dict):  # [keymap.table] style: "filter" under [keymap.table] → table.filter
            for k2, v2 in parse_keymap({"keymap": v}, problems).items():
                out[f"{k}.{k2}"] = v2
            continue
        if isinstance(v, str):
            keys = v
        elif isinstance(v, list) and all(isinstance(x, str) for x in v):
            keys = ",".join(v)
        else:
            problems.append(f"keymap: {k} = {v!r} is not a key string")
            continue
        keys = ",".join(x.strip() for x in keys.split(",") if x.strip())
        if keys:
            out[str(k)] = keys
    return out


def load_settings(directory: Path | None = None) -> Settings:
    from fundtrack.config import config_dir

    d = directory if directory is not None else config_dir()
    problems: list[str] = []
    s = Settings(directory=d)
    t = _read(d / SETTINGS_FILE, problems).get("tui", {})
    if t.get("lang") in ("zh", "en"):
        s.lang = t["lang"]
    if isinstance(t.get("theme"), str):
        s.theme = t["theme"]
    if isinstance(t.get("cursor_blink"), bool):
        s.cursor_blink = t["cursor_blink"]
    s.keymap = parse_keymap(_read(d / KEYMAP_FILE, problems), problems)
    s.problems = problems
    return s
