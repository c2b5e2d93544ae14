"""Shared fixtures and invariants for the NLU component tests."""

from __future__ import annotations

import unicodedata

import pytest
from rasa.nlu.tokenizers.tokenizer import Token

from bot.nlu.tokenizer import VietnameseTokenizer

# Hostile inputs every component must survive (offsets checked against the text as given).
HOSTILE_TEXTS = [
    "",
    "   ",
    "\n\t \u00a0",
    "?!...,;:",
    ":)",
    "😀🇻🇳👍🏽",
    "Cho hỏi 😀 làm căn cước ở đâu 👍🏽?",
    "Can I renew my passport online? cảm ơn!!",
    unicodedata.normalize("NFD", "Đăng ký thường trú ở Thanh Hoá, uỷ ban nhân dân tỉnh Hoà Bình"),
    "Thanh Hoá hoà giải uỷ ban",
    "Thanh Hóa hòa giải ủy ban",
    "ko dc hok bn tien vs bik lam cccd o dau dk hkd",
    "mã hồ sơ 000.00.01.H29-240115-0001, sđt 0912 345 678, CCCD 001099012345.",
    "xem https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html?ma=H56.14-240823-0001 hoặc mail a.b@gov.vn",
    "phí 200.000đ, hẹn 15/01/2024; bằng B2, mã TTHC 1.004222 (cấp tỉnh)",
    "x\u0301y\u0323 e\u0302\u0301 a\u0306\u0303 nonvietnamese\u0308",
    "tra cuu ho so" * 3,
]


def assert_well_formed(text: str, tokens: list[Token]) -> None:
    """Every token is the exact original span, tokens are ordered and do not overlap."""
    previous_end = 0
    for token in tokens:
        assert text[token.start : token.end] == token.text, (token.text, token.start, token.end)
        assert token.start >= previous_end, f"overlap/order at {token.text!r}"
        assert token.end > token.start or text == "", f"empty token {token!r}"
        assert token.lemma, f"token {token.text!r} has no lemma"
        previous_end = token.end


@pytest.fixture(scope="session")
def tokenizer() -> VietnameseTokenizer:
    """A tokenizer with the default config (lexicon loaded once per test session)."""
    return VietnameseTokenizer(VietnameseTokenizer.get_default_config())
