"""Unit tests of the catalog cell parsers on literal cells copied from real records of the snapshot."""

from __future__ import annotations

import pytest

from portal.catalog.parser import (
    parse_channels,
    parse_documents,
    parse_legal_basis,
    parse_result,
    parse_steps,
    split_template,
)
from portal.catalog.text import clean_text

HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"

# 1.004222 Đăng ký thường trú (fee notes shortened).
RESIDENCE = (
    HEADER + "Trực tuyến7 Ngày làm việc10,000 Việt Nam Đồng(Trường hợp công dân nộp hồ sơ qua cổng dịch vụ công "
    "trực tuyến thu 10.000 đồng/lần đăng ký.)Trực tiếp7 Ngày làm việc20,000 Việt Nam Đồng(Trường hợp công dân "
    "thuộc diện được miễn phí theo quy định tại Điều 4 Thông tư số 75/2022/TT-BTC)"
)
# 1.001193 Đăng ký khai sinh: bare times.
BIRTH = HEADER + "Trực tuyến1Miễn phíDịch vụ bưu chính1Miễn phíTrực tiếp1Miễn phí"
# 1.013226 giấy phép xây dựng: fee set by the provincial council.
BUILDING = (
    HEADER + "Trực tuyến20 NgàyMiễn phí(Theo quy định của Hội đồng nhân dân cấp tỉnh)Dịch vụ bưu chính20 Ngày"
    "Miễn phí(Theo quy định của Hội đồng nhân dân cấp tỉnh)Trực tiếp20 NgàyMiễn phí(Theo quy định của Hội đồng "
    "nhân dân cấp tỉnh)"
)


def test_channels_fixed_fees_per_channel() -> None:
    """Each channel keeps its own time and fee: 1.004222 is 10.000đ online, 20.000đ in person."""
    online, in_person = parse_channels(RESIDENCE)
    assert (online["channel"], online["time_value"], online["time_unit"], online["fee_amount"]) == (
        "online",
        7.0,
        "working_day",
        10000,
    )
    assert (in_person["channel"], in_person["fee_amount"]) == ("in_person", 20000)
    assert in_person["fee_text"].startswith("20,000 Việt Nam Đồng (Trường hợp công dân")
    assert in_person["description"] == ""


def test_bare_time_means_working_days_and_free_is_zero() -> None:
    """A bare "1" is one working day (portal convention) and "Miễn phí" is amount 0."""
    rows = parse_channels(BIRTH)
    assert [r["channel"] for r in rows] == ["online", "post", "in_person"]
    assert all((r["time_value"], r["time_unit"], r["time_text"]) == (1.0, "working_day", "1") for r in rows)
    assert all(r["fee_amount"] == 0 and r["fee_text"] == "Miễn phí" for r in rows)


def test_hours_and_plain_days() -> None:
    """Hours (1.008615 "8 Giờ") and calendar days ("20 Ngày") keep their own units."""
    (row,) = parse_channels(HEADER + "Trực tiếp8 GiờMiễn phí")
    assert (row["time_value"], row["time_unit"], row["time_text"]) == (8.0, "hour", "8 Giờ")
    assert parse_channels(BUILDING)[0]["time_unit"] == "day"


def test_same_day_wording() -> None:
    """ "Trong ngày" (same day) is understood even though the 2026 snapshot writes bare numbers."""
    (row,) = parse_channels(HEADER + "Trực tiếpTrong ngàyMiễn phí")
    assert (row["time_value"], row["time_unit"], row["time_text"]) == (0.0, "same_day", "Trong ngày")


def test_provincial_fee_has_no_fixed_amount() -> None:
    """A fee "theo quy định của HĐND cấp tỉnh" differs by province: amount None, flagged provincial."""
    rows = parse_channels(BUILDING)
    assert len(rows) == 3
    assert all(r["fee_amount"] is None and r["fee_flag"] == "provincial" for r in rows)
    assert "Hội đồng nhân dân cấp tỉnh" in rows[0]["fee_text"]


