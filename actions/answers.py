"""What to say about each aspect of a procedure, as sections of a reply, from its brief.

A section is a heading and a list of items; the composer (:mod:`actions.replies`) drops whole items
from the end when a reply would not fit a phone screen and says how many are left, so nothing is
ever cut mid-sentence. Input: a procedure brief as :mod:`portal.catalog.brief` builds it and
:mod:`actions.brief` reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from actions.offices import where_lines
from actions.places import Place, province_phrase

CHANNEL_LABELS = {"in_person": "Trực tiếp", "online": "Trực tuyến", "post": "Qua bưu chính"}
MAX_ITEM_CHARS = 220
MAX_FEE_CHARS = 160
MAX_LINE_CHARS = 280
SEE_ALL = "xem đầy đủ trên Cổng"
_LEADING_MARKS = re.compile(r"^[\s\-+•*·–]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ])")
_CLAUSE_END = re.compile(r"\s*;\s+")
_COUNCIL = re.compile(r"hội đồng nhân dân|hđnd", re.IGNORECASE)


def format_vnd(amount: int) -> str:
    """20000 -> "20.000 đồng"; 0 -> "miễn phí"."""
    if amount == 0:
        return "miễn phí"
    return f"{amount:,}".replace(",", ".") + " đồng"


def format_date(iso: str) -> str:
    """ "2026-06-30" -> "30/06/2026"; other text is returned as it is."""
    try:
        return date.fromisoformat(iso).strftime("%d/%m/%Y")
    except (TypeError, ValueError):
        return iso or ""


def clean_item(text: Any) -> str:
    """One list item: no leading "- "/"+ "/"• ", single spaces, no trailing full stop."""
    return _LEADING_MARKS.sub("", " ".join(str(text or "").split())).rstrip(" .")


@dataclass
class Section:
    """A heading, items shown as "• item" (or numbered), and what to say about items left out.

    ``more`` is formatted with ``n``, the number of items left out; ``keep`` items are never left
    out; sections with a lower ``drop_rank`` lose items first.
    """

    head: str
    items: list[str] = field(default_factory=list)
    more: str = ""
    keep: int = 1
    drop_rank: int = 5
    numbered: bool = False
    tail: list[str] = field(default_factory=list)
    hidden: int = 0

    def lines(self) -> list[str]:
        if not self.items and self.hidden:
            summary = f"{self.head} {self.hidden} giấy tờ ({SEE_ALL})." if self.more else ""
            return [summary, *self.tail] if summary else self.tail
        lines = [self.head] if self.head else []
        for number, item in enumerate(self.items, start=1):
            lines.append(f"{number}. {item}" if self.numbered else f"• {item}")
        if self.hidden and self.more:
            lines.append(f"… và {self.more.format(n=self.hidden)}")
        return lines + self.tail

    def droppable(self) -> bool:
        return len(self.items) > self.keep

    def drop_one(self) -> None:
        self.items.pop()
        self.hidden += 1


def _quantity(document: dict[str, Any]) -> str:
    """ "bản chính", "2 bản sao", "bản chính, bản sao": the count only when it is more than one."""
    parts = []
    for key, label in (("originals", "bản chính"), ("copies", "bản sao")):
        count = int(document.get(key) or 0)
        if count:
            parts.append(label if count == 1 else f"{count} {label}")
    return ", ".join(parts)


def document_line(document: dict[str, Any]) -> str:
    """ "Tờ khai đăng ký khai sinh (mẫu TK01; bản chính)"."""
    name = whole_sentences(document.get("name"), final_stop=False)
    details = []
    form = clean_item(document.get("form"))
    if form and (name.lower() in form.lower() or form.lower() in name.lower()):
        details.append("theo mẫu")
    elif form:
        details.append(form[:1].lower() + form[1:] if form.lower().startswith("mẫu") else f"mẫu {form}")
    quantity = _quantity(document)
    if quantity:
        details.append(quantity)
    return f"{name} ({'; '.join(details)})" if details else name


def documents_sections(brief: dict[str, Any], case: int | None = None) -> list[Section]:
    """The ordinary case (or case number ``case``): forms and core evidence, then what to show."""
    documents = brief.get("documents") or {}
    cases = documents.get("cases") or []
    if case is not None and 0 <= case < len(cases):
        chosen = cases[case]
        items = [document_line(doc) for doc in chosen.get("documents") or []]
        head = case_heading(chosen.get("title")) + ":"
        if not items:
            return [Section(head=head, items=["Cổng không ghi giấy tờ riêng cho trường hợp này."], keep=1)]
        return [Section(head=head, items=items, more="{n} giấy tờ khác (" + SEE_ALL + ").", keep=1, drop_rank=3)]
    submit = [document_line(doc) for doc in documents.get("submit") or []]
    show = [document_line(doc) for doc in documents.get("show") or []]
    notes = [whole_sentences(note, final_stop=False) for note in documents.get("notes") or []]
    notes = [note for note in notes if note and len(note) <= MAX_ITEM_CHARS]  # a note too long to quote
    if not submit and not show:
        return [Section(head="Cổng chưa ghi danh sách giấy tờ cho trường hợp thông thường.")]
    sections = []
    if submit:
        sections.append(Section("Hồ sơ cần nộp:", submit, "{n} giấy tờ khác (" + SEE_ALL + ").", 1, 3))
    if show:
        sections.append(
            Section("Mang theo để xuất trình:", show, "{n} giấy tờ khác (" + SEE_ALL + ").", 0 if submit else 1, 2)
        )
    if notes:
        sections.append(Section("Lưu ý:", notes[:1], "", 0, 1))
    return sections


def case_heading(title: Any) -> str:
    """ "Trẻ em bị bỏ rơi" -> "Trường hợp trẻ em bị bỏ rơi"; titles that already say so stay."""
    title = clean_item(title)
    if title.lower().startswith(("trường hợp", "đối với", "nếu")):
        return title[:1].upper() + title[1:]
    return f"Trường hợp {title[:1].lower() + title[1:]}"


def case_titles(brief: dict[str, Any]) -> list[str]:
    """Titles of the other named cases, in the brief's order (the buttons "Trường hợp khác: …")."""
    return [clean_item(case.get("title")) for case in (brief.get("documents") or {}).get("cases") or []]


