"""Procedure briefs built from real catalog records: the ordinary-case documents chosen by content,
fees per channel (the note wins over a "Miễn phí" cell), the agency (derived when missing) and steps
as complete sentences. Each expected value was checked by hand against the record's own text."""

from __future__ import annotations

import re
from typing import Any

import pytest

from portal.catalog.brief import build_brief, display_name
from portal.catalog.brief.documents import AUTHORISATION
from portal.catalog.brief.names import short_name
from portal.catalog.brief.where import derive_agency
from portal.catalog.corrections import apply_corrections, corrections_by_code, load_corrections
from portal.catalog.importer import read_records
from portal.catalog.record import build_procedure, source_text
from tests.portal.brief_support import require_catalog

CODES = (
    "1.001193",  # khai sinh
    "1.000894",  # kết hôn
    "1.004873",  # xác nhận tình trạng hôn nhân
    "1.000656",  # khai tử
    "1.004222",  # thường trú
    "1.014061",  # cấp thẻ căn cước
    "1.014063",  # cấp đổi thẻ căn cước
    "1.014064",  # cấp lại thẻ căn cước
    "1.001612",  # hộ kinh doanh
    "3.000347",  # đổi giấy phép lái xe
    "3.000333",  # lý lịch tư pháp
    "1.001456",  # hộ chiếu
    "2.000815",  # chứng thực bản sao
    "1.013076",  # sang tên xe
    "1.012786",  # cấp lại sổ đỏ bị mất
    "1.013225",  # giấy phép xây dựng
    "2.000635",  # bản sao trích lục hộ tịch
    "2.001610",  # doanh nghiệp tư nhân
    "3.000346",  # cấp giấy phép lái xe
)


@pytest.fixture(scope="module")
def records() -> dict[str, dict[str, Any]]:
    return {r["ma_thu_tuc"]: r for r in read_records(require_catalog()) if r["ma_thu_tuc"] in CODES}


def _brief(records: dict[str, dict[str, Any]], code: str, corrected: bool = True) -> dict[str, Any]:
    """The brief as the importer builds it: parsed record, packaged corrections applied, then the brief."""
    record = records[code]
    data, _ = build_procedure(record, "2026-06-30")
    if corrected:
        apply_corrections(data, corrections_by_code(load_corrections()).get(code, []), source_text(record))
    return build_brief(data)


def _submit(brief: dict[str, Any]) -> list[str]:
    return [doc["name"] for doc in brief["documents"]["submit"]]


