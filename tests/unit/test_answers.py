"""Answer texts: exactly the aspect asked, phone-sized, always with source and data date."""

from __future__ import annotations

from actions.answers import (
    MAX_DOCUMENTS_SHOWN,
    answer_agency,
    answer_documents,
    answer_fee,
    answer_online,
    answer_overview,
    answer_processing_time,
    answer_steps,
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


def test_steps_are_numbered_and_summarized() -> None:
    procedure = {
        **RESIDENCE,
        "steps": [{"title": f"Bước {i}: " + "chuẩn bị " * 40, "description": ""} for i in range(1, 8)],
    }
    text = answer_steps(procedure)
    assert text.startswith("Các bước thực hiện thủ tục «Đăng ký thường trú»:")
    assert "1. Bước 1" in text and "5. Bước 5" in text and "6. Bước 6" not in text
    assert "… và 2 bước nữa" in text
    assert max(len(line) for line in text.splitlines() if line[:1].isdigit()) <= 165
    assert "Nguồn: Cổng Dịch vụ công quốc gia" in text


def test_online_answer_gives_the_link_time_and_fee() -> None:
    text = answer_online({**RESIDENCE, "online_filing": True, "online_url": ""})
    assert (
        "nộp trực tuyến được trên Cổng Dịch vụ công quốc gia: https://dichvucong.gov.vn/thu-tuc-hanh-chinh/abc" in text
    )
    assert "Nộp trực tuyến: 7 ngày làm việc; lệ phí 10.000đ." in text


def test_offline_only_procedure_says_so_and_how_to_file() -> None:
    procedure = {**RESIDENCE, "online_filing": False, "channels": [RESIDENCE["channels"][0]]}
    text = answer_online(procedure)
    assert "hiện chưa nộp trực tuyến được" in text and "trực tiếp" in text
    assert "Nộp trực tuyến tại" not in answer_fee(procedure)


def test_fee_answer_adds_the_online_link() -> None:
    text = answer_fee({**RESIDENCE, "online_filing": True})
    assert "• Trực tiếp: 20.000đ" in text and "• Trực tuyến: 10.000đ" in text
    assert "Nộp trực tuyến tại: https://dichvucong.gov.vn/" in text
