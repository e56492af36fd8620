"""The region (province · city) a company's registered place (注册地) lies in, for look-through tables."""

from __future__ import annotations

import re
from functools import lru_cache

from fundtrack.regions import PROVINCE_CITIES

MUNICIPALITIES = ("北京", "上海", "天津", "重庆")
_PROVINCE = re.compile(r"^(.{2,8}?)(省|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)")
_CITY = re.compile(r"^(.{2,6}?)(市|自治州|地区|盟)")
_CITY_TO_PROVINCE = {c: p for p, cities in PROVINCE_CITIES.items() for c in cities}
UNKNOWN = ("未知", "Unknown")


@lru_cache(maxsize=65536)
def place_region(place: str | None, lang: str = "zh") -> str:
    """`湖北省武汉市东湖新技术开发区` → `湖北·武汉`; `上海市浦东新区` → `上海`; `宜昌市猇亭区` → `湖北·宜昌`
    (a city of a known province named without its province); blank → 未知."""
    if not place or not place.strip():
        return UNKNOWN[0] if lang == "zh" else UNKNOWN[1]
    s = place.strip()
    for m in MUNICIPALITIES:
        if s.startswith(m):
            return m
    province = None
    pm = _PROVINCE.match(s)
    if pm:
        province = pm.group(1)
        s = s[pm.end():]
    city = None
    for c in _CITY_TO_PROVINCE:
        if s.startswith(c):
            city = c
            break
    if city is None:
        cm = _CITY.match(s)
        if cm:
            city = cm.group(1)
    if province is None and city is not None:
        province = _CITY_TO_PROVINCE.get(city)
    if province and city:
        return f"{province}·{city}"
    if province:
        return province
    if city:
        return city
    return s[:6]
