"""USCC checksum, region rule and name normalisation."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundtrack.names import clean_display_name, normalise_name
from fundtrack.regions import is_local, region_stem
from fundtrack.uscc import ALPHABET, is_valid_uscc, make_uscc, uscc_problem


def test_uscc_design_example_is_valid():
    assert is_valid_uscc("91110000600037341L")
    assert uscc_problem("91110000600037341L") is None


def test_uscc_rejects_bad_check_char_length_and_alphabet():
    assert not is_valid_uscc("91110000600037341M")
    assert "校验位" in uscc_problem("91110000600037341M")
    assert "18位" in uscc_problem("9111000060003734")
    assert "非法字符" in uscc_problem("91110000600037341I")  # I is not in the alphabet


@given(st.integers(0, 2**32))
def test_generated_codes_are_valid_and_single_changes_are_caught(seed):
    rng = random.Random(seed)
    code = make_uscc(rng)
    assert is_valid_uscc(code)
    i = rng.randrange(17)
    other = rng.choice([c for c in ALPHABET if c != code[i]])
    assert not is_valid_uscc(code[:i] + other + code[i + 1:])


@pytest.mark.parametrize("place,region,local", [
    ("湖北省武汉市东湖新技术开发区", "武汉市", True),
    ("武汉市洪山区", "湖北省", True),
    ("宜昌市猇亭区", "湖北省", True),
    ("湖南省长沙市", "湖北省", False),
    ("上海市浦东新区", "武汉市", False),
    ("咸宁市咸安区", "咸宁市", True),
    ("武汉市江夏区", "江夏区", True),
    ("武汉市洪山区", "江夏区", False),
    (None, "武汉市", False),
])
def test_region_rule(place, region, local):
    assert is_local(place, region) is local


def test_region_stem():
    assert region_stem("武汉市") == "武汉"
    assert region_stem("湖北省") == "湖北"
    assert region_stem("江夏区") == "江夏"


def test_name_normalisation_matches_bracket_and_space_variants():
    a = normalise_name("武汉光谷创投基金（有限合伙）")
    assert normalise_name("武汉光谷创投基金(有限合伙)") == a
    assert normalise_name(" 武汉光谷 创投基金 （有限合伙） ") == a
    assert normalise_name("武汉光谷创投基金\u3000(有限合伙)") == a
    assert clean_display_name(" 武汉光谷 创投基金 (有限合伙) ") == "武汉光谷创投基金（有限合伙）"
    assert normalise_name("ＡＢＣ基金") == normalise_name("abc基金")