def _fees(brief: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {fee["channel"]: fee for fee in brief["fees"]}


def test_birth_registration_documents(records: dict) -> None:
    """Khai sinh: the declaration form and the birth certificate, not the abandoned-child case first."""
    brief = _brief(records, "1.001193")
    assert brief["name"] == "Đăng ký khai sinh"
    assert _submit(brief) == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
    assert [doc["name"] for doc in brief["documents"]["show"]] == ["Giấy tờ tùy thân"]
    cases = {case["title"]: case["documents"] for case in brief["documents"]["cases"]}
    assert [doc["name"] for doc in cases["Trẻ em bị bỏ rơi"]] == ["Biên bản về việc trẻ bị bỏ rơi"]
    assert [doc["name"] for doc in cases[AUTHORISATION]] == ["Văn bản ủy quyền"]
    assert brief["documents"]["notes"], "the Lưu ý group is kept as notes"


def test_birth_registration_where_fee_time(records: dict) -> None:
    """Khai sinh has no agency in the record: UBND cấp xã, derived; free; 1 working day on every channel."""
    brief = _brief(records, "1.001193")
    assert brief["where"] == {
        "agency": "Ủy ban nhân dân cấp xã",
        "authority": "people_committee",
        "unit_level": "commune",
        "derived": True,
    }
    assert {fee["channel"]: (fee["amount"], fee["text"]) for fee in brief["fees"]} == {
        "in_person": (0, "Miễn phí"),
        "online": (0, "Miễn phí"),
        "post": (0, "Miễn phí"),
    }
    assert {t["channel"]: (t["value"], t["unit"], t["text"]) for t in brief["times"]}["in_person"] == (
        1.0,
        "working_day",
        "1 ngày làm việc",
    )


@pytest.mark.parametrize(
    ("code", "first"),
    [
        ("1.000894", "Tờ khai đăng ký kết hôn"),
        ("1.004873", "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân"),
        ("1.000656", "Tờ khai đăng ký khai tử"),
    ],
)
def test_civil_status_declaration_form_first(records: dict, code: str, first: str) -> None:
    """Kết hôn, xác nhận tình trạng hôn nhân, khai tử: the form from the untitled last group comes first."""
    assert _submit(_brief(records, code))[0] == first


def test_death_registration_core_evidence(records: dict) -> None:
    """Khai tử: the death notice is the core evidence; the long-dead case is a named case."""
    brief = _brief(records, "1.000656")
    assert _submit(brief) == ["Tờ khai đăng ký khai tử", "Giấy báo tử hoặc giấy tờ thay Giấy báo tử"]
    titles = [case["title"] for case in brief["documents"]["cases"]]
    assert any(title.startswith("Đăng ký khai tử cho người chết đã lâu") for title in titles)
    assert brief["where"]["agency"] == "Ủy ban nhân dân cấp xã" and brief["where"]["derived"] is False


def test_marriage_status_fee_is_provincial(records: dict) -> None:
    """Xác nhận tình trạng hôn nhân: the fee is set by the HĐND tỉnh, so no single amount."""
    brief = _brief(records, "1.004873")
    for fee in brief["fees"]:
        assert fee["by_province"] is True and fee["amount"] is None
        assert "Hội đồng nhân dân tỉnh" in fee["text"]
    assert brief["where"]["derived"] is True and brief["where"]["agency"] == "Ủy ban nhân dân cấp xã"


def test_permanent_residence_ordinary_case_is_not_the_boat(records: dict) -> None:
    """Thường trú: the CT01 group is the ordinary case although the boat group comes first."""
    brief = _brief(records, "1.004222")
    submit = brief["documents"]["submit"]
    assert submit[0]["name"] == "Tờ khai thay đổi thông tin cư trú" and submit[0]["form"] == "mẫu CT01"
    assert not any("phương tiện" in doc["name"] for doc in submit)
    boat = [c for c in brief["documents"]["cases"] if any("phương tiện" in d["name"] for d in c["documents"])]
    assert len(boat) == 1
    fees = _fees(brief)
    assert (fees["in_person"]["amount"], fees["online"]["amount"]) == (20000, 10000)
    assert fees["online"]["text"] == "10.000 đồng/lần đăng ký"
    assert brief["where"]["agency"] == "Công an cấp xã" and brief["where"]["authority"] == "police"
    assert {t["text"] for t in brief["times"]} == {"7 ngày làm việc"}


def test_identity_card_forms(records: dict) -> None:
    """Căn cước: DC01/DC02 forms named with their codes, Công an cấp xã, 7 working days; đổi 50.000đ."""
    brief = _brief(records, "1.014061")
    forms = [doc["form"] for doc in brief["documents"]["submit"]]
    assert forms[:2] == ["mẫu DC01", "mẫu DC02"]
    assert brief["where"]["agency"] == "Công an cấp xã"
    assert brief["times"][0]["text"] == "7 ngày làm việc"
    assert _fees(_brief(records, "1.014063"))["in_person"]["amount"] == 50000
    assert _fees(_brief(records, "1.014064"))["in_person"]["amount"] == 70000


def test_household_business(records: dict) -> None:
    """Hộ kinh doanh: the request form first, agency derived, fee by province in one short phrase, the
    processing time from the steps when the time column is empty."""
    brief = _brief(records, "1.001612")
    assert _submit(brief)[0] == "Giấy đề nghị đăng ký hộ kinh doanh"
    assert brief["where"] == {
        "agency": "Ủy ban nhân dân cấp xã",
        "authority": "people_committee",
        "unit_level": "commune",
        "derived": True,
    }
    for fee in brief["fees"]:
        assert fee["by_province"] is True and len(fee["text"]) < 260
        assert "Thông tư" not in fee["text"]
    # The time column says "Không có thông tin"; the steps say "trong thời hạn 03 ngày làm việc".
    assert {(t["value"], t["unit"], t["text"]) for t in brief["times"]} == {(3.0, "working_day", "3 ngày làm việc")}


@pytest.mark.parametrize("corrected", [True, False])
def test_driving_licence_fee_from_the_note(records: dict, corrected: bool) -> None:
    """Đổi GPLX: the fee cell says Miễn phí, the note says 135.000 đồng: the note wins, marked derived
    (with or without the staff corrections file)."""
    for fee in _brief(records, "3.000347", corrected=corrected)["fees"]:
        assert (fee["amount"], fee["derived"]) == (135000, True)
        assert fee["text"].startswith("135.000 đồng/lần")


def test_criminal_record_fee_corrected(records: dict) -> None:
    """Lý lịch tư pháp: 200.000 đồng from the cited circular (staff correction), derived."""
    brief = _brief(records, "3.000333")
    assert {(fee["amount"], fee["derived"]) for fee in brief["fees"]} == {(200000, True)}
    assert _submit(brief)[0] == "Tờ khai yêu cầu cấp Phiếu Lý lịch tư pháp"


def test_passport_and_certified_copy_fees(records: dict) -> None:
    """Hộ chiếu: 200.000 đồng in person with the TK01 form; chứng thực: 2.000 đồng/trang."""
    passport = _brief(records, "1.001456")
    assert _fees(passport)["in_person"]["amount"] == 200000
    assert passport["documents"]["submit"][0]["form"] == "mẫu TK01"
    assert _fees(_brief(records, "2.000815"))["in_person"]["text"] == "2.000 đồng/trang"


def test_vehicle_transfer_fee_cites_the_rule(records: dict) -> None:
    """Sang tên xe: "Miễn phí" beside a fee circular is not free: no amount, the circular named."""
    for fee in _brief(records, "1.013076")["fees"]:
        assert fee["amount"] is None and "Thông tư số 60/2023/TT-BTC" in fee["text"]


def test_land_certificate_steps_have_no_empty_heading(records: dict) -> None:
    """Cấp lại sổ đỏ bị mất: "Cơ quan tiếp nhận hồ sơ thực hiện:" is joined to what it does."""
    brief = _brief(records, "1.012786")
    assert any(step.startswith("Cơ quan tiếp nhận hồ sơ thực hiện: kiểm tra") for step in brief["steps"])
    doc = brief["documents"]["submit"][0]
    assert (doc["name"], doc["form"]) == ("Đơn đăng ký biến động đất đai, tài sản gắn liền với đất", "mẫu số 18")


def test_vehicle_transfer_dossier_has_both_parts(records: dict) -> None:
    """Sang tên xe: "1. Hồ sơ thu hồi" and "2. Hồ sơ đăng ký" are parts of one dossier, not alternatives."""
    names = _submit(_brief(records, "1.013076"))
    assert names[:2] == ["Giấy khai thu hồi chứng nhận đăng ký xe, biển số xe", "Giấy khai đăng ký xe"]


def test_building_permit_ordinary_case_is_a_house(records: dict) -> None:
    """Giấy phép xây dựng: the ordinary citizen's case is a house (nhà ở riêng lẻ), not a monument."""
    brief = _brief(records, "1.013225")
    assert brief["documents"]["submit"][0]["form"] == "mẫu số 1"
    titles = [case["title"] for case in brief["documents"]["cases"]]
    assert "Công trình nhà ở riêng lẻ" not in titles and "Công trình tượng đài, tranh hoành tráng" in titles


def test_form_with_a_condition_stays_in_the_ordinary_case(records: dict) -> None:
    """Trích lục: "Tờ khai … trong trường hợp người yêu cầu là cá nhân" is still the form to hand in."""
    assert _submit(_brief(records, "2.000635")) == ["Tờ khai đề nghị bản sao Trích lục hộ tịch"]


def test_private_enterprise_group_named_like_the_procedure(records: dict) -> None:
    """Doanh nghiệp tư nhân: the group titled like the procedure is the ordinary case; a sentence about
    who is responsible is not a document."""
    names = _submit(_brief(records, "2.001610"))
    assert names[0] == "Giấy đề nghị đăng ký doanh nghiệp"
    assert not any(name.startswith("Người") for name in names)


def test_expired_fee_rules_are_left_out(records: dict) -> None:
    """Cấp lại căn cước: the 2025-only online rate is gone by the data date; the rule in force stays."""
    text = _fees(_brief(records, "1.014064"))["in_person"]["text"]
    assert "31/12/2026" in text and "50%" in text and "31/12/2025" not in text


_DANGLING = re.compile(r"(?<!kèm)\s(?:theo|của|và|hoặc|tại|về|cho|do|với|để|các|được|là|thì|ngày|số)$")


@pytest.mark.parametrize("code", CODES)
def test_brief_text_is_clean(records: dict, code: str) -> None:
    """No list marks, no dangling word at the end of a short name, no step ending on a bare heading."""
    brief = _brief(records, code)
    documents = brief["documents"]
    names = [d["name"] for d in documents["submit"] + documents["show"]]
    names += [d["name"] for case in documents["cases"] for d in case["documents"]]
    for name in names:
        assert name and not name.startswith(("-", "+", "*", "•")), name
        assert not _DANGLING.search(name), name
    for step in brief["steps"]:
        assert step.endswith((".", "!", "?")) and not step.rstrip(".").endswith(":"), step
        assert not step.startswith(("-", "+")), step
    assert not brief["name"].lower().startswith("thủ tục") and not brief["name"].endswith(".")


def test_short_names_cut_at_clause_boundaries() -> None:
    """Short names stop at a clause mark and never inside a word."""
    assert short_name("- Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì nộp văn bản") == "Giấy chứng sinh"
    assert short_name("+ Tờ khai thay đổi thông tin cư trú (mẫu CT01 ban hành kèm theo Thông tư)") == (
        "Tờ khai thay đổi thông tin cư trú"
    )
    long = "Văn bản " + "xác nhận thông tin " * 12
    cut = short_name(long)
    assert len(cut) <= 110 and long.startswith(cut) and long[len(cut)] == " "


def test_agency_derived_from_level_and_field() -> None:
    """A record without agency: residence -> Công an cấp xã; province level -> the public administration centre."""
    assert derive_agency("commune", "Đăng ký, quản lý cư trú", "bo-cong-an") == "Công an cấp xã"
    assert derive_agency("commune", "Hộ tịch", "bo-tu-phap") == "Ủy ban nhân dân cấp xã"
    assert derive_agency("province", "Công chứng", "bo-tu-phap") == "Trung tâm Phục vụ hành chính công tỉnh"
    assert derive_agency("central", "Bồi thường nhà nước", "bo-tu-phap") == "Bộ Tư pháp"


def test_display_name() -> None:
    """No leading "Thủ tục", no trailing dot."""
    assert display_name("Thủ tục đăng ký khai sinh.") == "Đăng ký khai sinh"


def test_fee_cell_under_a_thousand_dong_is_not_taken_literally() -> None:
    """ "40 Việt Nam Đồng (4.000 đ/giấy thông hành …)" is a unit slip: the note's amount wins, derived;
    a USD note is quoted; a bare "100 VNĐ" is quoted as the portal wrote it, with no amount."""
    from portal.catalog.brief.fees import build_fees

    def fee(text: str, amount: int) -> dict[str, Any]:
        row = {"channel": "in_person", "fee_amount": amount, "fee_text": text, "fee_flag": "", "description": ""}
        return build_fees([row], "2026-06-30")[0]

    slip = fee("40 Việt Nam Đồng (4.000 đ/giấy thông hành)", 40)
    assert (slip["amount"], slip["text"], slip["derived"]) == (4000, "4.000 đồng/giấy thông hành", True)
    usd = fee("155 VNĐ (Thẻ tạm trú có thời hạn từ trên 02 năm đến 05 năm: 155 USD/thẻ.)", 155)
    assert (usd["amount"], usd["text"]) == (None, "155 USD/thẻ")
    bare = fee("100 VNĐ", 100)
    assert bare["amount"] is None and "100 VNĐ" in bare["text"]


def test_notes_put_the_deadline_first(records: dict) -> None:
    """Khai tử: "Trong thời hạn 15 ngày …" is the first note; duties of the receiving officer come last."""
    notes = _brief(records, "1.000656")["documents"]["notes"]
    assert notes[0].startswith("Trong thời hạn 15 ngày kể từ ngày có người chết")
    assert "người tiếp nhận" in notes[-1].lower()


def test_driving_licence_issue_is_the_individual_case(records: dict) -> None:
    """Cấp GPLX: the individual's dossier (health certificate) is the ordinary case, not the driving
    school's; the fee is the licence fee named "Lệ phí cấp giấy phép lái xe", not the first exam fee."""
    brief = _brief(records, "3.000346")
    names = _submit(brief)
    assert names[0] == "Đề nghị sát hạch để cấp giấy phép lái xe"
    assert any(name.startswith("Giấy khám sức khỏe") for name in names)
    assert not any(name.startswith("Báo cáo đề nghị tổ chức sát hạch") for name in names)
    assert {(fee["amount"], fee["derived"]) for fee in brief["fees"]} == {(135000, True)}
