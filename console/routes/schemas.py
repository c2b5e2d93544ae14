"""Request and response bodies of the bot-facing API (pydantic 1)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, validator

from common.text.normalize import normalize_text


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    return normalize_text(value).strip()


class ChatMessage(BaseModel):
    role: Literal["user", "bot"]
    text: str = Field(..., max_length=2000)

    _norm = validator("text", allow_reuse=True)(_clean)


class HandoffIn(BaseModel):
    sender_id: str = Field(..., min_length=1, max_length=128)
    channel: str = Field(..., min_length=1, max_length=32)
    reason: str = Field("", max_length=500)
    last_messages: list[ChatMessage] = Field(default_factory=list, max_items=50)
    contact: str | None = Field(None, max_length=200)

    _norm = validator("sender_id", "channel", "reason", "contact", allow_reuse=True)(_clean)

    @validator("sender_id", "channel")
    def _not_blank(cls, value: str) -> str:  # noqa: N805 - pydantic validator
        if not value:
            raise ValueError("empty")
        return value


class HandoffOut(BaseModel):
    id: int
    status: str
    within_office_hours: bool
    message_for_citizen: str
    has_contact: bool = False


class ComplaintIn(BaseModel):
    sender_id: str = Field(..., min_length=1, max_length=128)
    channel: str = Field(..., min_length=1, max_length=32)
    description: str = Field(..., min_length=1, max_length=4000)
    contact: str | None = Field(None, max_length=200)

    _norm = validator("sender_id", "channel", "description", "contact", allow_reuse=True)(_clean)

    @validator("sender_id", "channel", "description")
    def _not_blank(cls, value: str) -> str:  # noqa: N805 - pydantic validator
        if not value:
            raise ValueError("empty")
        return value


class ComplaintOut(BaseModel):
    reference: str
    status: str


class FaqOut(BaseModel):
    key: str
    title: str
    answer: str
    tags: list[str]
    updated_at: str


class FaqMatch(BaseModel):
    key: str
    title: str
    answer: str
    score: float
    matched_question: str


class MatchOut(BaseModel):
    query: str
    results: list[FaqMatch]


class OwnerOut(BaseModel):
    sender_id: str
    owned: bool
    handoff_id: int | None
    handoff_status: str | None
    owner_name: str | None
