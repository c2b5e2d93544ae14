"""Which office a citizen goes to, from the brief's ``where`` and the citizen's place.

The brief says who handles a procedure in general ("Ủy ban nhân dân cấp xã", authority
``people_committee``, level ``commune``); the citizen's place (:mod:`actions.places`) makes it
concrete: "UBND phường Sài Gòn (trước đây phường Bến Nghé, quận 1), TP. Hồ Chí Minh" for a hộ tịch
procedure, "Công an phường …" for cư trú, the province's Trung tâm Phục vụ hành chính công for a
province-level procedure. Without a place the general agency is named.
"""

from __future__ import annotations

import re
from typing import Any

from actions.places import Place, old_phrase, province_phrase, unit_phrase

DERIVED_NOTE = "Cổng chưa ghi cơ quan thực hiện, mình suy ra từ cấp và lĩnh vực của thủ tục"
ASK_PLACE = "Bạn cho mình biết xã/phường và tỉnh bạn ở (ví dụ «phường Bến Nghé quận 1») để mình chỉ đúng nơi nộp."
_COMMUNE = re.compile(r"\bcấp xã\b", re.IGNORECASE)
_PROVINCE = re.compile(r"\bcấp tỉnh\b|\btỉnh$", re.IGNORECASE)


def _ward_with_history(place: Place) -> str:
    """ "phường Sài Gòn (trước đây phường Bến Nghé, quận 1), TP. Hồ Chí Minh"."""
    text = unit_phrase(place.ward)
    old = old_phrase(place)
    if old:
        split = "; phường/xã cũ nay thuộc nhiều đơn vị, bạn kiểm tra lại theo địa chỉ" if place.divided else ""
        text += f" (trước đây {old}{split})"
    return f"{text}, {province_phrase(place.province)}"


def _province_with_history(place: Place) -> str:
    """ "tỉnh Vĩnh Long (trước đây tỉnh Bến Tre)": only the province matters here."""
    text = province_phrase(place.province)
    if place.old_province and place.old_province != place.province:
        return f"{text} (trước đây {province_phrase(place.old_province)})"
    return text


def office(where: dict[str, Any], place: Place | None) -> str:
    """The office to go to, as a phrase that ends without a full stop."""
    agency = (where.get("agency") or "").strip() or "cơ quan có thẩm quyền"
    level = where.get("unit_level")
    authority = where.get("authority")
    if place is None or level == "central":
        return agency
    if level == "commune":
        if not place.ward:
            head = "Công an" if authority == "police" else "UBND"
            return f"{head} xã/phường nơi bạn cư trú tại {_province_with_history(place)}"
        if authority == "police":
            return f"Công an {_ward_with_history(place)}"
        if authority == "people_committee":
            return f"UBND {_ward_with_history(place)}"
        if _COMMUNE.search(agency):
            return _COMMUNE.sub(_ward_with_history(place), agency, count=1)
        return f"{agency} – {_ward_with_history(place)}"
    if level == "province":
        if _PROVINCE.search(agency):
            return _PROVINCE.sub(_province_with_history(place), agency, count=1)
        if authority == "police":
            return f"{agency} ({_province_with_history(place)})"
        return f"Trung tâm Phục vụ hành chính công {_province_with_history(place)} (cơ quan giải quyết: {agency})"
    return agency


def where_lines(where: dict[str, Any], place: Place | None) -> list[str]:
    """The "Nơi nộp" sentence, the derived mark, and a request for the address when it would help."""
    lines = [f"Nơi nộp: {office(where, place)}."]
    if where.get("derived") and place is None:
        lines.append(f"({DERIVED_NOTE}.)")
    elif where.get("derived"):
        lines.append(f"({DERIVED_NOTE} và địa chỉ bạn cho.)")
    if place is None and where.get("unit_level") in ("commune", "province"):
        lines.append(ASK_PLACE)
    return lines
