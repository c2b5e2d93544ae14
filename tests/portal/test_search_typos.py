"""Typo tolerance of procedure search (portal/search/typos.py) and what the parser strips.

A misspelt word one edit away from a catalog word is read as that word; real Vietnamese
syllables and catalog words are never "corrected"; place names and greetings are not searched.
"""

from __future__ import annotations

import pytest

from portal.search.query import parse_query, strip_places
from portal.search.typos import TypoCorrector, vietnamese_syllables, within_one_edit

FREQUENCIES = {"dang": 500, "dan": 40, "ket": 60, "hon": 30, "thuong": 80, "tru": 170, "khai": 200, "sinh": 40}


@pytest.mark.parametrize(
    ("a", "b", "close"),
    [
        ("dag", "dang", True),  # dropped letter
        ("thuongg", "thuong", True),  # doubled letter
        ("khia", "khai", True),  # swapped neighbours
        ("sinh", "sinj", True),  # wrong key
        ("dag", "dung", False),  # two edits
        ("khai", "khai", True),
    ],
)
def test_one_edit_distance(a: str, b: str, close: bool) -> None:
    """Insertion, deletion, substitution and a swap of neighbours are one edit; more is not."""
    assert within_one_edit(a, b) is close


def test_misspelt_word_becomes_the_most_used_catalog_word_one_edit_away() -> None:
    """ "dag" is one edit from "dang" and "dan": the word most names use wins."""
    corrector = TypoCorrector(FREQUENCIES, syllables=())
    assert corrector.correct("dag") == "dang"
    assert corrector.correct("thuongg") == "thuong"
    assert corrector.correct("khia") == "khai"


def test_catalog_words_syllables_and_short_words_are_left_alone() -> None:
    """A word of the catalog, a real Vietnamese syllable ("tuần" -> "tuan") and words under three
    letters are never turned into something else; nothing close gives None."""
    corrector = TypoCorrector(FREQUENCIES, syllables={"tuan", "thuon"})
    assert corrector.correct("khai") is None
    assert corrector.correct("thuon") is None  # a syllable, although one edit from "thuong"
    assert corrector.correct("kt") is None
    assert corrector.correct("xyzxyz") is None


def test_underthesea_dictionary_gives_the_syllables() -> None:
    """The syllable list comes from underthesea's dictionary: common syllables are in, typos are not."""
    syllables = vietnamese_syllables()
    assert {"tuan", "chao", "khai", "sinh"} <= syllables
    assert not {"dag", "khaii", "thuongg"} & syllables


def test_place_names_after_their_unit_are_not_searched() -> None:
    """ "ở xã Tân Thông Hội huyện Củ Chi" says where the citizen lives; its words would match names."""
    assert strip_places("Tôi ở xã Tân Thông Hội huyện Củ Chi. Tôi muốn đăng ký kết hôn") == (
        "Tôi ở Tôi muốn đăng ký kết hôn"
    )
    assert strip_places("phường Bến Nghé quận 1 thì nộp ở đâu") == "thì nộp ở đâu"
    assert strip_places("chứng thực ở ubnd xã") == "chứng thực ở ubnd xã"  # nothing capitalised follows


def test_greeting_opening_the_message_is_not_searched() -> None:
    """ "Chào bạn," / "Xin chào." open the message; "chào mua" inside a question stays."""
    assert parse_query("Chào bạn, cho hỏi đăng ký khai sinh").variants[0][:4] == ("dang", "ky", "khai", "sinh")
    assert parse_query("chao ban").is_empty
    assert "chao" in parse_query("đăng ký chào mua công khai").terms