def _per_channel(entries: list[dict[str, Any]], label: str, limit: int = MAX_ITEM_CHARS) -> Section:
    texts = [(entry.get("channel"), clean_item(entry.get("text"))) for entry in entries]
    texts = [(channel, text) for channel, text in texts if text]
    if len({text for _, text in texts}) > 1:  # one line per channel: each kept short
        texts = [(channel, whole_sentences(text, limit, final_stop=False)) for channel, text in texts]
    else:
        texts = [(channel, whole_sentences(text, MAX_LINE_CHARS, final_stop=False)) for channel, text in texts]
    if not texts:
        return Section(head=f"{label}: Cổng chưa ghi thông tin.")
    distinct = {text for _, text in texts}
    if len(distinct) == 1:
        channel = f" ({CHANNEL_LABELS.get(texts[0][0], '').lower()})" if len(texts) == 1 and texts[0][0] else ""
        return Section(head=f"{label}{channel}: {texts[0][1]}.")
    items = [f"{CHANNEL_LABELS.get(channel, channel or 'Khác')}: {text}" for channel, text in texts]
    return Section(head=f"{label}:", items=items, keep=len(items))


def fee_section(brief: dict[str, Any], place: Place | None = None) -> Section:
    """Fee per channel, with its condition; one line when every channel costs the same."""
    fees = brief.get("fees") or []
    section = _per_channel(fees, "Lệ phí", MAX_FEE_CHARS)
    said = any(_COUNCIL.search(str(fee.get("text") or "")) for fee in fees)
    if any(fee.get("by_province") for fee in fees) and (place or not said):
        where = f"HĐND {province_phrase(place.province)}" if place else "HĐND tỉnh"
        section.tail.append(f"Mức thu do {where} quy định, có thể khác nhau giữa các tỉnh.")
    return section


