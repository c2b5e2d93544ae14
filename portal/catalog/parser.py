"""Pure parsers for the glued table cells scraped from the national portal.

The portal renders each procedure's tables (cách thức thực hiện, thành phần hồ sơ, căn cứ pháp lý,
kết quả) as HTML; the scraper concatenated the cells without separators, e.g.
``"Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến7 Ngày làm việc10,000 Việt Nam Đồng(...)"``.
These functions recover the rows. Every parser returns plain data (dicts / lists) and never raises
on odd input: when a cell does not fit the grammar the caller gets an empty result and keeps the
raw text, so nothing is silently lost. Channel rows and fees live in :mod:`portal.catalog.fees`;
documents, legal basis, steps and results live here.
"""

from __future__ import annotations

import itertools
import re
from typing import TypedDict

from portal.catalog.fees import ChannelRow, parse_channels
from portal.catalog.text import LOWER, UPPER

__all__ = [
    "ChannelRow",
    "DocumentCaseData",
    "DocumentRow",
    "LegalBasisRow",
    "ResultData",
    "StepRow",
    "is_empty_cell",
    "parse_channels",
    "parse_documents",
    "parse_legal_basis",
    "parse_result",
    "parse_steps",
]

NO_INFO = "Không có thông tin"


def is_empty_cell(text: str | None) -> bool:
    """True for cells the portal leaves blank or fills with its "no information" placeholder."""
    return not text or not text.strip() or text.strip() == NO_INFO


# --- thành phần hồ sơ ---------------------------------------------------------------------------


class DocumentRow(TypedDict):
    name: str
    template: str
    originals: int | None
    copies: int | None
    quantity_text: str


class DocumentCaseData(TypedDict):
    title: str
    documents: list[DocumentRow]


DOCUMENTS_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
# A row ends with its quantity glued to the text before it ("...thú y1 bản chính"). A quantity
# preceded by a space ("nộp 01 bản sao có chứng thực") is prose inside the name, not a row end.
# Only the last glued digit counts: "ngày 24/7/20231 bản chính" is "...2023" + "1 bản chính".
_QUANTITY = re.compile(
    r"(?<![ (])(?:(?P<orig>\d) bản chính(?:,\s*(?P<copies>\d+) bản sao)?|(?P<only_copies>\d) bản sao)"
)
_TEMPLATE_EXT = re.compile(r"\.(?:docx?|pdf|xlsx?|rar|zip)(?=$|\S)", re.IGNORECASE)
# Where a glued template file name may begin: right after a lowercase letter, a closing
# bracket or punctuation, or at a word the portal's file names start with ("Mẫu", "Phụ lục"...).
_TEMPLATE_START = re.compile(
    rf"(?<=[{LOWER})\];:.,])(?=[{UPPER}0-9])"
    r"|(?<=[^\s(])(?=(?:Mẫu|Mau|MẪU|mẫu|mau|Phụ lục|PHỤ LỤC|Phu luc|PL|PHLC|Phlc|TK|Biểu mẫu|Form)\b)"
)
_MAX_TEMPLATE_LEN = 160


def parse_documents(text: str) -> list[DocumentCaseData]:
    """Split the documents cell into cases (trường hợp), each with its document rows.

    Each table of the cell starts with the header ``Tên giấy tờMẫu đơn, tờ khaiSố lượng``; the
    text before a header is that table's case title (``--`` means "no title"), and for the second
    and later tables it is glued after the previous table's last quantity.
    """
    if is_empty_cell(text) or DOCUMENTS_HEADER not in text:
        return []
    parts = text.split(DOCUMENTS_HEADER)
    cases: list[DocumentCaseData] = []
    title = _case_title(parts[0])
    for body in parts[1:]:
        rows, tail = _document_rows(body)
        cases.append({"title": title, "documents": rows})
        title = _case_title(tail)
    return [case for case in cases if case["documents"] or case["title"]]


def _case_title(text: str) -> str:
    return text.strip().strip("-").strip()


def _document_rows(body: str) -> tuple[list[DocumentRow], str]:
    """Rows of one table, plus the trailing text (the next table's case title)."""
    rows: list[DocumentRow] = []
    start = 0
    for match in _QUANTITY.finditer(body):
        chunk = body[start : match.start()].strip()
        if not re.search(r"[^\W\d_]", chunk):  # "01 bản sao ..." at a row start is prose
            continue
        name, template = split_template(chunk)
        originals = match.group("orig")
        copies = match.group("copies") or match.group("only_copies")
        rows.append(
            {
                "name": name,
                "template": template,
                "originals": int(originals) if originals is not None else 0,
                "copies": int(copies) if copies is not None else 0,
                "quantity_text": match.group(0),
            }
        )
        start = match.end()
    return rows, body[start:]


