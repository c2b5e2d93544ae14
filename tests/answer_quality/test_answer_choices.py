"""Which button the answer evaluation taps, as a citizen would, before it scores a reply.

It may tap the item's own procedure among "Bạn hỏi về thủ tục nào?" choices, or the "Ý bạn là: …"
suggestion of the aspect asked; never another procedure, another case of the same procedure, or a link.
"""

from __future__ import annotations

from bot.evaluation.answer_facts import Fact, Item
from bot.evaluation.answer_run import button_to_tap

ITEM = Item("khai-sinh-le-phi", "1.001193", "fee", "đăng ký khai sinh có mất tiền không", (Fact(("miễn phí",), "x"),))


def message(*payloads: str) -> list[dict]:
    return [{"text": "…", "buttons": [{"title": p, "payload": p} for p in payloads]}]


def test_the_items_procedure_is_chosen_among_several():
    """Of three procedure choices, the one whose payload carries the item's code is tapped."""
    chosen = button_to_tap(
        message('/inform{"procedure": "1.004884"}', '/inform{"procedure": "1.001193"}', "/restart"), ITEM
    )
    assert chosen is not None and chosen["payload"] == '/inform{"procedure": "1.001193"}'


def test_the_suggestion_of_the_asked_aspect_is_chosen():
    """A "did you mean" button asking the fee is tapped, whatever words its entity carries."""
    chosen = button_to_tap(message("/ask_steps", '/ask_fee{"procedure": "khai sinh"}'), ITEM)
    assert chosen is not None and chosen["payload"].startswith("/ask_fee")


def test_no_button_is_tapped_when_none_fits():
    """Another procedure, another case of the same procedure, another procedure's fee and a link are
    never tapped: the reply is scored as it stands."""
    payloads = (
        '/inform{"procedure": "1.004884"}',
        '/inform{"procedure": "1.001193", "aspect": "documents", "procedure_case": "2"}',
        '/ask_fee{"procedure": "1.004884"}',
        "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/1",
    )
    assert button_to_tap(message(*payloads), ITEM) is None
