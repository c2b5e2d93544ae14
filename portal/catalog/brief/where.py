"""Where to file: the record's agency, or one derived from the level and field when it has none.

Many records say "Không có thông tin" for the handling agency (khai sinh, xác nhận tình trạng hôn
nhân, hộ kinh doanh); since 01/7/2025 the level (cấp xã / cấp tỉnh / cấp bộ) and the field still
say who handles them: hộ tịch at commune level is the commune People's Committee, residence and
identity cards are the police, province-level procedures go through the province's public
administration centre.
"""

from __future__ import annotations

import re
from typing import Any

_LEVELS = (("Cấp xã", "commune"), ("Cấp tỉnh", "province"), ("Cấp bộ", "central"))
_POLICE_FIELDS = re.compile(
    r"cư trú|căn cước|xuất nhập cảnh|xuất cảnh|giấy phép lái xe|đăng ký, quản lý phương tiện|vũ khí|phòng cháy"
    r"|con dấu|lý lịch tư pháp",
    re.IGNORECASE,
)
_MINISTRIES = {
    "bo-cong-an": "Bộ Công an",
    "bo-nong-nghiep-mt": "Bộ Nông nghiệp và Môi trường",
    "bo-tai-chinh": "Bộ Tài chính",
    "bo-tu-phap": "Bộ Tư pháp",
    "bo-xay-dung": "Bộ Xây dựng",
    "ngan-hang-nha-nuoc": "Ngân hàng Nhà nước Việt Nam",
    "toa-an-nhan-dan": "Tòa án nhân dân",
}
_PEOPLE_COMMITTEE_ANY = re.compile(
    r"^Ủy ban nhân dân (?:xã, phường, thị trấn|cấp xã|xã, phường, đặc khu|xã, phường)\.?$"
)


def build_where(data: dict[str, Any]) -> dict[str, Any]:
    """``{"agency", "authority", "unit_level", "derived"}`` for one procedure."""
    agency = normalize_agency(data.get("agencies", ""))
    level = unit_level(f"{data.get('level', '')} {_agency_level(agency)}")
    derived = not agency
    if derived:
        agency = derive_agency(level, data.get("field", ""), data.get("ministry", ""))
    return {"agency": agency, "authority": authority(agency), "unit_level": level, "derived": derived}


def unit_level(level: str) -> str:
    """The lowest level a citizen files at: commune before province before central."""
    for label, value in _LEVELS:
        if label.lower() in level.lower():
            return value
    return "central"


def _agency_level(agency: str) -> str:
    """The level the agency names itself at ("Công an cấp xã" files at the commune, "Công an tỉnh" at the province)."""
    low = agency.lower()
    if "cấp xã" in low or "xã, phường" in low:
        return "Cấp xã"
    if "tỉnh" in low or low.startswith("sở ") or ", sở " in low:
        return "Cấp tỉnh"
    return ""


def normalize_agency(text: str) -> str:
    """Readable agency: no trailing dot, "cấp Xã" -> "cấp xã", the old commune list -> "cấp xã"."""
    text = " ".join((text or "").split()).rstrip(" .;")
    if not text:
        return ""
    text = re.sub(r"\bcấp (Xã|Tỉnh|Huyện|Bộ)\b", lambda m: f"cấp {m.group(1).lower()}", text)
    text = re.sub(r"Ủy ban Nhân dân", "Ủy ban nhân dân", text)
    if _PEOPLE_COMMITTEE_ANY.match(text):
        return "Ủy ban nhân dân cấp xã"
    return text


def derive_agency(level: str, field: str, ministry: str) -> str:
    """The agency a record without one implies, from its level, field and ministry."""
    police = ministry == "bo-cong-an" or bool(_POLICE_FIELDS.search(field))
    if field.strip().lower().startswith("thuế"):
        return "Cơ quan thuế quản lý"
    if level == "commune":
        return "Công an cấp xã" if police else "Ủy ban nhân dân cấp xã"
    if level == "province":
        return "Công an tỉnh" if police else "Trung tâm Phục vụ hành chính công tỉnh"
    return _MINISTRIES.get(ministry, "Cơ quan trung ương có thẩm quyền")


def authority(agency: str) -> str:
    """Which kind of office: people_committee, police, admin_center or other."""
    low = agency.lower()
    if "phục vụ hành chính công" in low or "một cửa" in low:
        return "admin_center"
    if low.startswith("công an") or "cảnh sát" in low or low.startswith("bộ công an"):
        return "police"
    if "ủy ban nhân dân" in low or "ubnd" in low:
        return "people_committee"
    return "other"