# A note that sets the citizen's own deadline ("Trong thời hạn 15 ngày kể từ ngày có người chết…").
_DEADLINE_NOTE = re.compile(r"trong thời hạn|chậm nhất|kể từ ngày", re.IGNORECASE)


def time_section(brief: dict[str, Any]) -> Section:
    """Processing time per channel (one line when every channel takes the same time), and the
    citizen's own deadline when the procedure has one: "how long" also means "by when"."""
    section = _per_channel(brief.get("times") or [], "Thời hạn giải quyết")
    notes = (brief.get("documents") or {}).get("notes") or []
    deadline = next((note for note in notes if _DEADLINE_NOTE.search(str(note)[:80])), None)
    if deadline:
        section.tail.append(f"Lưu ý: {whole_sentences(deadline)}")
    return section


def agency_section(brief: dict[str, Any], place: Place | None) -> Section:
    """Where to file, for the citizen's place when known (:mod:`actions.offices`)."""
    lines = where_lines(brief.get("where") or {}, place)
    return Section(head="\n".join(lines))


def whole_sentences(text: Any, limit: int = MAX_ITEM_CHARS, final_stop: bool = True) -> str:
    """A long item shortened to its first whole sentences, or else its first whole clauses (split
    at ";"), never cut inside one."""
    text = clean_item(text)
    kept = ""
    for separator in (_SENTENCE_END, _CLAUSE_END):
        kept = ""
        for part in separator.split(text):
            if kept and len(kept) + len(part) + 2 > limit:
                break
            kept = f"{kept}{'; ' if separator is _CLAUSE_END and kept else ' ' if kept else ''}{part}".strip()
        if len(kept) <= limit:
            break
    kept = kept.rstrip(" .;")
    return kept + "." if final_stop and kept else kept


def steps_section(brief: dict[str, Any]) -> Section:
    """Steps, numbered, each a whole sentence."""
    steps = [whole_sentences(step) for step in brief.get("steps") or [] if clean_item(step)]
    if not steps:
        return Section(head="Các bước: Cổng chưa ghi trình tự thực hiện.")
    return Section("Các bước thực hiện:", steps, "{n} bước nữa (" + SEE_ALL + ").", 1, 4, numbered=True)


def online_section(brief: dict[str, Any]) -> Section:
    """Whether it can be filed online, and the online time and fee when they differ."""
    online = brief.get("online") or {}
    if not online.get("available"):
        others = {entry.get("channel") for entry in (brief.get("fees") or []) + (brief.get("times") or [])}
        ways = [CHANNEL_LABELS[c].lower() for c in ("in_person", "post") if c in others] or ["trực tiếp"]
        return Section(head=f"Nộp trực tuyến: chưa được; bạn nộp {' hoặc '.join(ways)}.")
    lines = ["Nộp trực tuyến: được, trên Cổng Dịch vụ công quốc gia (đăng nhập bằng tài khoản VNeID)."]
    for key, label in (("times", "thời hạn"), ("fees", "lệ phí")):
        for entry in brief.get(key) or []:
            if entry.get("channel") == "online" and clean_item(entry.get("text")):
                lines.append(f"Khi nộp trực tuyến, {label}: {clean_item(entry.get('text'))}.")
    return Section(head="\n".join(lines))


def overview_sections(brief: dict[str, Any], place: Place | None) -> list[Section]:
    """A short overview: time, fee, where, and what else can be asked."""
    where = where_lines(brief.get("where") or {}, place)[0]
    return [
        time_section(brief),
        fee_section(brief, place),
        Section(head=where),
        Section(head="Bạn có thể hỏi tiếp: cần giấy tờ gì, nộp ở đâu, các bước làm, nộp trực tuyến."),
    ]
