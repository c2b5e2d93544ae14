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
    assert text.startswith("Thủ tục «Đăng ký thường trú»:") and "Hồ sơ cần nộp:" in text
    assert "•" in text and text.count("Nguồn: Cổng Dịch vụ công quốc gia") == 1 and "http" not in text
    assert "dữ liệu ngày 30/06/2026" in text
    assert SlotSet("procedure_code", RESIDENCE) in events


def test_follow_up_fee_uses_the_context_with_channel_prices(live: Services) -> None:
    """ "còn lệ phí thì sao?" names no procedure: the one under discussion, price per channel."""
    text, events, _ = answer(text="còn lệ phí thì sao?", intent="ask_fee", slots={"procedure_code": RESIDENCE})
    assert text.startswith("Thủ tục «Đăng ký thường trú»:") and "Lệ phí" in text
    assert "Trực tuyến: 10.000 đồng" in text and "Trực tiếp: 20.000 đồng" in text
    assert SlotSet("procedure_code", RESIDENCE) in events


def test_follow_ups_where_time_steps_online(live: Services) -> None:
    """Each aspect answers only that aspect."""
    where, _, _ = answer(text="nộp ở đâu?", intent="ask_agency", slots={"procedure_code": RESIDENCE})
    assert "Nơi nộp: Công an cấp xã" in where.replace("Xã", "xã") and "Lệ phí" not in where
    time_text, _, _ = answer(text="mất bao lâu?", intent="ask_processing_time", slots={"procedure_code": RESIDENCE})
    assert "7 ngày làm việc" in time_text and "Lệ phí" not in time_text
    steps, _, _ = answer(text="làm thế nào?", intent="ask_steps", slots={"procedure_code": RESIDENCE})
    assert "Các bước thực hiện" in steps and "1. " in steps
    online, _, dispatcher = answer(
        text="nộp online được không", intent="ask_online", slots={"procedure_code": RESIDENCE}
    )
    assert "Nộp trực tuyến: được" in online
    links = [button for button in dispatcher.messages[0]["buttons"] if button.get("type") == "web_url"]
    assert {button["title"] for button in links} == {"Nộp trực tuyến", "Xem đầy đủ trên Cổng"}


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
    assert SlotSet("pending_aspect", "fee") in events
    chosen, events, _ = answer(
        text=payload,
        intent="inform",
        entities=[{"entity": "procedure", "value": code}],
        slots={"pending_aspect": "fee"},
    )
    assert chosen.startswith("Thủ tục «") and "Lệ phí" in chosen
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


BIRTH = "1.001193"


def test_two_aspects_in_one_message_get_one_reply(live: Services) -> None:
    """ "làm căn cước mất bao lâu và phí bao nhiêu": the NLU says fee; the text asks time too."""
    text, _, dispatcher = answer(
        text="đăng ký thường trú mất bao lâu và phí bao nhiêu",
        intent="ask_fee",
        entities=[{"entity": "procedure", "value": "đăng ký thường trú", "start": 0, "end": 18}],
    )
    assert len(dispatcher.messages) == 1
    assert text.index("Thời hạn giải quyết") < text.index("Lệ phí")
    assert "7 ngày làm việc" in text and "20.000 đồng" in text and text.count("Nguồn:") == 1


def test_aspect_entities_from_the_nlu_are_answered(live: Services) -> None:
    """The NLU's ``aspect`` entities (canonical, or the words themselves) are answered even when the
    text has no cue the action knows."""
    text, _, _ = answer(
        text="thế còn hai cái đó",
        intent="ask_documents",
        entities=[{"entity": "aspect", "value": "documents"}, {"entity": "aspect", "value": "nơi nộp"}],
        slots={"procedure_code": RESIDENCE},
    )
    assert "Hồ sơ cần nộp:" in text and "Nơi nộp:" in text


