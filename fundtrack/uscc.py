"""Unified Social Credit Code (统一社会信用代码) check, GB 32100-2015."""

from __future__ import annotations

import random

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]


def check_char(body17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(body17, _WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str | None) -> bool:
    if not code or len(code) != 18:
        return False
    code = code.upper()
    if any(c not in _VALUE for c in code):
        return False
    return check_char(code[:17]) == code[17]


def uscc_problem(code: str) -> str | None:
    """Why a code is invalid, in Chinese, or None when it is valid."""
    c = code.strip().upper()
    if len(c) != 18:
        return f"统一社会信用代码应为18位，实为{len(c)}位"
    bad = [ch for ch in c if ch not in _VALUE]
    if bad:
        return f"统一社会信用代码含非法字符 {''.join(bad)!r}"
    if check_char(c[:17]) != c[17]:
        return f"统一社会信用代码校验位错误（应为 {check_char(c[:17])}）"
    return None


def make_uscc(rng: random.Random, region_code: str = "420100") -> str:
    """A valid, fictional code: 91 (enterprise) + 6-digit region + 9-char org code + check."""
    body = "91" + region_code + "".join(rng.choice(ALPHABET[:10] + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + check_char(body)
