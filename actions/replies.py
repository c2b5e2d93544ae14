"""One reply about a procedure: the aspects asked, on a phone screen, with one source line.

Rules every reply follows (tested in tests/actions/test_replies.py):
- at most ``MAX_REPLY_CHARS`` characters, never cut inside a sentence: whole items are left out
  from the end and the reply says how many ("… và 3 giấy tờ khác (xem đầy đủ trên Cổng)");
- the ordinary case first; other named cases are buttons "Trường hợp khác: …" whose signed payload
  asks for that case (``/inform{"procedure": code, "aspect": "documents", "procedure_case": "2"}``);
- no raw URL in the text: links are link buttons (``type: web_url``) with a label, which the web
  widget and Zalo (``oa.open.url``) both render;
- exactly one source line, with the data date, whatever the number of aspects asked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from actions.answers import (
    Section,
    agency_section,
    case_heading,
    case_titles,
    documents_sections,
    fee_section,
    format_date,
    online_section,
    overview_sections,
    steps_section,
    time_section,
)
from actions.aspects import AGENCY, DOCUMENTS, FEE, ONLINE, OVERVIEW, STEPS, TIME
from actions.places import Place

MAX_REPLY_CHARS = 700
MAX_CASE_BUTTONS = 3
MAX_BUTTON_TITLE = 80
NATIONAL_PORTAL_URL = "https://dichvucong.gov.vn"
PORTAL_NAME = "Cổng Dịch vụ công quốc gia"
SEE_ALL_BUTTON = "Xem đầy đủ trên Cổng"
ONLINE_BUTTON = "Nộp trực tuyến"


@dataclass(frozen=True)
class Reply:
    """The text of one message and its buttons (choices first, then labelled links)."""

    text: str
    buttons: list[dict[str, Any]] = field(default_factory=list)


def link_button(title: str, url: str) -> dict[str, Any]:
    """A labelled link: the web widget shows it as a link, Zalo as an ``oa.open.url`` button."""
    return {"title": title, "type": "web_url", "url": url, "payload": url}


def source_line(brief: dict[str, Any]) -> str:
    """ "Nguồn: Cổng Dịch vụ công quốc gia, dữ liệu ngày 30/06/2026." (the link is a button)."""
    source = brief.get("source") or {}
    line = f"Nguồn: {PORTAL_NAME}"
    if source.get("data_date"):
        line += f", dữ liệu ngày {format_date(source['data_date'])}"
    line += "."
    if brief.get("corrected_by_staff"):
        line += " Nội dung đã được cán bộ rà soát."
    return line


def _short_title(text: str) -> str:
    if len(text) <= MAX_BUTTON_TITLE:
        return text
    return text[: MAX_BUTTON_TITLE - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def inform_payload(**entities: str) -> str:
    """ "/inform{...}": a button payload the channels sign, so it reaches Rasa as this intent."""
    return "/inform" + json.dumps(entities, ensure_ascii=False)


def case_buttons(brief: dict[str, Any], code: str, case: int | None) -> list[dict[str, Any]]:
    """ "Trường hợp khác: …" for the named cases (and back to the ordinary case after a choice)."""
    buttons = []
    if case is not None:
        ordinary = inform_payload(procedure=code, aspect=DOCUMENTS)
        buttons.append({"title": "Trường hợp thông thường", "payload": ordinary})
    for number, title in enumerate(case_titles(brief)):
        if number == case or not title:
            continue
        label = case_heading(title).removeprefix("Trường hợp ").strip()
        name = str(brief.get("name") or "").lower()
        if name and label.lower().startswith(name + " "):  # "Đăng ký thường trú vào chỗ ở …" -> "vào chỗ ở …"
            label = label[len(name) + 1 :]
        buttons.append(
            {
                "title": _short_title(f"Trường hợp khác: {label[:1].lower() + label[1:]}"),
                "payload": inform_payload(procedure=code, aspect=DOCUMENTS, procedure_case=str(number)),
            }
        )
        if len(buttons) == MAX_CASE_BUTTONS:
            break
    return buttons


def _sections(brief: dict[str, Any], aspects: list[str], place: Place | None, case: int | None) -> list[Section]:
    sections: list[Section] = []
    for aspect in aspects:
        if aspect == DOCUMENTS:
            sections.extend(documents_sections(brief, case))
        elif aspect == FEE:
            sections.append(fee_section(brief, place))
        elif aspect == TIME:
            sections.append(time_section(brief))
        elif aspect == AGENCY:
            sections.append(agency_section(brief, place))
        elif aspect == STEPS:
            sections.append(steps_section(brief))
        elif aspect == ONLINE:
            sections.append(online_section(brief))
        else:
            sections.extend(overview_sections(brief, place))
    return sections


def _render(header: str, sections: list[Section], footer: list[str]) -> str:
    """Header, sections (a list after another section gets a blank line before it), footer."""
    lines = [header]
    for number, section in enumerate(sections):
        body = section.lines()
        if number and body and (section.items or section.hidden):
            lines.append("")
        lines.extend(body)
    return "\n".join(lines) + "\n\n" + "\n".join(footer)


def _fit(header: str, sections: list[Section], footer: list[str], limit: int) -> str:
    """Leave out whole items (lowest ``drop_rank`` first, from the end) until the text fits; as a
    last resort items a section would keep, then whole sections from the end (never the first)."""
    text = _render(header, sections, footer)
    for last_resort in (False, True):
        while len(text) > limit:
            candidates = [section for section in sections if section.droppable() or (last_resort and section.items)]
            if not candidates:
                break
            min(candidates, key=lambda section: (section.drop_rank, -len(section.items))).drop_one()
            text = _render(header, sections, footer)
    while len(text) > limit and len(sections) > 1:
        sections.pop()
        text = _render(header, sections, footer)
    return text


def compose(
    brief: dict[str, Any],
    code: str,
    aspects: list[str],
    place: Place | None = None,
    case: int | None = None,
    limit: int = MAX_REPLY_CHARS,
) -> Reply:
    """The reply answering ``aspects`` (in order) about the procedure ``code`` from its brief."""
    aspects = list(dict.fromkeys(aspects or [OVERVIEW]))
    header = f"Thủ tục «{brief.get('name') or code}»:"
    sections = _sections(brief, aspects, place, case)
    footer = [source_line(brief)]
    buttons: list[dict[str, Any]] = []
    cases = case_titles(brief)
    if DOCUMENTS in aspects and cases:
        buttons.extend(case_buttons(brief, code, case))
        hidden = len(cases) - len([b for b in buttons if b["title"].startswith("Trường hợp khác")]) - (case is not None)
        if hidden > 0:
            footer.insert(0, f"Còn {hidden} trường hợp khác nữa (xem đầy đủ trên Cổng).")
    text = _fit(header, sections, footer, limit)
    online = brief.get("online") or {}
    if (ONLINE in aspects or OVERVIEW in aspects) and online.get("available"):
        buttons.append(link_button(ONLINE_BUTTON, online.get("url") or NATIONAL_PORTAL_URL))
    source_url = (brief.get("source") or {}).get("url")
    if source_url:
        buttons.append(link_button(SEE_ALL_BUTTON, source_url))
    return Reply(text=text, buttons=buttons)
