"""FAQ, fallback, handoff and complaint actions against the real staff console."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.complaints import ActionSubmitComplaint, ValidateComplaintForm
from actions.console_client import reset_shared_console_client
from actions.fallback import DID_YOU_MEAN, STILL_NOT_UNDERSTOOD, ActionClarify
from actions.faq import ActionAnswerFaq
from actions.handoff import ActionHandoff, masked_transcript
from actions.outbox import reset_shared_outbox, shared_outbox
from launcher.processes import free_port
from tests.actions.conftest import Services, make_tracker, texts

FAQ_KEY = "gio_lam_viec"


def faq_tracker(key: str = FAQ_KEY):
    selector = {"faq": {"response": {"intent_response_key": f"faq/{key}", "confidence": 0.9}}}
    return make_tracker(text="mấy giờ làm việc", intent="faq", response_selector=selector)


def published_answer(live: Services, key: str) -> str:
    with sqlite3.connect(live.console_db) as db:
        return db.execute("select answer from console_faqs where key = ?", (key,)).fetchone()[0]


def test_faq_answer_is_the_console_published_one_and_changes_reach_the_bot(
    live: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit published in the console is answered once the short cache expires, no retraining."""
    monkeypatch.setenv("FAQ_CACHE_SECONDS", "0.3")
    reset_shared_console_client()
    dispatcher = CollectingDispatcher()
    ActionAnswerFaq().run(dispatcher, faq_tracker(), {})
    original = published_answer(live, FAQ_KEY)
    assert texts(dispatcher) == original
    with sqlite3.connect(live.console_db) as db:
        db.execute("update console_faqs set answer = ? where key = ?", ("Giờ mới: 7h00–17h00.", FAQ_KEY))
    try:
        time.sleep(0.4)
        dispatcher = CollectingDispatcher()
        ActionAnswerFaq().run(dispatcher, faq_tracker(), {})
        assert texts(dispatcher) == "Giờ mới: 7h00–17h00."
    finally:
        with sqlite3.connect(live.console_db) as db:
            db.execute("update console_faqs set answer = ? where key = ?", (original, FAQ_KEY))


def test_faq_falls_back_to_the_trained_answer_when_the_console_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_URL", f"http://127.0.0.1:{free_port()}")
    reset_shared_console_client()
    dispatcher = CollectingDispatcher()
    started = time.monotonic()
    ActionAnswerFaq().run(dispatcher, faq_tracker(), {})
    assert time.monotonic() - started < 2
    assert dispatcher.messages[0]["response"] == f"utter_faq/{FAQ_KEY}"
    reset_shared_console_client()


def fallback_tracker(text: str, previous_intent: str = "ask_fee"):
    previous = {"event": "user", "text": "trước đó", "parse_data": {"intent": {"name": previous_intent}}}
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.6},
        {"name": "ask_fee", "confidence": 0.4},
        {"name": "ask_documents", "confidence": 0.3},
        {"name": "greet", "confidence": 0.2},
        {"name": "ask_agency", "confidence": 0.1},
    ]
    return make_tracker(
        text=text,
        intent="nlu_fallback",
        entities=[{"entity": "procedure", "value": "hộ chiếu"}, {"entity": "id_number", "value": "079190001234"}],
        intent_ranking=ranking,
        events=[previous],
    )


def test_did_you_mean_offers_readable_suggestions_with_the_entities(live: Services) -> None:
    dispatcher = CollectingDispatcher()
    ActionClarify().run(dispatcher, fallback_tracker("hộ chiếu tiền nong thế nào"), {})
    message = dispatcher.messages[0]
    assert message["text"] == DID_YOU_MEAN
    titles = [button["title"] for button in message["buttons"]]
    assert titles == ["Lệ phí", "Giấy tờ cần chuẩn bị", "Nộp hồ sơ ở đâu", "Làm lại từ đầu"]
    payload = message["buttons"][0]["payload"]
    assert payload.startswith("/ask_fee{") and json.loads(payload.removeprefix("/ask_fee")) == {"procedure": "hộ chiếu"}


def test_a_published_faq_close_to_the_wording_is_answered(live: Services) -> None:
    """FAQs published after the last training are still found (console's /faqs/match)."""
    dispatcher = CollectingDispatcher()
    ActionClarify().run(dispatcher, fallback_tracker("giờ làm việc của bộ phận một cửa"), {})
    assert texts(dispatcher) == published_answer(live, FAQ_KEY)


def test_second_miss_hands_over(live: Services) -> None:
    """A second miss in a row says so, opens a handoff, and flags it for the web widget."""
    dispatcher = CollectingDispatcher()
    ActionClarify().run(dispatcher, fallback_tracker("asdf qwer", previous_intent="nlu_fallback"), {})
    said = texts(dispatcher)
    spoken = [message for message in dispatcher.messages if message.get("text")]
    assert STILL_NOT_UNDERSTOOD in said and len(spoken) == 2
    assert {"handoff": True} in [message.get("custom") for message in dispatcher.messages]


