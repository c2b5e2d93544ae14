"""Answer sections and the fallback brief a portal without briefs gets from its detail fields."""

from __future__ import annotations

from actions.answers import document_line, format_date, format_vnd, whole_sentences
from actions.brief import brief_from_detail, display_name, procedure_brief
from actions.replies import compose
from tests.actions.brief_fixtures import BIRTH

RESIDENCE_DETAIL = {
    "code": "1.004222",
    "name": "Thủ tục đăng ký thường trú.",
    "level": "Cấp xã",
    "field": "Đăng ký và quản lý cư trú",
    "agencies": "Công an cấp xã",
    "source_url": "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/abc",
    "data_date": "2026-06-30",
    "online_filing": True,
    "online_url": "",
    "channels": [
        {"channel": "in_person", "time_value": 7, "time_unit": "working_day", "fee_amount": 20000, "fee_text": ""},
        {
            "channel": "online",
            "time_value": 7,
            "time_unit": "working_day",
            "fee_amount": None,
            "fee_text": "10,000 Việt Nam Đồng (- Mức thu theo Thông tư 75/2022/TT-BTC, giảm 50% khi nộp trực tuyến.)",
        },
    ],
    "cases": [
        {
            "title": "* Giấy tờ phải nộp:",
            "documents": [
                {"name": "- Trường hợp ủy quyền thì nộp văn bản ủy quyền", "template": "", "originals": 1, "copies": 0},
                {"name": "- Giấy tờ chứng minh chỗ ở hợp pháp", "template": "", "originals": 1, "copies": 0},
                {"name": "+ Tờ khai thay đổi thông tin cư trú", "template": "CT01", "originals": 1, "copies": 0},
            ],
        },
        {
            "title": "* Giấy tờ phải xuất trình:",
            "documents": [
                {"name": "- Thẻ căn cước", "template": "", "originals": 1, "copies": 0},
            ],
        },
        {
            "title": "Đăng ký thường trú tại phương tiện",
            "documents": [
                {"name": "Giấy chứng nhận đăng ký phương tiện", "template": "", "originals": 0, "copies": 1},
            ],
        },
        {"title": "* Lưu ý:", "documents": [{"name": "Lưu ý: hồ sơ nộp một bộ", "template": "", "originals": 0}]},
    ],
    "steps": [
        {"title": "Cơ quan tiếp nhận hồ sơ thực hiện:", "description": ""},
        {"title": "", "description": "Công dân nộp hồ sơ tại Công an cấp xã."},
    ],
}


def test_vnd_and_dates_read_the_vietnamese_way() -> None:
    """Dots as thousands separators, 0 is free, dates day/month/year."""
    assert format_vnd(20000) == "20.000 đồng"
    assert format_vnd(0) == "miễn phí"
    assert format_date("2026-06-30") == "30/06/2026"


def test_names_lose_the_leading_thu_tuc_and_the_trailing_dot() -> None:
    """No "Thủ tục «Thủ tục …»" anywhere: the display name has no leading "Thủ tục "."""
    assert display_name("Thủ tục đăng ký khai sinh.") == "Đăng ký khai sinh"


def test_the_portals_brief_is_used_when_served() -> None:
    """A detail with a brief is answered from the brief, not from the raw fields."""
    assert procedure_brief({**RESIDENCE_DETAIL, "brief": BIRTH}) is BIRTH


def test_fallback_brief_orders_forms_first_and_keeps_conditions_apart() -> None:
    """Without a brief: forms first, "xuất trình" apart, conditional items and titled situations out
    of the ordinary list, "Lưu ý" as notes, headings without content dropped from the steps."""
    brief = brief_from_detail(RESIDENCE_DETAIL)
    assert brief["name"] == "Đăng ký thường trú"
    submit = [document["name"] for document in brief["documents"]["submit"]]
    assert submit == ["Tờ khai thay đổi thông tin cư trú", "Giấy tờ chứng minh chỗ ở hợp pháp"]
    assert [document["name"] for document in brief["documents"]["show"]] == ["Thẻ căn cước"]
    assert [case["title"] for case in brief["documents"]["cases"]] == ["Đăng ký thường trú tại phương tiện"]
    assert brief["documents"]["notes"] == ["Lưu ý: hồ sơ nộp một bộ"]
    assert brief["steps"] == ["Công dân nộp hồ sơ tại Công an cấp xã"]
    assert brief["where"] == {
        "agency": "Công an cấp xã",
        "authority": "police",
        "unit_level": "commune",
        "derived": False,
    }


def test_fallback_fee_is_the_amount_without_the_legal_note() -> None:
    """A fee cell with its legal note becomes the amount; the note stays on the portal page."""
    fees = {fee["channel"]: fee["text"] for fee in brief_from_detail(RESIDENCE_DETAIL)["fees"]}
    assert fees == {"in_person": "20.000 đồng", "online": "10.000 đồng"}


def test_a_record_without_agency_gets_a_derived_one() -> None:
    """ "Không có thông tin" in the agency: derived from level and field, and marked."""
    detail = {**RESIDENCE_DETAIL, "agencies": "Không có thông tin", "field": "Hộ tịch"}
    assert brief_from_detail(detail)["where"] == {
        "agency": "Ủy ban nhân dân cấp xã",
        "authority": "people_committee",
        "unit_level": "commune",
        "derived": True,
    }


def test_fallback_reply_follows_the_same_rules() -> None:
    """The composer on a fallback brief: one source line, no raw URL, no "• -"."""
    reply = compose(brief_from_detail(RESIDENCE_DETAIL), "1.004222", ["documents", "fee"])
    assert reply.text.count("Nguồn:") == 1 and "http" not in reply.text and "• -" not in reply.text
    assert "• Tờ khai thay đổi thông tin cư trú (mẫu CT01; bản chính)" in reply.text


def test_long_items_keep_whole_sentences() -> None:
    """An over-long item keeps its first whole sentences, never half of one."""
    text = "Câu thứ nhất khá dài " + "rất " * 30 + "dài. Câu thứ hai " + "nữa " * 40 + "hết."
    shortened = whole_sentences(text, limit=200)
    assert shortened.startswith("Câu thứ nhất") and shortened.endswith("dài.") and "Câu thứ hai" not in shortened
    assert document_line({"name": "Đơn đề nghị", "form": "Mẫu 01", "originals": 2, "copies": 1}) == (
        "Đơn đề nghị (mẫu 01; 2 bản chính, bản sao)"
    )
