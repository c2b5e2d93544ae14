"""What the simulated citizens say: conversations of procedure questions in citizen wording,
follow-ups that lean on the procedure under discussion, FAQ questions and dossier lookups.

Pure functions (no I/O), so the Locust users (:mod:`bench.locustfile`) and the tests build the same
conversations. A conversation is a list of messages; each message is one turn.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

# (opening question, follow-ups): the follow-ups name no procedure, the bot answers from context.
PROCEDURE_TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Làm căn cước cần giấy tờ gì?", ("lệ phí bao nhiêu vậy", "nộp ở đâu?", "mất bao lâu thì có")),
    ("Đăng ký thường trú cần giấy tờ gì?", ("còn lệ phí thì sao?", "nộp ở đâu?", "làm online được không")),
    ("cho hỏi đăng ký khai sinh cho con cần những gì", ("có mất phí không", "bao lâu thì xong")),
    ("xin lý lịch tư pháp thì làm thế nào", ("mất mấy ngày", "nộp trực tuyến được không", "lệ phí bao nhiêu")),
    ("đổi bằng lái xe cần chuẩn bị giấy tờ gì", ("phí bao nhiêu", "nộp ở đâu")),
    ("đăng ký kết hôn cần mang theo gì", ("có lấy ngay trong ngày không", "các bước làm thế nào")),
    ("lam ho chieu can giay to gi", ("le phi bao nhieu", "bao lau thi nhan duoc")),
    ("tôi muốn đăng ký tạm trú cho người thuê trọ", ("cần giấy tờ gì", "trên vneid được không")),
)

FAQ_QUESTIONS: tuple[str, ...] = (
    "bộ phận một cửa làm việc mấy giờ",
    "thứ bảy có nhận hồ sơ không",
    "quên mật khẩu tài khoản dịch vụ công thì làm sao",
    "mã hồ sơ nằm ở đâu",
)

SMALL_TALK: tuple[str, ...] = ("xin chào", "cảm ơn bạn nhiều", "ok cảm ơn")

CYCLE = 10  # messages in one round of the repeating conversation


@dataclass(frozen=True)
class Dossier:
    """A seeded dossier the bench may look up (``PORTAL_DEMO_DOSSIERS_PATH``)."""

    code: str
    id_number: str


def dossier_lookup(dossier: Dossier, rng: random.Random) -> list[str]:
    """Three turns: ask, give the code, give the ID number (the form asks for each)."""
    ask = rng.choice(("tra cứu tình trạng hồ sơ", "cho mình kiểm tra hồ sơ đã nộp", "hồ sơ của tôi tới đâu rồi"))
    return [ask, dossier.code.lower(), f"số cccd của tôi là {dossier.id_number}"]


def mixed_conversation(turns: int, dossiers: Sequence[Dossier], seed: int) -> list[str]:
    """``turns`` messages of a plausible citizen: topics with follow-ups, an FAQ, a dossier lookup
    when dossiers are given, greetings and thanks; deterministic for a given ``seed``."""
    rng = random.Random(seed)
    messages: list[str] = [rng.choice(SMALL_TALK[:1])] if rng.random() < 0.3 else []
    while len(messages) < turns:
        kind = rng.random()
        if kind < 0.6:
            opening, follow_ups = rng.choice(PROCEDURE_TOPICS)
            messages += [opening, *rng.sample(follow_ups, k=rng.randint(1, len(follow_ups)))]
        elif kind < 0.8 and dossiers:
            messages += dossier_lookup(rng.choice(dossiers), rng)
        elif kind < 0.93:
            messages.append(rng.choice(FAQ_QUESTIONS))
        else:
            messages.append(rng.choice(SMALL_TALK[1:]))
    return messages[:turns]


def repeating_conversation(turns: int, dossier: Dossier | None) -> list[str]:
    """The same :data:`CYCLE` messages over and over, so turn ``k`` and turn ``k + CYCLE`` do the
    same work and only the conversation's length differs (the long-conversation measurement)."""
    opening, follow_ups = PROCEDURE_TOPICS[0]
    lookup = dossier_lookup(dossier, random.Random(0)) if dossier else [t[0] for t in PROCEDURE_TOPICS[1:4]]
    block = [opening, *follow_ups, FAQ_QUESTIONS[0], *lookup, PROCEDURE_TOPICS[1][0], SMALL_TALK[1]]
    assert len(block) == CYCLE
    return (block * (turns // CYCLE + 1))[:turns]