def test_handoff_sends_a_masked_transcript_and_tells_what_happens_next(live: Services) -> None:
    events = [
        {"event": "user", "text": "số cccd của tôi 079190001234, sđt 0912345678"},
        {"event": "bot", "text": "Mình chưa tìm thấy hồ sơ."},
    ]
    tracker = make_tracker(
        text="cho tôi gặp cán bộ", intent="request_human", events=events, sender_id="web:handoff-test-sender-0001"
    )
    transcript = masked_transcript(tracker)
    assert "079190001234" not in json.dumps(transcript) and "0912345678" not in json.dumps(transcript)
    dispatcher = CollectingDispatcher()
    ActionHandoff().run(dispatcher, tracker, {})
    assert "cán bộ" in texts(dispatcher)
    with sqlite3.connect(live.console_db) as db:
        stored = db.execute(
            "select channel, last_messages from console_handoffs where sender_id = ?", ("web:handoff-test-sender-0001",)
        ).fetchone()
    assert stored[0] == "web"
    sent = " ".join(message["text"] for message in json.loads(stored[1]))
    assert "07**********" in sent and "cho tôi gặp cán bộ" in sent
    assert "079190001234" not in sent and "0912345678" not in sent


def test_handoff_with_the_console_down_still_answers(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """The citizen hears that the request was received (the outbox delivers it later), never an error."""
    monkeypatch.setenv("CONSOLE_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("ACTIONS_OUTBOX_URL", f"sqlite:///{tmp_path / 'outbox.db'}")
    monkeypatch.setenv("ACTIONS_OUTBOX_RETRY_SECONDS", "3600")
    reset_shared_console_client()
    reset_shared_outbox()
    dispatcher = CollectingDispatcher()
    ActionHandoff().run(dispatcher, make_tracker(text="gặp cán bộ", intent="request_human"), {})
    assert "đã ghi nhận yêu cầu gặp cán bộ" in texts(dispatcher)
    assert shared_outbox().pending() == 1
    reset_shared_console_client()
    reset_shared_outbox()


def complaint_step(slot: str, text: str, intent: str = "complain") -> dict:
    tracker = make_tracker(text=text, intent=intent, slots={"requested_slot": slot}, active_loop="complaint_form")
    form = ValidateComplaintForm()
    dispatcher = CollectingDispatcher()
    extracted = asyncio.run(getattr(form, f"extract_{slot}")(dispatcher, tracker, {}))
    if not extracted:
        return {}
    return getattr(form, f"validate_{slot}")(extracted[slot], dispatcher, tracker, {})


def test_complaint_form_masks_numbers_and_reads_the_contact() -> None:
    description = complaint_step("complaint_description", "cán bộ giữ căn cước 079190001234 của tôi ba ngày")
    assert "079190001234" not in description["complaint_description"]
    assert complaint_step("complaint_description", "chậm quá") == {"complaint_description": None}
    assert complaint_step("phone_number", "số của tôi 0912 345 678", "inform") == {"phone_number": "0912345678"}
    assert complaint_step("phone_number", "không", "deny") == {"phone_number": "không"}
    assert complaint_step("phone_number", "abc", "inform") == {"phone_number": None}
    assert complaint_step("complaint_description", "cho gặp cán bộ", "request_human") == {}


def test_complaint_is_stored_with_a_reference(live: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={"complaint_description": "Bộ phận một cửa hẹn đi hẹn lại ba lần", "phone_number": "0912345678"}
    )
    events = ActionSubmitComplaint().run(dispatcher, tracker, {})
    assert "số tiếp nhận PA-" in texts(dispatcher)
    assert SlotSet("phone_number", None) in events


def test_a_short_follow_up_read_as_a_faq_is_answered_for_the_procedure(live: Services) -> None:
    """ "còn lệ phí thì sao?" may be classified as the FAQ about refunds; with a procedure under
    discussion it is that procedure's fee."""
    selector = {"faq": {"response": {"intent_response_key": "faq/hoan_phi"}}}
    tracker = make_tracker(
        text="còn lệ phí thì sao?", intent="faq", response_selector=selector, slots={"procedure_code": "1.004222"}
    )
    dispatcher = CollectingDispatcher()
    ActionAnswerFaq().run(dispatcher, tracker, {})
    assert texts(dispatcher).startswith("Thủ tục «Đăng ký thường trú»:\nLệ phí")
    without_context = make_tracker(text="còn lệ phí thì sao?", intent="faq", response_selector=selector)
    dispatcher = CollectingDispatcher()
    ActionAnswerFaq().run(dispatcher, without_context, {})
    assert texts(dispatcher) == published_answer(live, "hoan_phi")


def test_small_talk_in_the_complaint_form_is_not_taken_as_the_description() -> None:
    assert complaint_step("complaint_description", "bạn là người hay máy vậy", "bot_challenge") == {}
    assert complaint_step("complaint_description", "xin chào", "greet") == {}
