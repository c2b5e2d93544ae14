"""Teencode lexicon (common/text/lexicon.yml + common/text/teencode.py)."""

from __future__ import annotations

import unicodedata

import pytest

from common.text.teencode import LexiconError, expand_token, load_lexicon, parse_lexicon


def test_default_lexicon_loads_and_covers_the_domain_brief():
    """The shipped lexicon is valid and contains the forms the domain brief lists."""
    lexicon = load_lexicon()
    expected = {
        "ko": "không",
        "k": "không",
        "hok": "không",
        "khum": "không",
        "dc": "được",
        "đc": "được",
        "bn": "bao nhiêu",
        "vs": "với",
        "bik": "biết",
        "cccd": "căn cước công dân",
        "gplx": "giấy phép lái xe",
        "đk": "đăng ký",
        "dk": "đăng ký",
        "hkd": "hộ kinh doanh",
    }
    for key, value in expected.items():
        assert lexicon.expand(key) == value, key


def test_lookup_ignores_case_and_normalization():
    """Keys match whatever the citizen typed: upper case, NFD, other tone placement."""
    assert expand_token("CCCD") == "căn cước công dân"
    assert expand_token(unicodedata.normalize("NFD", "Đc")) == "được"
    assert expand_token(" ubnd ") == "ủy ban nhân dân"


def test_unknown_and_ambiguous_tokens_are_not_expanded():
    """Unknown words and context-dependent forms ("tt", "hs") return None."""
    assert expand_token("hồ") is None
    assert expand_token("tt") is None
    assert expand_token("hs") is None
    assert expand_token("") is None


def test_values_are_nfc_with_traditional_tone_placement_at_load():
    """An entry written in NFD or with the modern placement ("uỷ") is normalized at load."""
    lexicon = parse_lexicon({"teencode": {unicodedata.normalize("NFD", "hoà"): unicodedata.normalize("NFD", "uỷ ban")}})
    assert lexicon.expand("hòa") == "ủy ban"
    assert lexicon.expand("hoà") == "ủy ban"
    assert all(unicodedata.is_normalized("NFC", v) for v in lexicon.expansions.values())


@pytest.mark.parametrize(
    "data",
    [
        {"teencode": {"ko": "không"}, "abbreviations": {"KO": "không"}},  # duplicate key
        {"teencode": {"hai tu": "x"}},  # key of two tokens
        {"teencode": {"ko": ""}},  # empty value
        {"teencode": {"ko": ["không"]}},  # not a string
        {"teencode": ["ko"]},  # section not a mapping
        {"teencode": {"tt": "tạm trú"}, "ambiguous": {"tt": ["tạm trú", "thanh toán"]}},
    ],
)
def test_malformed_lexicons_are_rejected(data):
    """Data mistakes fail loudly at load instead of silently changing features."""
    with pytest.raises(LexiconError):
        parse_lexicon(data)


def test_lexicon_file_is_read_from_a_given_path(tmp_path):
    """A deployment can point the tokenizer at its own lexicon file."""
    path = tmp_path / "lexicon.yml"
    path.write_text("teencode:\n  ntn: như thế nào\n", encoding="utf-8")
    assert load_lexicon(path).expand("NTN") == "như thế nào"