def test_free_cell_contradicted_by_its_note_is_not_reported_as_free() -> None:
    """3.000347: "Miễn phí" beside "Lệ phí ... 135.000 đồng/lần" must not be answered as free."""
    cell = (
        HEADER + "Trực tuyến5 Ngày làm việcMiễn phí(- Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần.)"
        "Trực tiếp5 Ngày làm việcMiễn phí(- Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần.)"
    )
    rows = parse_channels(cell)
    assert all(r["fee_amount"] is None and r["fee_flag"] == "free_but_amount_in_text" for r in rows)


def test_free_cell_citing_a_fee_schedule_is_not_free() -> None:
    """1.013076: "Miễn phí (Thông tư ... quy định mức thu ...)" is the portal default, not a free service."""
    cell = HEADER + (
        "Trực tuyến2 Ngày làm việcMiễn phí(Thông tư số 60/2023/TT-BTC ngày 07/9/2023 của Bộ Tài chính quy định "
        "mức thu, chế độ thu, nộp, quản lý lệ phí đăng ký, cấp biển số phương tiện giao thông)"
        "Trực tiếp2 Ngày làm việcMiễn phí(Không được quy định tại Biểu phí, lệ phí đăng ký doanh nghiệp)"
    )
    cited, said_free = parse_channels(cell)
    assert (cited["fee_amount"], cited["fee_flag"]) == (None, "free_but_fee_rule_cited")
    assert (said_free["fee_amount"], said_free["fee_flag"]) == (0, "")


def test_bare_time_glued_to_amount_in_thousands() -> None:
    """1.000014: "120 VNĐ(20.000 vnđ /tờ khai)" is 1 working day and 20.000đ, not 120 days."""
    cell = HEADER + "Trực tuyến120 VNĐ(20.000 vnđ /tờ khai)Trực tiếp120 VNĐ(20.000 vnđ /tờ khai)"
    for row in parse_channels(cell):
        assert (row["time_value"], row["time_unit"]) == (1.0, "working_day")
        assert row["fee_amount"] == 20000


def test_channel_word_inside_description_does_not_start_a_row() -> None:
    """1.014061: "- Trực tiếp tại ..." in a description is prose, not a third channel."""
    cell = (
        HEADER + "Trực tiếp7 Ngày làm việcKhông có thông tin- Trực tiếp tại địa điểm tiếp dân của Công an cấp xã."
        "Trực tuyến7 Ngày làm việcKhông có thông tin- Thông qua Cổng dịch vụ công quốc gia."
    )
    rows = parse_channels(cell)
    assert [r["channel"] for r in rows] == ["in_person", "online"]
    assert rows[0]["fee_amount"] is None and rows[0]["fee_text"] == ""
    assert rows[0]["description"].startswith("- Trực tiếp tại địa điểm")


def test_foreign_currency_fee_is_not_a_vnd_amount() -> None:
    """USD fees keep their text but no VND amount."""
    (row,) = parse_channels(HEADER + "Trực tiếp5 Ngày làm việc25 USD(25 USD/thẻ)")
    assert row["fee_amount"] is None and row["fee_flag"] == "foreign_currency"
    assert row["fee_text"] == "25 USD (25 USD/thẻ)"


def test_sentence_in_time_column_still_yields_rows() -> None:
    """1.007689 (tax): the time cell is a sentence; rows are still found and the sentence kept as time text."""
    cell = HEADER + (
        "Trực tuyếnKhông phải trả kết quả cho người nộp thuếMiễn phíBằng phương thức điện tử qua Cổng dịch vụ công."
        "Trực tiếpKhông phải trả kết quả cho người nộp thuếMiễn phíNộp hồ sơ trực tiếp tại Trung tâm hành chính."
    )
    online, in_person = parse_channels(cell)
    assert (online["channel"], in_person["channel"]) == ("online", "in_person")
    assert online["time_text"] == "Không phải trả kết quả cho người nộp thuế" and online["time_value"] is None
    assert online["fee_amount"] == 0
    assert in_person["description"] == "Nộp hồ sơ trực tiếp tại Trung tâm hành chính."