def test_follow_up_with_two_aspects_uses_the_context(live: Services) -> None:
    """ "thế còn phí và thời gian?" after a procedure: both aspects, for that procedure."""
    text, events, _ = answer(text="thế còn phí và thời gian?", intent="ask_fee", slots={"procedure_code": RESIDENCE})
    assert "Lệ phí" in text and "Thời hạn giải quyết" in text
    assert SlotSet("procedure_code", RESIDENCE) in events


def test_context_words_resolve_to_the_procedure_under_discussion(live: Services) -> None:
    """ "thủ tục này gồm mấy bước", even when the NLU tagged "thủ tục này" as a procedure name."""
    text, events, _ = answer(
        text="thủ tục này gồm mấy bước vậy",
        intent="ask_steps",
        entities=[{"entity": "procedure", "value": "thủ tục này", "start": 0, "end": 11}],
        slots={"procedure_code": BIRTH},
    )
    assert text.startswith("Thủ tục «Đăng ký khai sinh»:") and "Các bước thực hiện:" in text
    assert SlotSet("procedure_code", BIRTH) in events


def test_where_from_an_old_address_names_todays_ward_and_remembers_it(live: Services) -> None:
    """Khai sinh from "phường Bến Nghé quận 1": UBND phường Sài Gòn, and the place is kept."""
    text, events, _ = answer(
        text="tôi ở phường Bến Nghé quận 1 thì nộp hồ sơ khai sinh ở đâu",
        intent="ask_agency",
        entities=[{"entity": "procedure", "value": "khai sinh", "start": 40, "end": 49}],
    )
    assert "UBND phường Sài Gòn (trước đây phường Bến Nghé, quận 1), TP. Hồ Chí Minh" in text
    place = next(event["value"] for event in events if event.get("name") == "citizen_place")
    assert place["ward"] == "Phường Sài Gòn"
    follow_up, _, _ = answer(
        text="còn đăng ký thường trú thì nộp ở đâu",
        intent="ask_agency",
        entities=[{"entity": "procedure", "value": "đăng ký thường trú", "start": 4, "end": 22}],
        slots={"procedure_code": BIRTH, "citizen_place": place},
    )
    assert "Công an phường Sài Gòn" in follow_up


def test_a_location_inside_another_question_survives_into_the_where_answer(live: Services) -> None:
    """ "cái đó ở xã Tân Thông Hội huyện Củ Chi thì lên đâu làm": the procedure under discussion,
    the office of today's commune."""
    text, _, _ = answer(
        text="cái đó ở xã Tân Thông Hội huyện Củ Chi thì lên đâu làm",
        intent="ask_agency",
        entities=[{"entity": "location", "value": "xã Tân Thông Hội huyện Củ Chi"}],
        slots={"procedure_code": BIRTH},
    )
    assert "UBND xã Củ Chi (trước đây xã Tân Thông Hội, huyện Củ Chi), TP. Hồ Chí Minh" in text


def test_an_ambiguous_commune_asks_which_province_and_the_choice_answers(live: Services) -> None:
    """ "xã Tân Phú" is in several provinces: buttons per province; a button answers where."""
    _, events, dispatcher = answer(
        text="tôi ở xã Tân Phú thì nộp ở đâu", intent="ask_agency", slots={"procedure_code": BIRTH}
    )
    assert len(dispatcher.messages) == 1  # only the question: where is answered after the choice
    question = dispatcher.messages[-1]
    assert "Bạn ở nơi nào?" in question["text"] and 2 <= len(question["buttons"]) <= 5
    assert SlotSet("pending_aspect", "agency") in events
    button = next(button for button in question["buttons"] if button["title"] == "Tỉnh Vĩnh Long")
    location = json.loads(button["payload"].removeprefix("/inform"))["location"]
    chosen, events, _ = answer(
        text=button["payload"],
        intent="inform",
        entities=[{"entity": "location", "value": location}],
        slots={"procedure_code": BIRTH, "pending_aspect": "agency"},
    )
    assert "UBND xã Tân Phú, tỉnh Vĩnh Long" in chosen
    assert any(event.get("name") == "citizen_place" for event in events)


