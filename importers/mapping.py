"""The user's header mapping file (`--map MAPPING.toml`).

    # Headers this office uses → the template's headers (any sheet).
    [headers]
    "认缴金额（万元）" = "认缴规模"
    "GP名称" = "基金管理人"
    "内部编号" = "忽略"            # drop a column without a warning

    # Only for one record kind (引导基金 / 子基金 / 投资项目 / 资金流水).
    [headers."投资项目"]
    "投资额" = "投资金额"

    # Sheets whose names say nothing.
    [sheets]
    "Sheet1" = "子基金"

Keys match like headers do (NFKC, case and spaces ignored; a unit in the key is kept for the
match and the unit of the real header still counts). Values must be a canonical header or an
alias of DESIGN §3, or 忽略 / ignore.
"""

from __future__ import annotations

from pathlib import Path

from importers.fields import IGNORED_HEADERS, KINDS
from importers.headers import IGNORE, INDEX, HeaderMapping, kind_from_label, norm, split_unit

_IGNORE_WORDS = {norm(w) for w in ("忽略", "ignore", "skip", "跳过")}


class MappingError(Exception):
    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh = zh
        self.en = en


def _target(value, kinds) -> str:
    if not isinstance(value, str):
        raise MappingError(f"映射值应为文字：{value!r}", f"a mapping value must be text: {value!r}")
    if norm(value) in _IGNORE_WORDS or norm(value) in map(norm, IGNORED_HEADERS):
        return IGNORE
    bare, _unit = split_unit(value)
    if not any(bare in INDEX[k.key] for k in kinds):
        where = "、".join(k.label for k in kinds)
        raise MappingError(f"映射目标“{value}”不是{where}的表头", f"mapping target “{value}” is not a header of {where}")
    return value


def load_mapping(path: str | Path) -> HeaderMapping:
    import tomllib

    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise MappingError(f"找不到映射文件 {p}", f"mapping file not found: {p}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MappingError(f"映射文件 {p.name} 格式错误：{exc}", f"mapping file {p.name} is not valid TOML: {exc}") from None
    m = HeaderMapping()
    for key, value in (data.get("headers") or {}).items():
        if isinstance(value, dict):
            kind = kind_from_label(key)
            if kind is None:
                raise MappingError(f"映射文件中的记录类型“{key}”未知（应为 引导基金/子基金/投资项目/资金流水）",
                                   f"unknown record kind “{key}” in the mapping file")
            table = m.by_kind.setdefault(kind.key, {})
            for k2, v2 in value.items():
                t = _target(v2, (kind,))
                table[norm(k2)] = t
                table.setdefault(split_unit(k2)[0], t)
            continue
        t = _target(value, KINDS)
        m.headers[norm(key)] = t
        m.headers.setdefault(split_unit(key)[0], t)
    for key, value in (data.get("sheets") or {}).items():
        kind = kind_from_label(str(value))
        if kind is None:
            raise MappingError(f"工作表“{key}”映射到未知的记录类型“{value}”",
                               f"sheet “{key}” is mapped to an unknown record kind “{value}”")
        m.sheets[norm(key)] = kind.key
    unknown = set(data) - {"headers", "sheets"}
    if unknown:
        raise MappingError(f"映射文件中有未知的表 {sorted(unknown)}（只支持 [headers] 和 [sheets]）",
                           f"unknown tables {sorted(unknown)} in the mapping file (only [headers] and [sheets])")
    return m
