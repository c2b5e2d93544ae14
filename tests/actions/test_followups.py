"""Which short messages are follow-ups about the procedure under discussion."""

from __future__ import annotations

import pytest

from actions.followups import follow_up_aspect


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("còn lệ phí thì sao?", "ask_fee"),
        ("con le phi thi sao", "ask_fee"),
        ("nộp ở đâu?", "ask_agency"),
        ("mất bao lâu?", "ask_processing_time"),
        ("cần giấy tờ gì", "ask_documents"),
        ("làm thế nào ạ", "ask_steps"),
        ("nộp online được không", "ask_online"),
    ],
)
def test_short_aspect_cues(text: str, aspect: str) -> None:
    assert follow_up_aspect(text) == aspect


@pytest.mark.parametrize(
    "text", ["cảm ơn", "nộp thừa lệ phí thì lấy lại thế nào vậy ạ", "giờ làm việc của bộ phận một cửa", ""]
)
def test_other_messages_are_not_follow_ups(text: str) -> None:
    assert follow_up_aspect(text) is None