@pytest.mark.parametrize("cell", ["", "Không có thông tin", HEADER])
def test_empty_channel_cells(cell: str) -> None:
    """Blank cells parse to no rows instead of raising."""
    assert parse_channels(cell) == []


def test_documents_with_cases_templates_and_copies() -> None:
    """1.008910: numbered case headers, a glued form file, and one original per document."""
    cell = (
        "1. Trường hợp thay đổi tên gọi:Tên giấy tờMẫu đơn, tờ khaiSố lượngGiấy đề nghị thay đổi theo mẫu do Bộ "
        "Tư pháp ban hànhMẫu TP-HGTM-07.docx1 bản chính2. Trường hợp thay đổi địa điểm trụ sở:Tên giấy tờMẫu đơn, "
        "tờ khaiSố lượngThông báo chuyển địa điểm trụ sở1 bản chínhGiấy đề nghị thành lập1 bản chính"
    )
    first, second = parse_documents(cell)
    assert first["title"] == "1. Trường hợp thay đổi tên gọi:"
    assert first["documents"] == [
        {
            "name": "Giấy đề nghị thay đổi theo mẫu do Bộ Tư pháp ban hành",
            "template": "Mẫu TP-HGTM-07.docx",
            "originals": 1,
            "copies": 0,
            "quantity_text": "1 bản chính",
        }
    ]
    assert second["title"] == "2. Trường hợp thay đổi địa điểm trụ sở:"
    assert [d["name"] for d in second["documents"]] == ["Thông báo chuyển địa điểm trụ sở", "Giấy đề nghị thành lập"]


def test_documents_copies_only_and_untitled_case() -> None:
    """3.000251: "0 bản chính,1 bản sao" is one copy; "--" before the header means no case title."""
    cell = (
        "--Tên giấy tờMẫu đơn, tờ khaiSố lượng- Bản sao Quyết định thu hồi chứng nhận đăng ký xe.0 bản chính,"
        "1 bản sao- Giấy đề nghị trả lại phí sử dụng đường bộ.1 bản chính"
    )
    (case,) = parse_documents(cell)
    assert case["title"] == ""
    assert [(d["originals"], d["copies"]) for d in case["documents"]] == [(0, 1), (1, 0)]


def test_year_glued_to_quantity_is_not_a_quantity() -> None:
    """ "ngày 24/7/20231 bản chính" is a date followed by "1 bản chính", not 20231 originals."""
    cell = "--Tên giấy tờMẫu đơn, tờ khaiSố lượngDanh sách theo Nghị định số 56/2023/NĐ-CP ngày 24/7/20231 bản chính"
    (case,) = parse_documents(cell)
    assert case["documents"][0]["name"].endswith("ngày 24/7/2023")
    assert case["documents"][0]["originals"] == 1


def test_template_file_name_split_from_document_name() -> None:
    """1.014061: the form file glued after a closing bracket becomes the template."""
    name, template = split_template(
        "Phiếu thu thập thông tin dân cư (mẫu DC01 của Bộ Công an)Mẫu DC01 Phiếu thu thập thông tin dân cư.docx"
    )
    assert name == "Phiếu thu thập thông tin dân cư (mẫu DC01 của Bộ Công an)"
    assert template == "Mẫu DC01 Phiếu thu thập thông tin dân cư.docx"
    assert split_template("Đơn khiếu nại") == ("Đơn khiếu nại", "")


def test_legal_basis_pairs_titles_with_numbers() -> None:
    """1.000178: numbers glued to titles, a year glued to a number ("năm 201102/2011/QH13")."""
    cell = (
        "Tên văn bản pháp lýMã văn bảnHướng dẫn xử lý khiếu nại68/2013/TT-BCALuật Khiếu nại  năm 201102/2011/QH13"
        "Nghị định 05/2012/NĐ-CP05/2012/NĐ-CP"
    )
    assert parse_legal_basis(cell) == [
        {"title": "Hướng dẫn xử lý khiếu nại", "number": "68/2013/TT-BCA"},
        {"title": "Luật Khiếu nại năm 2011", "number": "02/2011/QH13"},
        {"title": "Nghị định 05/2012/NĐ-CP", "number": "05/2012/NĐ-CP"},
    ]


