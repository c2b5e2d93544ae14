"""FAQs in and out of the Rasa training data.

Import reads retrieval-intent examples ``faq/<key>`` from ``data/nlu/faq.yml`` and the answers
``utter_faq/<key>`` from the responses file or, failing that, ``domain.yml``. Export writes the
published FAQs back: one file of examples, one of responses, sorted and byte-stable (the same
database gives the same files, so training fingerprints and diffs only move on real changes).
Title and tags travel as intent ``metadata`` so a round trip loses nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from common.conversation import FAQ_INTENT, FAQ_RESPONSE_PREFIX
from common.text.normalize import fold_accents
from console.models import Faq
from console.services import faqs as faq_service
from console.services.faqs import FaqInput, FaqValidationError, unique_questions
from console.services.review_export import known_keys, plain_key

HEADER = (
    "# Managed by the staff console (python -m console export-faqs): edit FAQs in the console,\n"
    "# not here; manual changes are overwritten by the next export.\n"
)
FAQ_PREFIX = f"{FAQ_INTENT}/"
# "[căn cước](procedure)" -> "căn cước": FAQ examples carry no entities in the console.
_ENTITY = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}")


@dataclass
class ImportReport:
    created: list[str]
    unchanged: list[str]
    skipped: dict[str, str]


def _load_yaml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return data if isinstance(data, dict) else {}


def _examples(block: Any) -> list[str]:
    if not isinstance(block, str):
        return []
    out = []
    for line in block.splitlines():
        line = line.strip()
        if line.startswith("- "):
            out.append(_ENTITY.sub(lambda m: m.group(1) or m.group(2), line[2:].strip()))
    return out


def _response_text(variations: Any) -> str | None:
    if isinstance(variations, list):
        for item in variations:
            if isinstance(item, dict) and isinstance(item.get("text"), str):
                return item["text"]
    return None


def read_rasa_faqs(nlu_path: Path, responses_path: Path, domain_path: Path) -> dict[str, dict[str, Any]]:
    """key -> {questions, answer, title, tags} from the Rasa files (answers: responses file first)."""
    result: dict[str, dict[str, Any]] = {}
    for item in _load_yaml(nlu_path).get("nlu") or []:
        intent = item.get("intent") if isinstance(item, dict) else None
        if isinstance(intent, str) and intent.startswith(FAQ_PREFIX):
            metadata = item.get("metadata") if isinstance(item.get("metadata"), dict) else {}
            entry = result.setdefault(intent[len(FAQ_PREFIX) :], {"questions": [], "answer": None})
            entry["questions"].extend(_examples(item.get("examples")))
            entry.setdefault("title", metadata.get("title"))
            entry.setdefault("tags", metadata.get("tags") or [])
    responses: dict[str, Any] = {}
    for path in (domain_path, responses_path):  # the responses file wins over the domain
        data = _load_yaml(path).get("responses")
        if isinstance(data, dict):
            responses.update(data)
    for name, variations in responses.items():
        if isinstance(name, str) and name.startswith(FAQ_RESPONSE_PREFIX):
            key = name[len(FAQ_RESPONSE_PREFIX) :]
            if key in result:
                result[key]["answer"] = _response_text(variations)
    return result


def import_faqs(session: Session, nlu_path: Path, responses_path: Path, domain_path: Path) -> ImportReport:
    """Add the Rasa FAQs missing from the database, as published. Existing keys are left alone
    (the console is the source of truth once imported), so running it twice changes nothing."""
    report = ImportReport(created=[], unchanged=[], skipped={})
    for key, entry in sorted(read_rasa_faqs(nlu_path, responses_path, domain_path).items()):
        if faq_service.get(session, key) is not None:
            report.unchanged.append(key)
            continue
        if not entry.get("answer"):
            report.skipped[key] = f"không tìm thấy câu trả lời {FAQ_RESPONSE_PREFIX}{key}"
            continue
        questions = entry["questions"]
        first = questions[0] if questions else key
        title = entry.get("title") or first[:1].upper() + first[1:]
        data = FaqInput(key=key, title=title, questions=questions, answer=entry["answer"], tags=entry.get("tags") or [])
        try:
            with session.begin_nested():
                faq_service.create(session, data, actor=None, status="published")
        except FaqValidationError as exc:
            report.skipped[key] = str(exc)
            continue
        report.created.append(key)
    return report


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _sort_key(text: str) -> tuple[str, str]:
    """Alphabetical as a reader expects ("đổi" next to "doi"), ties broken by code points: stable."""
    return fold_accents(text), text


def render_nlu(faqs: list[Faq], screened: frozenset[str] = frozenset()) -> str:
    """The FAQ training file; question variants whose :func:`plain_key` is ``screened`` (held-out
    and blind test utterances) are left out, so a staff edit can never leak a test set."""
    lines = [HEADER.rstrip("\n"), 'version: "3.1"', "nlu:"]
    for faq in sorted(faqs, key=lambda f: f.key):
        lines.append(f"  - intent: {FAQ_PREFIX}{faq.key}")
        lines.append("    metadata:")
        lines.append(f"      title: {_quoted(faq.title)}")
        lines.append(f"      tags: [{', '.join(_quoted(t) for t in sorted(faq.tags or []))}]")
        lines.append("    examples: |")
        for question in sorted(unique_questions(list(faq.questions or [])), key=_sort_key):
            if plain_key(question) not in screened:
                lines.append(f"      - {question}")
    if not faqs:
        lines[-1] = "nlu: []"
    return "\n".join(lines) + "\n"


def render_responses(faqs: list[Faq]) -> str:
    lines = [HEADER.rstrip("\n"), 'version: "3.1"', "responses:"]
    for faq in sorted(faqs, key=lambda f: f.key):
        lines.append(f"  {FAQ_RESPONSE_PREFIX}{faq.key}:")
        lines.append(f"    - text: {_quoted(faq.answer)}")
    if not faqs:
        lines[-1] = "responses: {}"
    return "\n".join(lines) + "\n"


def _write_if_changed(path: Path, text: str) -> bool:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return True


def domain_faq_responses(domain_path: Path) -> list[str]:
    """``utter_faq/*`` names still defined in domain.yml (they would duplicate the exported ones)."""
    data = _load_yaml(domain_path).get("responses")
    return sorted(n for n in (data or {}) if isinstance(n, str) and n.startswith(FAQ_RESPONSE_PREFIX))


def export_faqs(
    session: Session, nlu_path: Path, responses_path: Path, held_out: list[Path] | None = None
) -> tuple[int, list[Path]]:
    """Write the published FAQs, leaving out questions of the ``held_out`` test sets; returns
    (how many, files that changed)."""
    published = faq_service.published(session)
    screened = frozenset(known_keys(held_out or []))
    changed = [
        path
        for path, text in ((nlu_path, render_nlu(published, screened)), (responses_path, render_responses(published)))
        if _write_if_changed(path, text)
    ]
    return len(published), changed
