"""Answer texts: exactly the aspect asked, phone-sized, always with source and data date."""

from __future__ import annotations

from actions.answers import (
    MAX_DOCUMENTS_SHOWN,
    answer_agency,
    answer_documents,
    answer_fee,
    answer_overview,
    answer_processing_time,
    format_vnd,
)

RESIDENCE = {
    "code": "1.004222",
    "name": "Đăng ký thường trú",
    "level": "Cấp xã",
    "agencies": "Công an cấp xã",
    "source_url": "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/abc",
    "data_date": "2026-06-30",
    "channels": [
        {"channel": "in_person", "time_value": 7, "time_unit": "working_day", "fee_amount": 20000, "fee_text": ""},
        {"channel": "online", "time_value": 7, "time_unit": "working_day", "fee_amount": 10000, "fee_text": ""},
    ],
    "cases": [
        {
            "title": "",
            "documents": [
                {"name": f"Giấy tờ số {i}", "template": "", "originals": 1, "copies": 0} for i in range(1, 10)
            ],
        }
    ],
}


def test_vnd_formatting() -> None:
    """Amounts read the Vietnamese way: dots as thousands separators, 0 is free."""
    assert format_vnd(20000) == "20.000đ"
    assert format_vnd(1350000) == "1.350.000đ"
    assert format_vnd(0) == "miễn phí"


def test_fee_is_given_per_channel() -> None:
    """Online and in-person fees differ; the answer names both."""
    text = answer_fee(RESIDENCE)
    assert "• Trực tiếp: 20.000đ" in text
    assert "• Trực tuyến: 10.000đ" in text


def test_every_answer_cites_source_and_date() -> None:
    """Procedure answers cite Cổng Dịch vụ công quốc gia, the detail link and the data date."""
    for answer in (answer_fee, answer_documents, answer_processing_time, answer_agency, answer_overview):
        text = answer(RESIDENCE)
        assert "Nguồn: Cổng Dịch vụ công quốc gia – https://dichvucong.gov.vn/thu-tuc-hanh-chinh/abc" in text
        assert "dữ liệu ngày 30/06/2026" in text


def test_long_document_lists_are_summarized() -> None:
    """A phone screen shows the first documents and points to the full list."""
    text = answer_documents(RESIDENCE)
    assert text.count("• ") == MAX_DOCUMENTS_SHOWN
    assert "… và 3 giấy tờ khác" in text
    assert "(1 bản chính)" in text


def test_processing_time_reads_naturally() -> None:
    """Numbers and units come out as Vietnamese ("7 ngày làm việc")."""
    assert "• Trực tiếp: 7 ngày làm việc" in answer_processing_time(RESIDENCE)


def test_missing_parts_do_not_crash() -> None:
    """A procedure with no channels or documents still gets a polite, sourced answer."""
    bare = {"code": "9.999999", "name": "Thủ tục X", "source_url": "", "data_date": ""}
    for answer in (answer_fee, answer_documents, answer_processing_time, answer_agency, answer_overview):
        assert "Thủ tục X" in answer(bare)