def test_legal_basis_number_inside_title_is_not_a_column() -> None:
    """3.000333: "Luật 28/2009/QH12" + "28/2009/QH12"; a number followed by " ngày" stays in the title."""
    assert parse_legal_basis("Tên văn bản pháp lýMã văn bảnLuật 28/2009/QH1228/2009/QH12") == [
        {"title": "Luật 28/2009/QH12", "number": "28/2009/QH12"}
    ]
    rows = parse_legal_basis(
        "Tên văn bản pháp lýMã văn bảnThông tư số 79/2024/TT-BCA ngày 15/11/2024 quy định về đăng ký xe.79/2024/TT-BCA"
    )
    assert rows == [
        {"title": "Thông tư số 79/2024/TT-BCA ngày 15/11/2024 quy định về đăng ký xe.", "number": "79/2024/TT-BCA"}
    ]
    assert parse_legal_basis("Không có thông tin") == []


def test_steps_split_on_buoc_markers() -> None:
    """1.000178: "Bước N:" starts a step; a short first line is the step title."""
    text = (
        "Bước 1: Thụ lý giải quyết khiếu nại\n\nNgười khiếu nại gửi đơn.\nBước 2: Xác minh nội dung khiếu nại\n"
        "Thủ trưởng cơ quan có thẩm quyền xác minh."
    )
    steps, style = parse_steps(text)
    assert style == "buoc"
    assert steps == [
        {"title": "Thụ lý giải quyết khiếu nại", "description": "Người khiếu nại gửi đơn."},
        {"title": "Xác minh nội dung khiếu nại", "description": "Thủ trưởng cơ quan có thẩm quyền xác minh."},
    ]


def test_steps_fall_back_to_lettered_list_then_whole_text() -> None:
    """Without "Bước", a) b) items are steps; plain prose is kept whole as one step."""
    steps, style = parse_steps("a) Nộp hồ sơ: gửi 01 bộ hồ sơ.\nb) Giải quyết: cấp giấy chứng nhận.")
    assert style == "list" and [s["title"] for s in steps] == [
        "Nộp hồ sơ: gửi 01 bộ hồ sơ.",
        "Giải quyết: cấp giấy chứng nhận.",
    ]
    steps, style = parse_steps("Sở Tư pháp cấp Giấy đăng ký hoạt động trong 07 ngày làm việc.")
    assert style == "text" and steps == [
        {"title": "", "description": "Sở Tư pháp cấp Giấy đăng ký hoạt động trong 07 ngày làm việc."}
    ]


def test_result_items_codes_and_page_chrome() -> None:
    """3.000333: two result documents with their KQ codes; the page's agency picker is dropped."""
    cell = (
        "Phiếu Lý lịch tư pháp số 2 (Cấp tỉnh)Mã: KQ.G01.000199Phiếu Lý lịch tư pháp số 1 (Cấp tỉnh)Mã: "
        "KQ.G01.000200Từ khóaKhông có thông tinMô tảKhông có thông tinChọn cơ quan thực hiệnTỉnh/ Thành phốNộp hồ sơ"
    )
    assert parse_result(cell) == {
        "items": [
            {"name": "Phiếu Lý lịch tư pháp số 2 (Cấp tỉnh)", "code": "KQ.G01.000199"},
            {"name": "Phiếu Lý lịch tư pháp số 1 (Cấp tỉnh)", "code": "KQ.G01.000200"},
        ],
        "keywords": "",
        "description": "",
    }


def test_clean_text_keeps_glued_words_intact() -> None:
    """Normalizing glued cells must not move tone marks across words ("NgàyKhông" -> "NgaỳKhông")."""
    assert clean_text("Trực tiếp15 NgàyKhông có thông tinTối đa") == "Trực tiếp15 NgàyKhông có thông tinTối đa"
    assert clean_text("68/2013/TT-BCALuật Khiếu nại") == "68/2013/TT-BCALuật Khiếu nại"
    assert clean_text("hoà giải, uỷ quyền") == "hòa giải, ủy quyền"
