"""Which short messages are follow-ups about the procedure under discussion."""

from __future__ import annotations

import pytest

from actions.aspects import aspects_in, refers_to_context
from actions.followups import follow_up_aspect, follow_up_aspects


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


@pytest.mark.parametrize(
    ("text", "aspects"),
    [
        ("thế còn phí và thời gian?", ["fee", "time"]),
        ("the con phi va thoi gian", ["fee", "time"]),
        ("mất bao lâu và phí bao nhiêu", ["time", "fee"]),
        ("cần giấy tờ gì, nộp ở đâu", ["documents", "agency"]),
        ("thủ tục này gồm mấy bước vậy, làm online được không ạ", ["steps", "online"]),
    ],
)
def test_several_aspects_in_one_follow_up(text: str, aspects: list[str]) -> None:
    """Two questions in one message are both found, in the order asked."""
    assert follow_up_aspects(text) == aspects


def test_a_long_message_that_points_back_is_a_follow_up() -> None:
    """ "thủ tục này" makes a longer message a follow-up; a long message without it is not."""
    assert follow_up_aspects("cho mình hỏi thủ tục này thì nộp hồ sơ ở đâu vậy ạ") == ["agency"]
    assert follow_up_aspects("cho mình hỏi về việc nộp hồ sơ ở đâu vậy ạ cảm ơn") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thủ tục này gồm mấy bước", True),
        ("cái đó mất bao lâu", True),
        ("làm như vậy có mất phí không", True),
        ("đăng ký khai sinh cần gì", False),
        ("thuận tiện không", False),
    ],
)
def test_context_words(text: str, expected: bool) -> None:
    """Words that point back to the procedure under discussion."""
    assert refers_to_context(text) is expected


def test_cues_do_not_fire_on_look_alike_words() -> None:
    """ "thuận tiện" is not "tiền": no fee aspect."""
    assert aspects_in("thủ tục này có thuận tiện không") == []
