"""User settings: compliance thresholds (and, for the TUI, key bindings) in TOML files in
the user config directory. Missing files or keys fall back to the defaults here."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

CONFIG_ENV = "FUNDTRACK_CONFIG_DIR"

DEFAULT_COMPLIANCE = {
    # 引导基金认缴占子基金规模的上限
    "guidance_share_cap": 0.30,
    # 单个项目投资额占基金认缴规模的上限
    "single_investment_cap": 0.20,
    # 实缴资金闲置天数上限
    "idle_days": 365,
    # 闲置资金占实缴的比例达到多少才算闲置（避免零头触发）
    "idle_share_min": 0.10,
    # 投资期结束后投资进度下限
    "post_period_min_deployment": 0.70,
    # 返投完成率下限（1.0 = 完成要求）
    "reinvest_min_ratio": 1.0,
    # 引导基金不得为子基金第一大出资人
    "forbid_largest_investor": True,
}


def config_dir() -> Path:
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    from platformdirs import user_config_dir

    return Path(user_config_dir("fundtrack", appauthor=False))


def load_toml(name: str) -> dict:
    path = config_dir() / name
    if not path.exists():
        return {}
    with path.open("rb") as f:
        return tomllib.load(f)


def compliance_thresholds(overrides: dict | None = None) -> dict:
    out = dict(DEFAULT_COMPLIANCE)
    out.update(load_toml("compliance.toml").get("compliance", {}))
    if overrides:
        out.update(overrides)
    return out
