"""Short names and form codes of catalog documents, cut at a clause boundary and never mid-word.

"- Tờ khai thay đổi thông tin cư trú (mẫu CT01 ban hành kèm theo Thông tư số 53/2025/TT-BCA)"
becomes ``("Tờ khai thay đổi thông tin cư trú", "mẫu CT01")``. Pure functions of their text, cached:
the catalog repeats the same rows across hundreds of procedures.
"""

from __future__ import annotations

import functools
import re

from portal.catalog.brief.text import (
    capitalize,
    cut_at_word,
    first_clause,
    strip_bullet,
    trim_dangling,
    without_parentheses,
)

NAME_LIMIT = 110

FORM_START = re.compile(
    r"^(?:Tờ khai|Mẫu|Phiếu|Đơn|Giấy đề nghị|Văn bản đề nghị|Đề nghị|Bản khai|Giấy khai|Biểu mẫu)\b", re.IGNORECASE
)
_FORM_CODE = re.compile(
    r"\b[Mm]ẫu\s*(?:số\s*)?([A-Z]{1,4}\s?\d{1,3}[a-z]?(?:/[A-Z0-9.\-]+)?|\d{1,3}[a-z]?(?:[/\-][A-ZĐ0-9]+)*\b)"
)
# A form code used as the name itself: "Phiếu CC01", "Tờ khai TK01".
_CODE_IN_NAME = re.compile(r"\b([A-Z]{2,3}\d{2}[a-z]?)\b")
_ALIAS = re.compile(r"\(sau đây gọi(?: tắt)? là ([^)]{3,40})\)")
_NAME_CLAUSES = (
    ";",
    ": ",
    ". ",
    " theo mẫu",
    " theo Mẫu",
    " mẫu số",
    " Mẫu số",
    " (mẫu",
    " (Mẫu",
    " theo quy định",
    " quy định tại",
    ", Mẫu",
    ", mẫu",
    " ban hành kèm",
    " do cơ quan",
    " do Ủy ban",
    " do người",
    " (nếu",
    ", trừ",
    " trừ trường hợp",
    " nếu ",
    " được tạo lập",
    " trong trường hợp",
    " đối với trường hợp",
    " còn giá trị",
    " có dán ảnh",
)


@functools.lru_cache(maxsize=65536)
def short_name(text: str) -> str:
    """A document's name cut at a clause boundary (never mid-word), without list marks or asides."""
    text = strip_bullet(text)
    alias = _ALIAS.search(text)
    if alias:
        return capitalize(alias.group(1).strip())
    head, _ = first_clause(text, _NAME_CLAUSES, minimum=8)
    head = without_parentheses(head) or head
    return capitalize(trim_dangling(_balanced(cut_at_word(head, NAME_LIMIT)).rstrip(" .,;:")))


def _balanced(text: str) -> str:
    """No half bracket: cut before an unclosed "(", drop a stray ")"."""
    if "(" not in text and ")" not in text:
        return text
    opened = text.rfind("(")
    if opened > text.rfind(")"):
        text = text[:opened] if opened >= 8 else text.replace("(", "")
    depth, out = 0, []
    for char in text:
        if char == ")" and depth == 0:
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        out.append(char)
    return "".join(out).strip()


@functools.lru_cache(maxsize=65536)
def form_code(text: str, template: str = "") -> str | None:
    """ "mẫu CT01" / "mẫu số 18" when the row names its own numbered form, else ``None``.

    Only a form named right after the document's name counts ("Tờ khai … (mẫu CT01 …)"); a form
    mentioned deep inside an aside belongs to another document ("… tại Tờ khai … theo Mẫu số 01").
    """
    head, _ = first_clause(strip_bullet(text), _NAME_CLAUSES, minimum=8)
    match = _FORM_CODE.search(strip_bullet(text), 0, len(head) + 25) or _FORM_CODE.search(template)
    if not match:
        named = _CODE_IN_NAME.search(short_name(text))
        return f"mẫu {named.group(1)}" if named else None
    code = match.group(1).replace(" ", "")
    return f"mẫu số {code}" if code[0].isdigit() else f"mẫu {code}"
