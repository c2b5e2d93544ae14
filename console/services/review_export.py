"""Corrections → training data: the console-managed file ``data/nlu/corrections.yml``.

The file is rewritten as a whole from the corrections table (sorted, NFC, stable), so a withdrawn
correction disappears and two exports of the same table give the same bytes. An example is left
out when the training data already has it (any intent: a copy under another intent would make
``rasa data validate`` fail) or when it is in a held-out test set, including the blind set
(evaluating on training examples would make the quality gate meaningless). Comparison is on the plain text, normalized
and accent-folded, so "ho chieu" and "hộ chiếu" count as the same example.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.text.normalize import fold_accents, normalize_text
from console.models import ReviewCorrection, User, utcnow
from console.services import audit
from console.services.review import load_yaml

HEADER = (
    'version: "3.1"\n'
    "# Managed by the staff console (Rà soát hội thoại → Xuất dữ liệu huấn luyện): trainers' corrections\n"
    "# of real citizen messages, personal data masked. Do not edit by hand: the next export rewrites it.\n"
)
# [text](entity) and [text]{"entity": ...} annotations of Rasa's YAML examples.
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def plain_key(example: str) -> str:
    """Comparison key of an example: annotations removed, normalized, accent-folded, one space."""
    text = _ANNOTATION.sub(r"\1", example)
    return " ".join(fold_accents(normalize_text(text)).split())


def _examples_in(path: Path) -> list[str]:
    document = load_yaml(path) or {}
    out: list[str] = []
    for block in document.get("nlu") or [] if isinstance(document, dict) else []:
        examples = block.get("examples") if isinstance(block, dict) else None
        if isinstance(examples, str):
            out.extend(line.strip()[2:] for line in examples.splitlines() if line.strip().startswith("- "))
    return out


def known_keys(paths: list[Path], exclude: Path | None = None) -> set[str]:
    """Comparison keys of every example in ``paths`` (files or folders of YAML files)."""
    keys: set[str] = set()
    for path in paths:
        files = [path] if path.is_file() else sorted(path.rglob("*.yml")) if path.is_dir() else []
        for file in files:
            if exclude is not None and file.resolve() == exclude.resolve():
                continue  # the corrections file itself is rebuilt: its old lines do not count
            keys.update(plain_key(example) for example in _examples_in(file))
    return keys


def annotate(text: str, entities: list[dict[str, Any]]) -> str:
    """``text`` with Rasa's ``[span](entity)`` marks; brackets in the text become parentheses
    (one for one, so offsets hold) because Rasa would read them as annotation syntax."""
    clean = text.replace("[", "(").replace("]", ")")
    out, cursor = [], 0
    for span in sorted(entities, key=lambda s: s["start"]):
        out.append(clean[cursor : span["start"]])
        out.append(f"[{clean[span['start'] : span['end']]}]({span['entity']})")
        cursor = span["end"]
    out.append(clean[cursor:])
    return " ".join("".join(out).split())


@dataclass
class ExportReport:
    """What an export wrote and what it left out (shown to the trainer, kept in the audit log)."""

    written: int = 0
    duplicates: list[str] = field(default_factory=list)
    held_out: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"written": self.written, "duplicates": self.duplicates, "held_out": self.held_out}


def render(by_intent: dict[str, list[str]]) -> str:
    """The YAML text of the corrections file (intents and examples sorted)."""
    lines = [HEADER, "nlu:\n"]
    if not by_intent:
        return HEADER + "nlu: []\n"
    for intent in sorted(by_intent):
        lines.append(f"  - intent: {intent}\n    examples: |\n")
        lines.extend(f"      - {example}\n" for example in sorted(by_intent[intent]))
    return "".join(lines)


def export_corrections(
    session: Session, target: Path, data_dir: Path, held_out: Path | list[Path], user: User | None
) -> ExportReport:
    """Rewrite ``target`` from every correction; mark them exported; audit the export.

    ``held_out``: the test sets nothing may be trained on (the held-out set, its unaccented copy
    and the blind set); their examples are left out and counted in ``report.held_out``."""
    existing = known_keys([data_dir], exclude=target)
    test_keys = known_keys(held_out if isinstance(held_out, list) else [held_out])
    report = ExportReport()
    by_intent: dict[str, list[str]] = defaultdict(list)
    seen: set[str] = set()
    corrections = session.execute(select(ReviewCorrection).order_by(ReviewCorrection.updated_at.desc())).scalars()
    now = utcnow()
    for correction in corrections:
        example = annotate(normalize_text(correction.text), list(correction.entities or []))
        key = plain_key(example)
        if not key:
            continue
        if key in test_keys:
            report.held_out.append(example)
        elif key in existing or key in seen:  # newest correction of a text wins
            report.duplicates.append(example)
        else:
            seen.add(key)
            by_intent[correction.intent].append(example)
            report.written += 1
        correction.exported_at = now
    if by_intent or report.duplicates or report.held_out or target.exists():  # no empty file in data/
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(by_intent), encoding="utf-8")
    audit.record(session, user, "review.export", "training_data", target.name, after=report.as_dict())
    return report
