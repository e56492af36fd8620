"""Whether a company's registered place (注册地) is local to a guidance fund's region.

DESIGN §2: strip the region's trailing 省/市/区/县 and look for the rest in the address;
a province-level fund also counts addresses that name one of its cities without the province.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Province → prefecture-level cities (and Hubei's directly administered county-level cities).
# Kept small on purpose: provinces where our users and their sub-funds' companies sit.
PROVINCE_CITIES: dict[str, tuple[str, ...]] = {
    "湖北": ("武汉", "黄石", "十堰", "宜昌", "襄阳", "鄂州", "荆门", "孝感", "荆州", "黄冈", "咸宁",
             "随州", "恩施", "仙桃", "潜江", "天门", "神农架"),
    "湖南": ("长沙", "株洲", "湘潭", "衡阳", "邵阳", "岳阳", "常德", "张家界", "益阳", "郴州", "永州",
             "怀化", "娄底", "湘西"),
    "河南": ("郑州", "开封", "洛阳", "平顶山", "安阳", "鹤壁", "新乡", "焦作", "濮阳", "许昌", "漯河",
             "三门峡", "南阳", "商丘", "信阳", "周口", "驻马店", "济源"),
    "江西": ("南昌", "景德镇", "萍乡", "九江", "新余", "鹰潭", "赣州", "吉安", "宜春", "抚州", "上饶"),
    "安徽": ("合肥", "芜湖", "蚌埠", "淮南", "马鞍山", "淮北", "铜陵", "安庆", "黄山", "滁州", "阜阳",
             "宿州", "六安", "亳州", "池州", "宣城"),
    "江苏": ("南京", "无锡", "徐州", "常州", "苏州", "南通", "连云港", "淮安", "盐城", "扬州", "镇江",
             "泰州", "宿迁"),
    "浙江": ("杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水"),
    "广东": ("广州", "韶关", "深圳", "珠海", "汕头", "佛山", "江门", "湛江", "茂名", "肇庆", "惠州",
             "梅州", "汕尾", "河源", "阳江", "清远", "东莞", "中山", "潮州", "揭阳", "云浮"),
    "四川": ("成都", "自贡", "攀枝花", "泸州", "德阳", "绵阳", "广元", "遂宁", "内江", "乐山", "南充",
             "眉山", "宜宾", "广安", "达州", "雅安", "巴中", "资阳", "阿坝", "甘孜", "凉山"),
    "山东": ("济南", "青岛", "淄博", "枣庄", "东营", "烟台", "潍坊", "济宁", "泰安", "威海", "日照",
             "临沂", "德州", "聊城", "滨州", "菏泽"),
    "陕西": ("西安", "铜川", "宝鸡", "咸阳", "渭南", "延安", "汉中", "榆林", "安康", "商洛"),
    "福建": ("福州", "厦门", "莆田", "三明", "泉州", "漳州", "南平", "龙岩", "宁德"),
}

_SUFFIX = re.compile(r"(省|市|区|县|自治区|特别行政区|自治州|地区)$")


def region_stem(region: str | None) -> str:
    """`武汉市` → `武汉`, `湖北省` → `湖北`; only the trailing administrative suffix goes."""
    if not region:
        return ""
    r = region.strip()
    r = _SUFFIX.sub("", r)
    return r


@lru_cache(maxsize=4096)
def _needles(region: str) -> tuple[str, ...]:
    stem = region_stem(region)
    if not stem:
        return ()
    # A region written as 湖北省武汉市 names its most specific part last.
    parts = [p for p in re.split(r"省|市|区|县", region) if p]
    stem = region_stem(parts[-1]) if len(parts) > 1 else stem
    cities = PROVINCE_CITIES.get(stem, ())
    return (stem, *cities)


def is_local(place: str | None, region: str | None) -> bool:
    """True when the registered place lies in the fund's region."""
    if not place or not region:
        return False
    return any(n in place for n in _needles(region))
