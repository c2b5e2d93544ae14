"""Steps of a brief: complete sentences, no heading without content.

The parsed steps (portal.catalog.parser.parse_steps) keep the portal's layout: a title such as
"Cơ quan tiếp nhận hồ sơ thực hiện:" with its content on the next lines, or one blob of "- …"
lines when the portal used no "Bước N" marks. A heading is joined to the line after it, or dropped
when nothing follows; each step is then one or more whole sentences, never cut mid-sentence.
"""

from __future__ import annotations

from typing import Any

from portal.catalog.brief.text import as_sentence, sentences, strip_bullet

STEP_LIMIT = 400
MAX_STEPS = 12


def build_steps(steps: list[dict[str, Any]]) -> list[str]:
    """The procedure's steps as plain sentences (at most ``MAX_STEPS``)."""
    out: list[str] = []
    if len(steps) == 1 and not steps[0]["title"]:
        for line in _joined_lines(_lines(steps[0]["description"])):
            _add(out, line)
        return out[:MAX_STEPS]
    for step in steps:
        lines = _lines(step["title"]) + _lines(step["description"])
        joined = _joined_lines(lines)
        if joined:
            _add(out, _whole_sentences(joined))
    return out[:MAX_STEPS]


def _lines(text: str) -> list[str]:
    """Non-empty lines without list marks; a line broken mid-sentence ("… Giấy phép vận" + "chuyển …") is rejoined."""
    lines: list[str] = []
    for raw in (text or "").splitlines():
        line = strip_bullet(raw)
        if not line:
            continue
        if lines and line[:1].islower() and raw.lstrip()[:1] not in "-+•*" and lines[-1][-1:] not in ".;:!?":
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
    return lines


def _joined_lines(lines: list[str]) -> list[str]:
    """Join every heading ("…:") to the line after it; drop a heading nothing follows."""
    out: list[str] = []
    heading = ""
    for line in lines:
        if heading:
            line = f"{heading} {line[:1].lower()}{line[1:]}" if not line[:2].isupper() else f"{heading} {line}"
            heading = ""
        if line.endswith(":"):
            heading = line
            continue
        out.append(line)
    return out


def _whole_sentences(lines: list[str]) -> str:
    """The step's lines as sentences, whole ones only, up to ``STEP_LIMIT`` characters (at least one)."""
    text = ""
    for sentence in (s for line in lines for s in sentences(as_sentence(line))):
        candidate = f"{text} {sentence}".strip()
        if text and len(candidate) > STEP_LIMIT:
            break
        text = candidate
    return text


def _add(out: list[str], text: str) -> None:
    sentence = as_sentence(text)
    if sentence and sentence not in out:
        out.append(sentence)
