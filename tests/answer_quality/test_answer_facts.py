"""How a reply is checked against the answer-quality items, and that the items are well formed.

Fast: no server, no model. The matching must accept the ways a reply may print a fact (accents, case,
number formats) and still fail on a near miss; the artefact checks must flag each broken template the
issue reports and nothing in a clean reply.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter

import pytest

from bot.evaluation.answer_facts import ASPECTS, Fact, artefacts, contains, load_items, normalize
from tests.portal.brief_support import require_catalog


def fact(*alternatives: str) -> Fact:
    return Fact(alternatives, "test")


@pytest.mark.parametrize(
    ("reply", "alternatives"),
    [
        ("Lệ phí: 135.000đ/lần", ("135.000",)),
        ("Lệ phí 135000 đồng", ("135.000",)),
        ("phí 135,000 VNĐ", ("135.000 đồng",)),
        ("Không quá 07 ngày làm việc.", ("7 ngày làm việc",)),
        ("UBND phường Sài Gòn", ("Ủy ban nhân dân", "UBND")),
        ("Uỷ ban Nhân dân xã", ("Ủy ban nhân dân",)),
        ("dang ky tai cong an cap xa", ("Công an cấp xã",)),
        ("Tờ khai (mẫu CT01)", ("CT01",)),
        ("giảm 50% mức thu", ("50%",)),
    ],
)
def test_a_fact_is_found_whatever_the_accents_case_and_number_format(reply: str, alternatives: tuple[str, ...]):
    """A fact printed with other accents, case, thousands separators, currency or leading zeros counts."""
    assert contains(reply, fact(*alternatives))


@pytest.mark.parametrize(
    ("reply", "alternatives"),
    [
        ("Lệ phí 110.000 đồng", ("10.000",)),
        ("17 ngày làm việc", ("7 ngày làm việc",)),
        ("7 ngày", ("7 ngày làm việc",)),
        ("Lệ phí 1.350.000 đồng", ("135.000",)),
        ("Công an cấp tỉnh", ("Công an cấp xã",)),
        ("mẫu CT011", ("CT01",)),
        ("Hồ sơ cho thủ tục đăng ký khai sinh", ("Tờ khai đăng ký khai sinh",)),
    ],
)
def test_a_near_miss_is_not_a_fact(reply: str, alternatives: tuple[str, ...]):
    """Matching is on word boundaries: a longer number or a different unit does not pass."""
    assert not contains(reply, fact(*alternatives))


def test_normalized_forms_are_the_same_for_every_spelling_of_an_amount():
    """135.000đ, 135000 đồng and 135,000 VNĐ compare equal."""
    assert normalize("135.000đ") == normalize("135000 đồng") == normalize("135,000 VNĐ") == "135000 d"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Thủ tục «Thủ tục đăng ký khai sinh» do UBND thực hiện.", "duplicated"),
        ("Hồ sơ:\n• - Tờ khai.", "bullet followed by a dash"),
        ("Bạn mang giấy tờ đến UBND thì nộp ", "mid-sentence"),
        ("Thời hạn: 7 ngày làm việc", "no final punctuation"),
        ("Các bước:\n1. Nộp hồ sơ.\n2. Cơ quan tiếp nhận hồ sơ thực hiện:\n3. Trả kết quả.", "heading with nothing"),
        ("Xem tại https://dichvucong.gov.vn/thu-tuc-hanh-chinh/1 nhé.", "raw URL"),
        ("Cơ quan: None.", "None"),
        ("Lệ phí {fee}.", "brace"),
        ("Thủ tục do chưa có thông tin thực hiện (cấp xã).", "chưa có thông tin thực hiện"),
        ("1. Người yêu cầu nộp hồ sơ tại…\n\nNguồn: Cổng Dịch vụ công quốc gia.", "ellipsis"),
    ],
)
def test_each_broken_template_is_an_artefact(text: str, name: str):
    """Every template fault the issue lists is reported, named."""
    assert any(name in found for found in artefacts(text)), artefacts(text)


def test_a_clean_reply_has_no_artefact():
    """A short reply with a list, a labelled link and a source line is clean."""
    text = (
        "Hồ sơ đăng ký khai sinh:\n• Tờ khai đăng ký khai sinh (1 bản chính)\n• Giấy chứng sinh (1 bản chính)\n\n"
        "[Xem đầy đủ trên Cổng](https://dichvucong.gov.vn/thu-tuc-hanh-chinh/1)\n"
        "Nguồn: Cổng Dịch vụ công quốc gia (dữ liệu ngày 30/06/2026)."
    )
    assert artefacts(text) == []


def test_a_list_may_end_a_message_and_a_lead_in_may_precede_buttons():
    """A message ending with a complete list entry is not cut; "Ý bạn là:" is a lead-in only when
    buttons follow it."""
    assert artefacts("Thời hạn giải quyết:\n• Trực tiếp: 7 ngày làm việc\n• Trực tuyến: 7 ngày làm việc") == []
    assert artefacts("Ý bạn là:", with_buttons=True) == []
    assert artefacts("Ý bạn là:") != []


def test_the_item_set_covers_the_common_procedures_and_every_aspect():
    """At least 150 questions over at least 40 procedures, every aspect asked, ids unique."""
    items = load_items()
    assert len(items) >= 150
    assert len({item.code for item in items}) >= 40
    assert set(Counter(item.aspect for item in items)) == set(ASPECTS)


def test_every_item_names_a_procedure_of_the_catalog():
    """Each item's code is a record of the catalog snapshot its facts were read from."""
    path = require_catalog()
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        codes = {json.loads(line)["ma_thu_tuc"] for line in lines}
    unknown = sorted({item.code for item in load_items()} - codes)
    assert not unknown, unknown
