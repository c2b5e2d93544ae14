"""NLU quality gate: the model CI trains must understand the held-out set well enough.

Uses the session ``trained_model`` (no second training) and evaluates it in-process on
tests/nlu_data/test_nlu.yml, its unaccented copy and the messy slice (test_nlu_messy.yml).
Thresholds live in ``common.quality_gates.GATES``, the table the staff console's activation gate
reads too; entity F1 is token-level, as ``rasa test nlu`` reports it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.evaluation.metrics import gate_failures
from bot.evaluation.run import evaluate_model, load_agent
from bot.train import training_log_path
from common.quality_gates import GATES, TEST_FILES

pytestmark = pytest.mark.slow


def test_training_log_has_no_misaligned_entity_annotation(trained_model: Path):
    """DIET silently drops entity annotations that do not sit on token boundaries; the training
    log of the CI model must not contain a single "Misaligned entity annotation" warning."""
    log = training_log_path(trained_model)
    assert log.exists(), f"no training log beside {trained_model}"
    misaligned = [line for line in log.read_text(encoding="utf-8").splitlines() if "Misaligned entity" in line]
    assert not misaligned, "\n".join(misaligned[:10])


@pytest.fixture(scope="module")
def held_out_summaries(trained_model: Path) -> dict:
    summaries, _ = evaluate_model(trained_model, TEST_FILES)
    assert set(GATES) <= set(summaries)
    return summaries


def test_held_out_scores_meet_the_quality_gate(held_out_summaries: dict):
    """CI fails when the model understands citizens worse than the targets of ``GATES``: intent
    macro-F1 (accented, unaccented), dossier_code and procedure entity F1 on the held-out set,
    intent macro-F1 and procedure F1 on the messy slice."""
    failures = gate_failures(held_out_summaries)
    assert not failures, "NLU quality gate:\n" + "\n".join(failures)


@pytest.fixture(scope="module")
def parse(trained_model: Path):
    """Parse one message with the CI model, as the Rasa server would; like the evaluation, the
    intent under a FallbackClassifier prediction is the one scored (the dialogue then confirms it
    with buttons)."""
    from rasa.nlu.classifiers import fallback_classifier

    agent = load_agent(trained_model)

    def _parse(text: str) -> dict:
        result = asyncio.run(agent.parse_message(text))
        if fallback_classifier.is_fallback_classifier_prediction(result):
            result = fallback_classifier.undo_fallback_prediction(result)
        return result

    return _parse


def _entities(result: dict, entity: str) -> list[str]:
    text = result["text"]
    return [text[e["start"] : e["end"]] for e in result["entities"] if e["entity"] == entity]


def test_long_polite_question_with_address_is_a_where_question(parse):
    """Issue 13: the greeting and the personal address must not hide the question "lên đâu làm";
    the commune and the procedure are both found."""
    result = parse("Xin chào. Tôi ở xã Tân Thông Hội huyện Củ Chi. Tôi muốn đăng ký kết hôn thì lên đâu làm?")
    assert result["intent"]["name"] == "ask_agency"
    assert _entities(result, "location") == ["xã Tân Thông Hội huyện Củ Chi"]
    assert _entities(result, "procedure") == ["đăng ký kết hôn"]


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        ("thủ tục này gồm mấy bước vậy", {"ask_steps"}),
        ("làm căn cước mất bao lâu và phí bao nhiêu", {"ask_processing_time"}),
        (
            "Chào bạn, mình mới sinh em bé được 2 tuần, giờ muốn làm giấy khai sinh cho bé thì cần mang theo "
            "những gì vậy ạ? Cảm ơn nhiều",
            {"ask_documents"},
        ),
    ],
)
def test_issue_examples_get_the_intent_asked(parse, text, intents):
    """Issue 13's messages: a step question about "this procedure", two questions (the first
    decides), and a long polite question wrapped in a greeting."""
    assert parse(text)["intent"]["name"] in intents


def test_two_questions_carry_both_aspects_and_typos_still_name_the_procedure(parse):
    """ "mất bao lâu và phí bao nhiêu" marks time and fee; "đăg ký kết hôn" is still the
    marriage procedure."""
    result = parse("làm căn cước mất bao lâu và phí bao nhiêu")
    assert [e["value"] for e in result["entities"] if e["entity"] == "aspect"] == ["time", "fee"]
    assert _entities(parse("đăg ký kết hôn cân giấy tờ j"), "procedure") == ["đăg ký kết hôn"]
