"""Procedure briefs in the shape :mod:`portal.catalog.brief` builds, written from the catalog records
of three common procedures, for tests of the reply composer."""

from __future__ import annotations

from typing import Any

SOURCE_DATE = "2026-06-30"


def _doc(name: str, form: str | None = None, originals: int = 1, copies: int = 0) -> dict[str, Any]:
    return {"name": name, "form": form, "originals": originals, "copies": copies}


BIRTH: dict[str, Any] = {
    "name": "Đăng ký khai sinh",
    "documents": {
        "submit": [
            _doc("Tờ khai đăng ký khai sinh", "Mẫu tờ khai đăng ký khai sinh"),
            _doc("Giấy chứng sinh; không có thì văn bản của người làm chứng xác nhận về việc sinh"),
        ],
        "show": [
            _doc("Hộ chiếu, căn cước hoặc giấy tờ có ảnh chứng minh nhân thân của người yêu cầu"),
            _doc("Giấy tờ chứng minh nơi cư trú, khi cơ quan đăng ký không khai thác được thông tin cư trú"),
        ],
        "cases": [
            {"title": "Trẻ em bị bỏ rơi", "documents": [_doc("Biên bản về việc trẻ bị bỏ rơi")]},
            {"title": "Trẻ em sinh ra do mang thai hộ", "documents": [_doc("Văn bản xác nhận của cơ sở y tế")]},
            {"title": "Ủy quyền đăng ký khai sinh", "documents": [_doc("Văn bản ủy quyền được chứng thực")]},
            {"title": "Đã nộp bản điện tử Giấy chứng sinh", "documents": []},
        ],
        "notes": ["Trẻ em phải được đăng ký khai sinh trong 60 ngày kể từ ngày sinh."],
    },
    "fees": [
        {"channel": "in_person", "amount": 0, "text": "Miễn phí", "derived": False, "by_province": False},
        {"channel": "online", "amount": 0, "text": "Miễn phí", "derived": False, "by_province": False},
        {"channel": "post", "amount": 0, "text": "Miễn phí", "derived": False, "by_province": False},
    ],
    "times": [
        {"channel": "in_person", "text": "1 ngày làm việc", "value": 1.0, "unit": "working_day"},
        {"channel": "online", "text": "1 ngày làm việc", "value": 1.0, "unit": "working_day"},
    ],
    "where": {
        "agency": "Ủy ban nhân dân cấp xã",
        "authority": "people_committee",
        "unit_level": "commune",
        "derived": True,
    },
    "steps": [
        "Người yêu cầu nộp hồ sơ tại Trung tâm Phục vụ hành chính công hoặc trên Cổng Dịch vụ công quốc gia.",
        "Cán bộ tiếp nhận kiểm tra hồ sơ; hồ sơ đầy đủ, hợp lệ thì tiếp nhận và hẹn ngày trả kết quả.",
        "Công chức tư pháp - hộ tịch ghi vào Sổ hộ tịch và trình lãnh đạo Ủy ban nhân dân cấp xã ký Giấy khai sinh.",
    ],
    "online": {"available": True, "url": "https://dichvucong.gov.vn/p/home/dvc-dich-vu-cong-truc-tuyen.html"},
    "source": {
        "url": "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bfd-3fe0-70ac-b9d6-5e9e20d6eef7",
        "data_date": SOURCE_DATE,
    },
    "corrected_by_staff": False,
}

RESIDENCE: dict[str, Any] = {
    "name": "Đăng ký thường trú",
    "documents": {
        "submit": [
            _doc("Tờ khai thay đổi thông tin cư trú", "Mẫu CT01"),
            _doc("Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp"),
            _doc("Văn bản đồng ý cho đăng ký thường trú của chủ hộ, chủ sở hữu chỗ ở hợp pháp"),
        ]
        + [_doc(f"Giấy tờ chứng minh quan hệ nhân thân số {number}") for number in range(1, 12)],
        "show": [],
        "cases": [
            {"title": "Đăng ký thường trú tại phương tiện", "documents": [_doc("Giấy chứng nhận đăng ký phương tiện")]},
            {"title": "Đăng ký thường trú tại cơ sở tín ngưỡng", "documents": [_doc("Văn bản xác nhận của cơ sở")]},
            {"title": "Người chưa thành niên", "documents": [_doc("Văn bản đồng ý của cha, mẹ hoặc người giám hộ")]},
            {"title": "Đăng ký thường trú tại cơ sở trợ giúp xã hội", "documents": [_doc("Văn bản đề nghị")]},
            {"title": "Đăng ký thường trú theo diện nhận nuôi", "documents": [_doc("Quyết định nhận nuôi")]},
        ],
        "notes": [],
    },
    "fees": [
        {"channel": "in_person", "amount": 20000, "text": "20.000 đồng", "derived": False, "by_province": True},
        {"channel": "online", "amount": 10000, "text": "10.000 đồng", "derived": False, "by_province": True},
    ],
    "times": [{"channel": "in_person", "text": "7 ngày làm việc", "value": 7.0, "unit": "working_day"}],
    "where": {"agency": "Công an cấp xã", "authority": "police", "unit_level": "commune", "derived": False},
    "steps": ["Người đăng ký nộp hồ sơ tại Công an cấp xã nơi cư trú."],
    "online": {"available": True, "url": None},
    "source": {"url": "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/residence", "data_date": SOURCE_DATE},
    "corrected_by_staff": False,
}

LICENCE: dict[str, Any] = {
    "name": "Cấp lại giấy phép lái xe",
    "documents": {
        "submit": [_doc("Đơn đề nghị đổi, cấp lại giấy phép lái xe", "Mẫu quy định tại Phụ lục")],
        "show": [],
        "cases": [],
        "notes": [],
    },
    "fees": [
        {
            "channel": "in_person",
            "amount": 135000,
            "text": "135.000 đồng/lần cấp",
            "derived": True,
            "by_province": False,
        },
        {
            "channel": "online",
            "amount": 115000,
            "text": "115.000 đồng/lần cấp khi nộp trực tuyến",
            "derived": True,
            "by_province": False,
        },
    ],
    "times": [{"channel": "in_person", "text": "5 ngày làm việc", "value": 5.0, "unit": "working_day"}],
    "where": {
        "agency": "Sở Xây dựng",
        "authority": "admin_center",
        "unit_level": "province",
        "derived": False,
    },
    "steps": [],
    "online": {"available": False, "url": None},
    "source": {"url": "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/licence", "data_date": SOURCE_DATE},
    "corrected_by_staff": True,
}