def split_template(chunk: str) -> tuple[str, str]:
    """Separate a glued form file name ("...Mẫu số 02.docx") from the document name."""
    ends = list(_TEMPLATE_EXT.finditer(chunk))
    if not ends or ends[-1].end() != len(chunk):
        return chunk, ""
    first_file_end = ends[0].start()
    for start in (m.start() for m in _TEMPLATE_START.finditer(chunk, 0, first_file_end)):
        if len(chunk) - start <= _MAX_TEMPLATE_LEN and chunk[:start].strip():
            files = [chunk[start : ends[0].end()]]
            files += [chunk[a.end() : b.end()] for a, b in itertools.pairwise(ends)]
            return chunk[:start].strip(), "; ".join(f.strip() for f in files)
    return chunk, ""


# --- căn cứ pháp lý ----------------------------------------------------------------------------


class LegalBasisRow(TypedDict):
    title: str
    number: str


LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
# Issuer code: TT-BTC, NĐ-CP, QH15, QĐ-TTg. A capital followed by a lower-case letter is the
# start of the next (glued) title, not part of the code: "NĐ-CPNghị định" -> "NĐ-CP".
_ISSUER = rf"(?:TTg|(?:[A-ZĐ](?![{LOWER}]))+\d{{0,2}})"
# A document number (số hiệu): 68/2013/TT-BCA, 02/2011/QH13, 66.7/2025/NQ-CP, 1025/QĐ-BCA, 42/2020.
_NUMBER_CORE = rf"\d+(?:\.\d+)?/(?:\d{{4}}(?:/{_ISSUER}(?:-{_ISSUER})*)?|{_ISSUER}(?:-{_ISSUER})+)"
# The core is matched atomically (lookahead + backreference) so "TT-BCA ngày" cannot backtrack
# into "TT-B" + "CA...". It must be followed by the next title (a letter) or the end.
_NUMBER = re.compile(rf"(?=(?P<core>{_NUMBER_CORE}))(?P=core)(?=$|[{UPPER}][{LOWER}]|[{LOWER}]|\s*\n)")
_DOC_PREFIX = re.compile(
    r"(?:Luật|Nghị định|Thông tư(?: liên tịch)?|Nghị quyết|Quyết định|Pháp lệnh|Văn bản hợp nhất)(?: số)?\s*$"
)


def parse_legal_basis(text: str) -> list[LegalBasisRow]:
    """Pair each legal document's title with its number (số hiệu).

    The number column is glued to the end of the title (``...thú y101/2020/TT-BTC``) and the next
    title is glued after it, so a number counts as a column value only when it is directly
    followed by the next title (or the end), never by a space or a digit (those are mentions
    inside a title such as "Thông tư số 19/2021/TT-BTC ngày ...").
    """
    if is_empty_cell(text):
        return []
    body = text.removeprefix(LEGAL_HEADER)
    rows: list[LegalBasisRow] = []
    start = 0
    for match in _NUMBER.finditer(body):
        number_start, number = _number_start(body, match)
        title = body[start:number_start]
        rows.append(_legal_row(title, number))
        start = match.end()
    tail = body[start:].strip()
    if tail:
        rows.append({"title": tail, "number": ""})
    return [row for row in rows if row["title"] or row["number"]]


def _number_start(body: str, match: re.Match[str]) -> tuple[int, str]:
    """Where the number really starts when its digits are glued to the text before it.

    "năm 201102/2011/QH13" is "năm 2011" + "02/2011/QH13"; "QH1228/2009/QH12" is the previous
    number "...QH12" + "28/2009/QH12".
    """
    digits = re.match(r"\d+", match.group("core")).group(0)
    before = body[match.start() - 1] if match.start() else ""
    cut = 0
    if len(digits) > 4 and re.match(r"(19|20)\d\d", digits):
        cut = 4
    elif before in UPPER and len(digits) >= 3:
        cut = 2
    return match.start() + cut, body[match.start() + cut : match.end()]


