"""Answer-quality gate of ``make test``: the assistant's replies to citizens' questions about the
commonest procedures must contain the facts a citizen needs, without template artefacts.

Runs the real path once (``bot.evaluation.answers``: the session's trained model in-process, the real
action server, portal and console on free ports) over tests/answer_quality/items.yml and writes
reports/answer_quality/. Thresholds live in ``common.quality_gates.ANSWER_GATES``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluation.answer_report import failing_items, summary_lines
from bot.evaluation.answers import evaluate_answers
from common.quality_gates import ANSWER_GATES

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def answer_summary(trained_model: Path) -> dict:
    summary = evaluate_answers(trained_model)
    print("\n".join(summary_lines(summary)))
    return summary


def test_replies_contain_the_required_facts(answer_summary: dict):
    """At least the gate's share (``ANSWER_GATES["min_fact_share"]``) of the hand-checked facts
    (form, core evidence, amount, days, office, current unit of an old address) are in the replies;
    the message lists the items that miss one."""
    report = "\n".join(["", *summary_lines(answer_summary), *failing_items(answer_summary)])
    assert answer_summary["fact_share"] >= ANSWER_GATES["min_fact_share"], report


def test_replies_have_no_template_artefacts(answer_summary: dict):
    """No reply shows a broken template: «Thủ tục «Thủ tục», "• -", a message cut mid-sentence or
    without final punctuation, an empty heading, a raw URL, "None", braces, "chưa có thông tin thực hiện"."""
    with_artefacts = [
        f"{r['id']}: {'; '.join(r['artefacts'][:4])}" for r in answer_summary["results"] if r["artefacts"]
    ]
    assert answer_summary["artefacts"] <= ANSWER_GATES["max_artefacts"], "\n" + "\n".join(with_artefacts[:60])