def test_a_case_button_answers_that_case(live: Services) -> None:
    """The "Trường hợp khác: …" payload (procedure, aspect, case number) answers that case."""
    _, _, dispatcher = answer(
        text="đăng ký thường trú cần giấy tờ gì",
        intent="ask_documents",
        entities=[{"entity": "procedure", "value": "đăng ký thường trú", "start": 0, "end": 18}],
    )
    cases = [b for b in dispatcher.messages[0]["buttons"] if b["title"].startswith("Trường hợp khác: ")]
    assert cases
    entities = json.loads(cases[0]["payload"].removeprefix("/inform"))
    chosen, _, dispatcher = answer(
        text=cases[0]["payload"],
        intent="inform",
        entities=[{"entity": name, "value": value} for name, value in entities.items()],
    )
    assert chosen.startswith("Thủ tục «Đăng ký thường trú»:\nTrường hợp")
    assert dispatcher.messages[0]["buttons"][0]["title"] == "Trường hợp thông thường"


COMMON = ["1.004222", "1.001193", "3.000347", "1.000894", "1.001612", "1.014061", "1.000656", "1.004873", "3.000333"]
ASKED = ["ask_documents", "ask_fee", "ask_processing_time", "ask_agency", "ask_steps", "ask_online", "ask_procedure"]


def test_replies_on_the_real_catalog_follow_the_rules(live: Services) -> None:
    """Every aspect of common procedures, from the portal's real briefs: at most 700 characters,
    one source line with the date, no raw URL, no "Thủ tục «Thủ tục", no "• -", labelled links."""
    for code in COMMON:
        for intent in ASKED:
            text, _, dispatcher = answer(text="?", intent=intent, slots={"procedure_code": code})
            assert len(text) <= 700, (code, intent, len(text))
            assert text.count("Nguồn: Cổng Dịch vụ công quốc gia, dữ liệu ngày 30/06/2026") == 1, (code, intent)
            assert "http" not in text and "Thủ tục «Thủ tục" not in text and "• -" not in text, (code, intent)
            links = [b for b in dispatcher.messages[0].get("buttons") or [] if b.get("type") == "web_url"]
            assert links and all(b["title"] and b["url"].startswith("https://") for b in links), (code, intent)


def test_a_procedure_named_with_context_words_is_the_one_named(live: Services) -> None:
    """ "tôi muốn đăng ký kết hôn, cái này cần giấy tờ gì": "cái này" is the procedure just named,
    not the one discussed before."""
    text, events, _ = answer(
        text="tôi muốn đăng ký kết hôn, cái này cần giấy tờ gì",
        intent="ask_documents",
        entities=[{"entity": "procedure", "value": "đăng ký kết hôn", "start": 9, "end": 24}],
        slots={"procedure_code": RESIDENCE},
    )
    assert text.startswith("Thủ tục «Đăng ký kết hôn»:")
    assert SlotSet("procedure_code", "1.000894") in events


def test_a_bare_thu_tuc_entity_with_context_words_is_the_procedure_under_discussion(live: Services) -> None:
    """The NLU may tag just "thủ tục" in "thủ tục đó mất bao lâu": the procedure under discussion."""
    text, _, _ = answer(
        text="thủ tục đó mất bao lâu",
        intent="ask_processing_time",
        entities=[{"entity": "procedure", "value": "thủ tục", "start": 0, "end": 7}],
        slots={"procedure_code": RESIDENCE},
    )
    assert text.startswith("Thủ tục «Đăng ký thường trú»:") and "7 ngày làm việc" in text