def _legal_row(title: str, number: str) -> LegalBasisRow:
    """A bare prefix ("Thông tư số ") means the title cell held only the type; keep it readable."""
    clean = " ".join(title.split())
    if not clean or _DOC_PREFIX.fullmatch(clean):
        return {"title": f"{clean} {number}".strip(), "number": number}
    glued = _DOC_PREFIX.search(clean)
    if glued and glued.start() > 0 and not clean[glued.start() - 1].isspace():
        clean = clean[: glued.start()].strip()  # "Luật Thú yLuật 79/2015/QH13": prefix of the number
    return {"title": clean, "number": number}


# --- trình tự thực hiện ------------------------------------------------------------------------


class StepRow(TypedDict):
    title: str
    description: str


_STEP_MARK = re.compile(r"(?im)^[\s\-–+*•]*(?:[a-zđ][).]\s*)?Bước\s*(?:\d+|[IVX]+)\s*[:.\-–)]?\s*")
_LIST_MARKS = (
    re.compile(r"(?m)^\s*[a-zđ]\)\s+"),  # a) b) c)
    re.compile(r"(?m)^\s*\d{1,2}[.)]\s+"),  # 1. 2. / 1) 2)
)
_MAX_TITLE = 200
_MAX_LEAD_IN = 120


def parse_steps(text: str) -> tuple[list[StepRow], str]:
    """Split trình tự thực hiện into steps; also return how ("bước", "list", "text" or "").

    "Bước N:" markers are the portal's own convention; otherwise top-level list markers
    (a), b) / 1., 2.) are used; otherwise the whole text is kept as one step so callers
    can still show it.
    """
    if is_empty_cell(text):
        return [], ""
    marks = list(_STEP_MARK.finditer(text))
    if len(marks) >= 1:
        return _split_at(text, marks), "buoc"
    for pattern in _LIST_MARKS:
        marks = list(pattern.finditer(text))
        if len(marks) >= 2:
            return _split_at(text, marks), "list"
    return [{"title": "", "description": text.strip()}], "text"


def _split_at(text: str, marks: list[re.Match[str]]) -> list[StepRow]:
    steps: list[StepRow] = []
    preamble = text[: marks[0].start()].strip()
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        steps.append(_step(text[mark.end() : end]))
    if preamble and steps:
        steps[0]["description"] = f"{preamble}\n{steps[0]['description']}".strip()
    return steps


def _step(chunk: str) -> StepRow:
    """First line is the title when short, or its lead-in before a colon; the rest is the description."""
    chunk = chunk.strip()
    first, _, rest = chunk.partition("\n")
    if len(first) <= _MAX_TITLE:
        return {"title": first.strip(), "description": rest.strip()}
    head, colon, tail = first.partition(":")
    if colon and len(head) <= _MAX_LEAD_IN:
        return {"title": head.strip(), "description": f"{tail.strip()}\n{rest}".strip()}
    return {"title": "", "description": chunk}


# --- kết quả xử lý -----------------------------------------------------------------------------


class ResultData(TypedDict):
    items: list[dict[str, str]]
    keywords: str
    description: str


# Page furniture scraped after the results table: the agency picker and the "Nộp hồ sơ" button.
_PAGE_CHROME = re.compile(r"Chọn cơ quan thực hiện.*$", re.DOTALL)
_RESULT_CODE = re.compile(r"Mã:\s*(KQ[A-Z0-9.]*\d)")


def parse_result(text: str) -> ResultData:
    """Result documents with their codes ("<name>Mã: KQ.G01.000199"), keywords and description."""
    empty: ResultData = {"items": [], "keywords": "", "description": ""}
    if is_empty_cell(text):
        return empty
    body = _PAGE_CHROME.sub("", text)
    body, _, description = body.partition("Mô tả")
    body, _, keywords = body.partition("Từ khóa")
    items: list[dict[str, str]] = []
    start = 0
    for match in _RESULT_CODE.finditer(body):
        items.append({"name": body[start : match.start()].strip(), "code": match.group(1).rstrip(".")})
        start = match.end()
    leftover = body[start:].strip()
    if leftover:
        items.append({"name": leftover, "code": ""})
    return {"items": items, "keywords": _info(keywords), "description": _info(description)}


def has_filing_button(text: str) -> bool:
    """The scraped result cell ends with the page's "Nộp hồ sơ" button when online filing exists."""
    return bool(text) and text.rstrip().endswith("Nộp hồ sơ")


def _info(text: str) -> str:
    return "" if is_empty_cell(text) else text.strip()
