"""What a console training run trains on: published FAQs and review corrections, written into the
project before ``rasa train``, never leaking the held-out or blind test sets, and never leaving the
generated files stale (``make test`` checks they are reproducible)."""

from __future__ import annotations

import importlib.util
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from console.models import ReviewCorrection
from console.services import faqs, review_export, training_data
from console.services.faqs import FaqInput
from tests.console.conftest import make_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = 'version: "3.1"\nnlu:\n  - intent: ask_fee\n    examples: |\n      - lệ phí làm hộ chiếu bao nhiêu\n'
BLIND = 'version: "3.1"\nnlu:\n  - intent: faq/gio_mo_cua\n    examples: |\n      - may gio mo cua vay\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "data" / "nlu").mkdir(parents=True)
    (root / "held_out.yml").write_text(HELD_OUT, encoding="utf-8")
    (root / "blind.yml").write_text(BLIND, encoding="utf-8")
    return root


@pytest.fixture
def settings(tmp_path: Path, project: Path):
    nlu = project / "data" / "nlu"
    return make_settings(
        tmp_path,
        project_dir=project,
        faq_nlu_path=nlu / "faq.yml",
        faq_responses_path=nlu / "faq_responses.yml",
        corrections_path=nlu / "corrections.yml",
        test_nlu_path=project / "held_out.yml",
        test_nlu_unaccented_path=project / "held_out.yml",
        blind_nlu_path=project / "blind.yml",
    )


def correction(event_id: int, text: str, intent: str) -> ReviewCorrection:
    return ReviewCorrection(event_id=event_id, sender_id=f"web:{event_id}", text=text, intent=intent, entities=[])


def test_training_preparation_writes_published_faqs_and_corrections_without_test_sets(db, settings, project):
    """Before ``rasa train`` the run writes the published FAQs (drafts stay out) and the
    corrections into the project's data; an FAQ question from the blind set and a correction of a
    held-out utterance (typed without accents) are left out; the log says what was written."""
    with db() as session:
        published = faqs.create(
            session,
            FaqInput(
                key="gio_mo_cua",
                title="Giờ mở cửa",
                questions=["mấy giờ bộ phận một cửa mở cửa", "buổi sáng mở cửa lúc mấy giờ", "Mấy giờ mở cửa vậy"],
                answer="Từ 7 giờ 30.",
            ),
            None,
        )
        faqs.publish(session, published, None)
        faqs.create(session, FaqInput(key="nhap", title="Nháp", questions=["a b c", "d e f"], answer="x"), None)
        session.add(correction(1, "cho em hỏi làm sổ đỏ ở đâu ạ", "ask_agency"))
        session.add(correction(2, "le phi lam ho chieu bao nhieu", "ask_fee"))
    log = io.StringIO()
    with db() as session:
        result = training_data.prepare(session, settings, log)
    faq_file = (project / "data" / "nlu" / "faq.yml").read_text(encoding="utf-8")
    assert "intent: faq/gio_mo_cua" in faq_file and "buổi sáng mở cửa lúc mấy giờ" in faq_file
    assert "Mấy giờ mở cửa vậy" not in faq_file  # the blind utterance, with accents: still a leak
    assert "faq/nhap" not in faq_file
    corrections = (project / "data" / "nlu" / "corrections.yml").read_text(encoding="utf-8")
    assert "intent: ask_agency" in corrections and "cho em hỏi làm sổ đỏ ở đâu ạ" in corrections
    assert "le phi lam ho chieu" not in corrections
    assert result.faqs == 1 and result.corrections.written == 1 and len(result.corrections.held_out) == 1
    assert result.regenerated is False  # the project has no generators
    assert "nhãn đã sửa đưa vào huấn luyện: 1" in log.getvalue()


def _script(name: str):
    """A generator script of scripts/ loaded as a module (as tests/nlu does)."""
    path = REPO_ROOT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_a_corrections_export_never_changes_the_generated_files(db, tmp_path):
    """Exporting corrections into the real data/nlu/ never makes ``make test`` fail: the file is in
    the generator's view (the data checks that concern it pass) but no source of the variants
    or the lookups, so what the generators would write is byte-identical before and after."""
    variants, lookups = _script("generate_nlu_variants"), _script("generate_nlu_lookups")
    target = REPO_ROOT / "data" / "nlu" / "corrections.yml"
    assert target.resolve() in {path.resolve() for path in variants.CONSOLE_MANAGED}
    before = (variants.render_variants(), lookups.build())
    backup = tmp_path / "corrections.yml.orig"
    if target.exists():
        shutil.copy2(target, backup)
    try:
        with db() as session:
            text = "cho em hỏi làm thẻ căn cước gắn chíp hết mấy ngày vậy ad"
            start = text.index("thẻ căn cước")
            entity = {"start": start, "end": start + len("thẻ căn cước"), "entity": "procedure"}
            session.add(
                ReviewCorrection(
                    event_id=11, sender_id="web:11", text=text, intent="ask_processing_time", entities=[entity]
                )
            )
        with db() as session:
            report = review_export.export_corrections(
                session, target, REPO_ROOT / "data", [REPO_ROOT / "tests" / "nlu_data" / "test_nlu.yml"], None
            )
        assert report.written == 1 and "(procedure)" in target.read_text(encoding="utf-8")
        assert (variants.render_variants(), lookups.build()) == before
        checks = subprocess.run(
            [
                *(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/nlu/test_training_data.py"),
                *("-k", "parser_view or two_intents or never_appears or whole_words or nfc or only_contract"),
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert checks.returncode == 0, checks.stdout[-3000:]
    finally:
        if backup.exists():
            shutil.move(backup, target)
        else:
            target.unlink(missing_ok=True)
