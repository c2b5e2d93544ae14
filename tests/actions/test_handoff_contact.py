"""The contact form that follows a handoff outside office hours, against the real staff console
(the action tests' console has no opening hours)."""

from __future__ import annotations

import asyncio
import sqlite3
from functools import cache
from pathlib import Path

import pytest
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import (
    BAD_CONTACT_MESSAGE,
    CONTACT_DECLINED_MESSAGE,
    CONTACT_FORM,
    CONTACT_SAVED_MESSAGE,
    NO_CONTACT,
    ActionHandoff,
    ActionSaveHandoffContact,
    ValidateHandoffContactForm,
    parse_contact,
)
from tests.actions.conftest import Services, make_tracker, texts


@pytest.mark.parametrize(
    ("typed", "contact"),
    [
        ("0912345678", "0912345678"),
        ("sđt mình: 0912 345 678 nhé", "0912345678"),
        ("+84 912.345.678", "0912345678"),
        ("email Lan.Nguyen@Example.vn ạ", "lan.nguyen@example.vn"),
        ("không", None),
        ("09********", None),  # a masked copy from an earlier turn
        ("12345", None),
    ],
)
def test_parse_contact(typed: str, contact: str | None) -> None:
    """Phone numbers come out in national format, e-mails in lower case; anything else is None."""
    assert parse_contact(typed) == contact


@cache
def domain() -> dict:
    """The project's domain, as Rasa sends it to the action server."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml")).as_dict()


def validate(text: str, intent: str = "inform") -> tuple[list[dict], CollectingDispatcher]:
    """Run the form validation (extraction, then validation) on the answer to the contact question."""
    tracker = make_tracker(text=text, intent=intent, slots={"requested_slot": "contact"}, active_loop=CONTACT_FORM)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateHandoffContactForm().run(dispatcher, tracker, domain()))
    return events, dispatcher


def contact_set(events: list[dict]) -> object:
    values = [event["value"] for event in events if event.get("event") == "slot" and event.get("name") == "contact"]
    assert values, events
    return values[-1]


def test_form_takes_a_phone_a_refusal_or_asks_again() -> None:
    """A phone number fills the slot; "không" (deny) declines; other text is asked again."""
    events, _ = validate("0987 654 321")
    assert contact_set(events) == "0987654321"
    events, _ = validate("không", intent="deny")
    assert contact_set(events) == NO_CONTACT
    events, dispatcher = validate("để mai tính")
    assert contact_set(events) is None and texts(dispatcher) == BAD_CONTACT_MESSAGE


def test_after_hours_handoff_starts_the_contact_form(live: Services) -> None:
    """Outside office hours the handoff action hands the turn to the contact form."""
    tracker = make_tracker(text="cho tôi gặp cán bộ", intent="request_human", sender_id="web:contact-form-test-0001")
    dispatcher = CollectingDispatcher()
    events = ActionHandoff().run(dispatcher, tracker, {})
    assert "ngoài giờ làm việc" in texts(dispatcher)
    assert FollowupAction(CONTACT_FORM) in events


def test_saved_contact_reaches_the_handoff_and_the_slot_is_cleared(live: Services) -> None:
    """The contact is stored on the conversation's open handoff; the PII slot is emptied."""
    sender = "web:contact-form-test-0002"
    ActionHandoff().run(CollectingDispatcher(), make_tracker(text="gặp cán bộ", sender_id=sender), {})
    dispatcher = CollectingDispatcher()
    events = ActionSaveHandoffContact().run(
        dispatcher, make_tracker(text="0912345678", slots={"contact": "0912345678"}, sender_id=sender), {}
    )
    assert texts(dispatcher) == CONTACT_SAVED_MESSAGE and SlotSet("contact", None) in events
    with sqlite3.connect(live.console_db) as db:
        rows = db.execute("select contact from console_handoffs where sender_id = ?", (sender,)).fetchall()
    assert rows == [("0912345678",)]


def test_declined_contact_is_not_sent(live: Services) -> None:
    """ "không" stores nothing and tells the citizen staff will answer in the conversation."""
    sender = "web:contact-form-test-0003"
    ActionHandoff().run(CollectingDispatcher(), make_tracker(text="gặp cán bộ", sender_id=sender), {})
    dispatcher = CollectingDispatcher()
    ActionSaveHandoffContact().run(dispatcher, make_tracker(slots={"contact": NO_CONTACT}, sender_id=sender), {})
    assert texts(dispatcher) == CONTACT_DECLINED_MESSAGE
    with sqlite3.connect(live.console_db) as db:
        rows = db.execute("select contact from console_handoffs where sender_id = ?", (sender,)).fetchall()
    assert rows == [(None,)]