def test_a_weak_candidate_is_asked_about_not_answered(live: Services) -> None:
    """A vague message whose best match rests on everyday words ("giấy xác nhận") gets buttons to
    choose from, never a confident answer about a procedure the citizen may not mean; a message that
    names its procedure is still answered at once (previous tests)."""
    text, events, dispatcher = answer(text="cho hỏi thủ tục làm giấy xác nhận", intent="ask_procedure")
    buttons = [button for message in dispatcher.messages for button in message.get("buttons") or []]
    assert "Bạn hỏi về thủ tục nào" in text and len(buttons) >= 3
    assert not any(event.get("event") == "slot" and event.get("name") == "procedure_code" for event in events)


def test_greetings_and_thanks_around_the_question_do_not_pick_the_procedure(live: Services) -> None:
    """The securities trap: a long polite message about a newborn's birth certificate is answered
    about birth registration (1.001193), never «Đăng ký chào mua công khai»."""
    text, events, _ = answer(
        text="Chào bạn, mình mới sinh em bé được 2 tuần, giờ muốn làm giấy khai sinh cho bé thì cần mang theo "
        "những gì vậy ạ? Cảm ơn nhiều",
        intent="ask_documents",
    )
    assert "chào mua" not in text.lower()
    assert SlotSet("procedure_code", "1.001193") in events


def test_how_long_also_says_the_citizens_own_deadline(live: Services) -> None:
    """ "Phải đăng ký khai tử trong bao lâu" asks the citizen's deadline (15 days from the death), not
    only how long the office takes: the time answer gives both, within the phone-sized limit."""
    text, _, _ = answer(
        text="người nhà mất thì phải đi đăng ký khai tử trong thời hạn bao lâu",
        intent="ask_processing_time",
        entities=[{"entity": "procedure", "value": "đăng ký khai tử"}],
    )
    assert "15 ngày" in text and len(text) <= 700


def test_a_near_miss_naming_a_catalog_procedure_is_answered_not_questioned(live: Services) -> None:
    """The NLU fell just under its threshold on a long polite question, but the message names the
    procedure (gazetteer) and asks "where" as the best intent says: the answer names the office for
    the citizen's commune instead of "Ý bạn là"."""
    from actions.fallback import ActionClarify

    text = "Xin chào. Tôi ở xã Tân Thông Hội huyện Củ Chi. Tôi muốn đăng ký kết hôn thì lên đâu làm?"
    tracker = make_tracker(
        text=text,
        intent="nlu_fallback",
        intent_ranking=[{"name": "nlu_fallback", "confidence": 0.5}, {"name": "ask_agency", "confidence": 0.49}],
        entities=[
            {"entity": "aspect", "value": "agency", "extractor": "StructuredEntityExtractor"},
            {"entity": "location", "value": "Xã Tân Thông Hội", "extractor": "StructuredEntityExtractor"},
            {"entity": "procedure", "value": "Thủ tục đăng ký kết hôn", "extractor": "StructuredEntityExtractor"},
        ],
    )
    dispatcher = CollectingDispatcher()
    ActionClarify().run(dispatcher, tracker, {})
    reply = texts(dispatcher)
    assert "Ý bạn là" not in reply and "kết hôn" in reply.lower()
    assert "Tân Thông Hội" in reply


def test_a_near_miss_with_a_guessed_procedure_is_still_questioned(live: Services) -> None:
    """Without a catalog-matched procedure name (only DIET's guess), the bot asks rather than answers."""
    from actions.fallback import ActionClarify

    tracker = make_tracker(
        text="cho hỏi làm cái đó ở đâu vậy",
        intent="nlu_fallback",
        intent_ranking=[{"name": "nlu_fallback", "confidence": 0.5}, {"name": "ask_agency", "confidence": 0.45}],
        entities=[
            {"entity": "aspect", "value": "agency", "extractor": "StructuredEntityExtractor"},
            {"entity": "procedure", "value": "cái đó", "extractor": "DIETClassifier"},
        ],
    )
    dispatcher = CollectingDispatcher()
    ActionClarify().run(dispatcher, tracker, {})
    assert "Ý bạn là" in texts(dispatcher)
