"""Unit tests of splitting long answers for platforms with a message size limit (Zalo: 2,000)."""

from __future__ import annotations

import re

from bot.channels.text_split import message_parts, split_text

SENTENCE = "Công dân nộp hồ sơ tại Bộ phận một cửa của Ủy ban nhân dân cấp xã nơi cư trú. "


def long_answer(length: int = 5000) -> str:
    text = ""
    number = 0
    while len(text) < length:
        number += 1
        text += f"Bước {number}: " + SENTENCE
    return text[:length].rstrip() + "."


def test_5000_characters_become_three_parts_on_sentence_boundaries() -> None:
    """A 5,000-character answer: 3 parts, each <= 2,000, each ending a sentence, nothing lost."""
    text = long_answer()
    parts = split_text(text)
    assert len(parts) == 3
    assert all(len(part) <= 2000 for part in parts)
    assert "".join(parts) == text
    for part in parts[:-1]:
        assert re.search(r"[.!?…]\s*$", part), part[-40:]


def test_never_cuts_inside_a_word() -> None:
    """Without sentence ends, parts still end between words."""
    words = ["thủ", "tục", "hành", "chính", "căn", "cước"] * 1000
    text = " ".join(words)
    parts = split_text(text, limit=100)
    assert "".join(parts) == text
    for part in parts:
        assert len(part) <= 100
    stripped = [part.strip() for part in parts]
    assert all(word in words for part in stripped for word in part.split())


def test_paragraph_break_is_preferred() -> None:
    """A paragraph break beats a later sentence end inside the window."""
    text = "A" * 50 + ".\n\n" + "Bb. " * 10 + "C" * 80
    parts = split_text(text, limit=100)
    assert parts[0] == "A" * 50 + ".\n\n"


def test_overlong_word_is_cut_as_a_last_resort() -> None:
    """A single 'word' longer than the limit (a URL) is the one case that must be cut."""
    url = "https://dichvucong.gov.vn/" + "x" * 300
    parts = split_text(url, limit=100)
    assert [len(part) for part in parts] == [100, 100, 100, 26]
    assert "".join(parts) == url


def test_short_text_is_one_part_and_parts_are_stripped() -> None:
    """Short answers pass unchanged; sending strips whitespace at the cuts and drops empty parts."""
    assert split_text("Xin chào.") == ["Xin chào."]
    assert message_parts("  Xin chào.  ") == ["Xin chào."]
    assert message_parts("   ") == []
    parts = message_parts(long_answer())
    assert all(part == part.strip() and part for part in parts)
    assert " ".join(parts) == long_answer()
