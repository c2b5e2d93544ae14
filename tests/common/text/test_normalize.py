"""The text normalizer every entry point relies on (channels, training data, catalog import)."""

from __future__ import annotations

import unicodedata

import pytest

from common.text.normalize import fold_accents, has_diacritics, normalize_text, squash_elongation


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("hoà", "hòa"),
        ("Hoà Bình", "Hòa Bình"),
        ("uỷ ban", "ủy ban"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("hoạ", "họa"),
        ("hoàng", "hoàng"),  # closed syllable: the mark stays on the last vowel
        ("quý", "quý"),  # "qu" is a consonant: the mark goes on y
        ("giữ gìn", "giữ gìn"),
        ("người", "người"),
        ("ngoài", "ngoài"),
        ("khuỷu", "khuỷu"),
        ("thuở", "thuở"),
        ("ĐĂNG KÝ", "ĐĂNG KÝ"),
    ],
)
def test_one_tone_mark_convention(variant: str, expected: str) -> None:
    """Both tone placements ("hoà"/"hòa") converge on one spelling, so one word has one key."""
    assert normalize_text(variant) == expected
    assert normalize_text(unicodedata.normalize("NFD", variant)) == expected


def test_nfd_input_becomes_nfc() -> None:
    """Text typed on some phones arrives decomposed; stored and compared text is NFC."""
    text = unicodedata.normalize("NFD", "Làm căn cước cần giấy tờ gì?")
    assert normalize_text(text) == "Làm căn cước cần giấy tờ gì?"
    assert unicodedata.is_normalized("NFC", normalize_text(text))


@pytest.mark.parametrize(
    "text", ["", " ", "!!!", "000.00.01.H29-240115-0001", "cccd 079123456789", "👍 ok", "x" * 5000, "Hello world"]
)
def test_length_preserved_on_nfc_input(text: str) -> None:
    """Entity offsets computed on NFC text stay valid after normalization and folding."""
    assert len(normalize_text(text)) == len(text)
    assert len(fold_accents(text)) == len(text)


def test_non_vietnamese_words_untouched() -> None:
    """Codes, English and numbers pass through (only letters with one tone mark move)."""
    text = "Mã hồ sơ 000.00.01.H29-240115-0001, email abc@example.com"
    assert normalize_text(text) == text


def test_fold_accents() -> None:
    """Citizens type without diacritics: the folded key of accented and plain text is the same."""
    assert fold_accents("Đăng ký thường trú") == "dang ky thuong tru"
    assert fold_accents("tra cứu hồ sơ") == fold_accents("tra cuu ho so")
    assert has_diacritics("hồ sơ") and not has_diacritics("ho so")


@pytest.mark.parametrize("glued", ["NgàyKhông", "TT-BCALuật", "HoàBình", "iPhone"])
def test_glued_or_foreign_words_are_left_alone(glued: str) -> None:
    """Scraped catalog cells glue words together; only real syllables get their tone moved."""
    assert normalize_text(glued) == glued


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("chàooo", "chào"),
        ("hii", "hi"),
        ("okkk", "ok"),
        ("nhaaa", "nha"),
        ("khummm", "khum"),
        # unchanged: real words, numbers, two-letter abbreviations
        ("xoong", "xoong"),
        ("lưu", "lưu"),
        ("luu", "luu"),
        ("cuu", "cuu"),
        ("app", "app"),
        ("cccd", "cccd"),
        ("1000", "1000"),
        ("tt", "tt"),
    ],
)
def test_letters_repeated_for_emphasis_are_squashed(typed, expected):
    """Chat emphasis ("chàooo", "hii") must look like the word itself; spelled words never change."""
    assert squash_elongation(typed) == expected
