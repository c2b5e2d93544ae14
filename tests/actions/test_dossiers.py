"""Dossier form validation and lookup against the real portal (demo dossiers of ``portal init``)."""

from __future__ import annotations

import asyncio
import sqlite3

from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.dossiers import (
    BAD_CODE_MESSAGE,
    BAD_FACTOR_MESSAGE,
    NOT_MATCHED_MESSAGE,
    ActionLookupDossier,
    ValidateDossierForm,
    parse_dossier_code,
    parse_factor,
)
from actions.portal_client import error_message
from portal.settings import PortalSettings
from tests.actions.conftest import Services, make_tracker, texts


def test_codes_are_normalized_with_the_shared_patterns() -> None:
    assert parse_dossier_code("mã là 000 00 01 h29 - 240115 - 0001 nhé") == "000.00.01.H29-240115-0001"
    assert parse_dossier_code("h56.14-240823-0001") == "H56.14-240823-0001"
    assert parse_dossier_code("hồ sơ số 12345") is None


def test_factor_is_an_id_number_or_the_last_four_phone_digits() -> None:
    assert parse_factor("cccd 0791 9000 1234") == "079190001234"
    assert parse_factor("sđt 0912 345 678") == "5678"
    assert parse_factor("4 số cuối là 5678") == "5678"
    assert parse_factor("07**********") is None  # a masked copy from an earlier turn
    assert parse_factor("không nhớ") is None


def validate(slot: str, value: str) -> tuple[dict, str]:
    dispatcher = CollectingDispatcher()
    form = ValidateDossierForm()
    result = getattr(form, f"validate_{slot}")(value, dispatcher, make_tracker(text=value), {})
    return result, texts(dispatcher)


def test_a_wrong_code_gets_an_example_of_the_format() -> None:
    result, text = validate("dossier_code", "hồ sơ của tôi")
    assert result == {"dossier_code": None} and text == BAD_CODE_MESSAGE
    assert "000.00.01.H29-240115-0001" in text
    result, text = validate("dossier_code", "000.00.01.h29-240115-0001")
    assert result == {"dossier_code": "000.00.01.H29-240115-0001"} and text == ""


def test_a_wrong_factor_is_asked_again_without_echoing_it() -> None:
    result, text = validate("verification_factor", "12345")
    assert result == {"verification_factor": None} and text == BAD_FACTOR_MESSAGE
    assert "12345" not in text


def test_after_three_failures_the_form_asks_nothing() -> None:
    slots = asyncio.run(
        ValidateDossierForm().required_slots(
            ["dossier_code", "verification_factor"],
            CollectingDispatcher(),
            make_tracker(slots={"dossier_lookup_failures": 3.0}),
            {},
        )
    )
    assert slots == []


def run_lookup(slots: dict) -> tuple[CollectingDispatcher, list]:
    dispatcher = CollectingDispatcher()
    events = ActionLookupDossier().run(
        dispatcher, make_tracker(text=slots.get("verification_factor", ""), slots=slots), {}
    )
    return dispatcher, events


def lookup(slots: dict) -> tuple[str, list]:
    dispatcher, events = run_lookup(slots)
    return texts(dispatcher), events


def test_successful_lookup_in_plain_words(live: Services) -> None:
    """Status, dates, overdue or not, next step and the documents to supplement; no ID echoed."""
    dossier = next(item for item in live.demo_dossiers if item["status"] == 5)
    text, events = lookup({"dossier_code": dossier["code"], "verification_factor": dossier["id_number"]})
    assert "Tình trạng: Yêu cầu bổ sung giấy tờ" in text
    assert "Ngày tiếp nhận:" in text and "Ngày hẹn trả kết quả:" in text
    assert "quá hạn" in text
    assert "Giấy tờ cần bổ sung:" in text and "Việc bạn cần làm:" in text
    assert dossier["id_number"] not in text and dossier["id_number"][-4:] not in text
    assert SlotSet("verification_factor", None) in events
    assert SlotSet("dossier_lookup_result", "found") in events  # counted by the analytics


