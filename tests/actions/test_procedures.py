"""action_answer_procedure against the real portal: the aspect asked, the context, the choices."""

from __future__ import annotations

import json

from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.procedures import ActionAnswerProcedure, ActionRestart
from tests.actions.conftest import Services, make_tracker, texts

RESIDENCE = "1.004222"


def answer(**tracker_args: object) -> tuple[str, list, CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = ActionAnswerProcedure().run(dispatcher, make_tracker(**tracker_args), {})
    return texts(dispatcher), events, dispatcher


def test_documents_of_a_named_procedure_set_the_context(live: Services) -> None:
    """The documents of the procedure named, with source and date; the procedure is remembered."""
    text, events, _ = answer(
        text="Đăng ký thường trú cần giấy tờ gì?",
        intent="ask_documents",
        entities=[{"entity": "procedure", "value": "đăng ký thường trú"}],
    )
    assert "Hồ sơ cho thủ tục «Đăng ký thường trú»" in text
    assert "•" in text and "Nguồn: Cổng Dịch vụ công quốc gia – https://dichvucong.gov.vn/" in text
    assert "dữ liệu ngày 30/06/2026" in text
    assert SlotSet("procedure_code", RESIDENCE) in events


def test_follow_up_fee_uses_the_context_with_channel_prices(live: Services) -> None:
    """ "còn lệ phí thì sao?" names no procedure: the one under discussion, price per channel."""
    text, events, _ = answer(text="còn lệ phí thì sao?", intent="ask_fee", slots={"procedure_code": RESIDENCE})
    assert "Lệ phí thủ tục «Đăng ký thường trú»" in text
    assert "• Trực tuyến: 10.000đ" in text and "• Trực tiếp: 20.000đ" in text
    assert "Nộp trực tuyến tại: https://" in text
    assert SlotSet("procedure_code", RESIDENCE) in events


def test_follow_ups_where_time_steps_online(live: Services) -> None:
    """Each aspect answers only that aspect."""
    where, _, _ = answer(text="nộp ở đâu?", intent="ask_agency", slots={"procedure_code": RESIDENCE})
    assert "Công an cấp Xã" in where and "Lệ phí" not in where
    time_text, _, _ = answer(text="mất bao lâu?", intent="ask_processing_time", slots={"procedure_code": RESIDENCE})
    assert "7 ngày làm việc" in time_text and "đ\n" not in time_text
    steps, _, _ = answer(text="làm thế nào?", intent="ask_steps", slots={"procedure_code": RESIDENCE})
    assert "Các bước thực hiện" in steps and "1. " in steps
    online, _, _ = answer(text="nộp online được không", intent="ask_online", slots={"procedure_code": RESIDENCE})
    assert "nộp trực tuyến được trên Cổng Dịch vụ công quốc gia: https://" in online


def test_a_new_procedure_replaces_the_context(live: Services) -> None:
    text, events, _ = answer(
        text="còn đăng ký kết hôn thì lệ phí bao nhiêu",
        intent="ask_fee",
        entities=[{"entity": "procedure", "value": "đăng ký kết hôn"}],
        slots={"procedure_code": RESIDENCE},
    )
    assert "kết hôn" in text.lower()
    assert SlotSet("procedure_code", "1.000894") in events


def test_close_candidates_are_offered_as_buttons_and_the_choice_answers_the_aspect(live: Services) -> None:
    """ "căn cước" fits several procedures: 3-5 buttons with signed-able /inform payloads."""
    text, events, dispatcher = answer(
        text="căn cước", intent="ask_fee", entities=[{"entity": "procedure", "value": "căn cước"}]
    )
    buttons = dispatcher.messages[0]["buttons"]
    assert text == "Bạn hỏi về thủ tục nào dưới đây?"
    assert 3 <= len(buttons) <= 5
    payload = buttons[0]["payload"]
    assert payload.startswith("/inform{")
    code = json.loads(payload.removeprefix("/inform"))["procedure"]
    assert SlotSet("pending_aspect", "ask_fee") in events
    chosen, events, _ = answer(
        text=payload,
        intent="inform",
        entities=[{"entity": "procedure", "value": code}],
        slots={"pending_aspect": "ask_fee"},
    )
    assert chosen.startswith("Lệ phí thủ tục")
    assert SlotSet("procedure_code", code) in events and SlotSet("pending_aspect", None) in events


def test_nothing_found_asks_for_the_name(live: Services) -> None:
    text, _, _ = answer(text="lệ phí bao nhiêu", intent="ask_fee")
    assert "chưa tìm thấy thủ tục" in text


def test_bare_inform_without_context_asks_for_the_procedure(live: Services) -> None:
    text, _, _ = answer(text="Hà Nội", intent="inform", entities=[{"entity": "location", "value": "Hà Nội"}])
    assert "tên thủ tục" in text


def test_restart_forgets_the_context_but_not_the_failed_lookups() -> None:
    dispatcher = CollectingDispatcher()
    events = ActionRestart().run(dispatcher, make_tracker(slots={"procedure_code": RESIDENCE}), {})
    assert ActiveLoop(None) in events and SlotSet("procedure_code", None) in events
    assert not any(event.get("name") == "dossier_lookup_failures" for event in events)
    assert dispatcher.messages[0]["response"] == "utter_restart"
