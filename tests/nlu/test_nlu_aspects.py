"""Aspect cues (bot/nlu/aspects.py), their entities, and the first-question intent ranking."""

from __future__ import annotations

import unicodedata

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.aspects import find_aspects, question_aspects
from bot.nlu.entities import StructuredEntityExtractor
from bot.nlu.questions import FirstQuestionIntentRanker, first_question_ranking


def _cues(text: str) -> list[tuple[str, str]]:
    return [(text[e["start"] : e["end"]], e["value"]) for e in find_aspects(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("làm căn cước mất bao lâu và phí bao nhiêu", [("bao lâu", "time"), ("phí", "fee")]),
        ("cần giấy tờ gì, nộp ở đâu", [("giấy tờ", "documents"), ("ở đâu", "agency")]),
        ("nop ho so truc tuyen o dau vay", [("truc tuyen", "online"), ("o dau", "agency")]),
        ("thủ tục này gồm mấy bước vậy", [("mấy bước", "steps")]),
        ("thế còn phí và thời gian?", [("phí", "fee"), ("thời gian", "time")]),
        ("đổi bằng lái mất bao nhiêu ngày", [("bao nhiêu ngày", "time")]),
        ("đky hộ kinh doanh hết nhiêu tiền z", [("hết nhiêu tiền", "fee")]),
        ("Xin chào. Tôi muốn đăng ký kết hôn thì lên đâu làm?", [("lên đâu", "agency")]),
    ],
)
def test_every_aspect_cue_is_marked_with_its_value(text, expected):
    """Each cue becomes one aspect entity, in order, so a message can carry two questions."""
    assert _cues(text) == expected


@pytest.mark.parametrize("text", ["hồ sơ của tôi đang ở đâu rồi", "hồ sơ đến đâu rồi", "xin chào trợ lý", "cảm ơn nhé"])
def test_status_questions_and_small_talk_carry_no_aspect(text):
    """ "Where is my dossier" is a status question, not "which office": no agency cue."""
    assert find_aspects(text) == []


def test_aspect_offsets_point_into_the_nfd_original():
    """Offsets slice the text as sent, whatever its normalization."""
    text = unicodedata.normalize("NFD", "Lệ phí bao nhiêu, mất bao lâu?")
    nfd = unicodedata.normalize("NFD", "Lệ phí|bao lâu").split("|")
    assert _cues(text) == [(nfd[0], "fee"), (nfd[1], "time")]


def test_extractor_marks_aspects_but_not_cues_inside_a_procedure_name():
    """ "giấy tờ" asked about is an aspect; the same words inside a procedure name are the name."""
    extractor = StructuredEntityExtractor(
        {**StructuredEntityExtractor.get_default_config(), "entities": ["procedure", "aspect"]}
    )
    asked = Message(data={TEXT: "làm căn cước cần giấy tờ gì và mất bao lâu"})
    inside = Message(
        data={
            TEXT: "chứng thực bản sao giấy tờ",
            ENTITIES: [{"entity": "procedure", "start": 0, "end": 26, "value": "chứng thực bản sao giấy tờ"}],
        }
    )
    extractor.process([asked, inside])
    assert [e["value"] for e in asked.get(ENTITIES) if e["entity"] == "aspect"] == ["documents", "time"]
    assert [e for e in inside.get(ENTITIES) if e["entity"] == "aspect"] == []


def test_question_aspects_take_the_first_cue_of_each_clause():
    """A modifier in the same clause ("online thì các bước") is not a second question."""
    assert question_aspects("đổi bằng lái làm online được không, mất phí bao nhiêu") == ["online", "fee"]
    assert question_aspects("làm hộ chiếu online thì các bước như thế nào") == ["online"]
    assert question_aspects("mất bao lâu và phí bao nhiêu") == ["time", "fee"]


def _ranking(*pairs: tuple[str, float]) -> list[dict]:
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


def test_two_questions_get_the_intent_of_the_first():
    """The classifier may prefer either asked aspect; the intent becomes the first one's."""
    ranking = _ranking(("ask_fee", 0.6), ("faq", 0.25), ("ask_processing_time", 0.15))
    reordered = first_question_ranking("làm căn cước mất bao lâu và phí bao nhiêu", ranking)
    assert [(r["name"], r["confidence"]) for r in reordered] == [
        ("ask_processing_time", 0.6),
        ("faq", 0.25),
        ("ask_fee", 0.15),
    ]


@pytest.mark.parametrize(
    ("text", "top", "expected"),
    [
        ("cấp lại thẻ bhyt thì ra đâu làm", "ask_steps", "ask_agency"),  # no steps cue at all
        ("đăng ký thường trú cho vợ thì làm những gì", "ask_procedure", "ask_steps"),
        ("thủ tục này làm ntn vậy", "search_procedure", "ask_steps"),
    ],
)
def test_an_intent_contradicted_by_the_only_aspect_asked_gives_way(text, top, expected):
    """An aspect intent without any of its cues, or a general question, yields to the aspect the
    message does ask."""
    ranking = _ranking((top, 0.7), ("ask_agency", 0.1), ("ask_steps", 0.1), ("faq", 0.1))
    assert first_question_ranking(text, ranking)[0] == {"name": expected, "confidence": 0.7}


@pytest.mark.parametrize(
    ("text", "top"),
    [
        ("làm căn cước mất bao lâu", "ask_processing_time"),  # agrees already
        ("nộp online thì phí còn bao nhiêu", "ask_fee"),  # one clause; fee is cued, so it stands
        ("mở hộ kinh doanh bán online thì thủ tục ra sao", "ask_procedure"),  # online describes the shop
        ("quên mật khẩu tài khoản dịch vụ công", "faq"),  # FAQ is never overridden
        ("hồ sơ nộp online hôm qua xong chưa", "check_dossier_status"),
        ("xin chào", "greet"),
    ],
)
def test_ranking_is_left_alone_when_the_intent_agrees_or_is_no_aspect_question(text, top):
    """Any other decision stays the classifier's."""
    ranking = _ranking((top, 0.7), ("ask_processing_time", 0.1), ("ask_online", 0.1), ("ask_fee", 0.1))
    assert first_question_ranking(text, ranking) is ranking


def test_ranker_component_updates_intent_and_ranking():
    """In the pipeline, ``intent`` follows the reordered ranking (FallbackClassifier reads both)."""
    message = Message(data={TEXT: "cần giấy tờ gì, nộp ở đâu"})
    ranking = _ranking(("ask_agency", 0.55), ("ask_documents", 0.45))
    message.set(INTENT_RANKING_KEY, ranking)
    message.set(INTENT, ranking[0])
    FirstQuestionIntentRanker({}).process([message])
    assert message.get(INTENT) == {"name": "ask_documents", "confidence": 0.55}
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)] == ["ask_documents", "ask_agency"]