def test_phone_digits_also_verify(live: Services) -> None:
    """The last 4 digits of the phone on file are an accepted verification factor."""
    dossier = next(item for item in live.demo_dossiers if item["status"] == 4)
    text, _ = lookup({"dossier_code": dossier["code"], "verification_factor": dossier["phone_last4"]})
    assert "Tình trạng: Đang xử lý" in text


def test_wrong_factor_gets_one_neutral_message_and_counts(live: Services) -> None:
    """Wrong code and wrong factor read the same, and each failure is counted."""
    dossier = live.demo_dossiers[0]
    text, events = lookup({"dossier_code": dossier["code"], "verification_factor": "000000000000"})
    assert text == NOT_MATCHED_MESSAGE
    assert SlotSet("dossier_lookup_failures", 1.0) in events
    assert SlotSet("dossier_lookup_result", "not_found") in events
    unknown, _ = lookup({"dossier_code": "000.00.01.H29-240115-9999", "verification_factor": dossier["id_number"]})
    assert unknown == NOT_MATCHED_MESSAGE  # same words: no hint which part was wrong


def test_third_failure_stops_and_hands_over(live: Services) -> None:
    """The third failed lookup opens a handoff in the console and says so."""
    dossier = live.demo_dossiers[1]
    dispatcher, events = run_lookup(
        {"dossier_code": dossier["code"], "verification_factor": "111111111111", "dossier_lookup_failures": 2.0}
    )
    assert "không thành công 3 lần" in texts(dispatcher)
    assert {"handoff": True} in [message.get("custom") for message in dispatcher.messages]  # widget polls
    assert SlotSet("dossier_lookup_failures", 3.0) in events
    with sqlite3.connect(live.console_db) as db:
        reasons = [row[0] for row in db.execute("select reason from console_handoffs")]
    assert "dossier_lookup_failed" in reasons
    again, _ = lookup({"dossier_lookup_failures": 3.0})
    assert "không thành công 3 lần" in again


def test_a_code_past_its_phone_budget_asks_for_the_id_number_on_the_same_code(live: Services) -> None:
    """Once a code's phone-factor budget is spent, even the right phone ending gets the "ID number
    only" question, and the form stays open on the code waiting for the factor: the owner's next
    message (the ID number) is looked up, never read as a new question."""
    dossier = next(item for item in reversed(live.demo_dossiers) if item["status"] not in (4, 5))
    wrong = f"{(int(dossier['phone_last4']) + 1) % 10_000:04d}"
    sender = "web:3d1c7a52-9b4e-4f0a-8c61-5e2d7f9a1b30"  # a client budget of its own
    for _ in range(PortalSettings().lookup_phone_failures_per_code_per_day):
        dispatcher = CollectingDispatcher()
        slots = {"dossier_code": dossier["code"], "verification_factor": wrong}
        ActionLookupDossier().run(dispatcher, make_tracker(text=wrong, slots=slots, sender_id=sender), {})
        assert texts(dispatcher) == NOT_MATCHED_MESSAGE
    dispatcher = CollectingDispatcher()
    slots = {"dossier_code": dossier["code"], "verification_factor": dossier["phone_last4"]}
    events = ActionLookupDossier().run(
        dispatcher, make_tracker(text=dossier["phone_last4"], slots=slots, sender_id=sender), {}
    )
    assert texts(dispatcher) == error_message("id_number_required")
    assert SlotSet("dossier_code", None) not in events  # the code is kept
    assert SlotSet("verification_factor", None) in events
    assert ActiveLoop("dossier_form") in events and SlotSet("requested_slot", "verification_factor") in events
    assert events.index(FollowupAction("action_listen")) > events.index(ActiveLoop("dossier_form"))
