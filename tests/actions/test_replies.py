"""The reply composer on procedure briefs: phone-sized, whole sentences, one source line, labelled links."""

from __future__ import annotations

import copy
import json
import re
from itertools import combinations

import pytest

from actions.answers import document_line
from actions.aspects import AGENCY, ASPECTS, DOCUMENTS, FEE, OVERVIEW, TIME
from actions.places import Place
from actions.replies import MAX_REPLY_CHARS, compose
from tests.actions.brief_fixtures import BIRTH, LICENCE, RESIDENCE

SAIGON = Place(
    province="Thành phố Hồ Chí Minh",
    ward="Phường Sài Gòn",
    old_ward="Phường Bến Nghé",
    old_district="Quận 1",
    old_province="Thành phố Hồ Chí Minh",
)
BRIEFS = {"birth": BIRTH, "residence": RESIDENCE, "licence": LICENCE}
ASPECT_SETS = [[aspect] for aspect in (*ASPECTS, OVERVIEW)] + [list(pair) for pair in combinations(ASPECTS, 2)]


def _long_brief() -> dict:
    """Forty long document names, long steps: a record that cannot fit on one screen."""
    brief = copy.deepcopy(RESIDENCE)
    brief["documents"]["submit"] = [
        {
            "name": f"Giấy tờ chứng minh điều kiện số {n} theo quy định của pháp luật về cư trú hiện hành",
            "form": None,
            "originals": 1,
            "copies": 1,
        }
        for n in range(40)
    ]
    brief["steps"] = [
        f"Bước {n}: cơ quan tiếp nhận kiểm tra, đối chiếu và chuyển hồ sơ cho bộ phận giải quyết." for n in range(12)
    ]
    return brief


@pytest.mark.parametrize("name", [*BRIEFS, "long"])
@pytest.mark.parametrize("aspects", ASPECT_SETS, ids=lambda aspects: "+".join(aspects))
@pytest.mark.parametrize("place", [None, SAIGON], ids=["no-place", "place"])
def test_every_reply_follows_the_rules(name: str, aspects: list[str], place: Place | None) -> None:
    """Every aspect and pair of aspects: fits 700 characters, one source line, no raw URL, no
    "Thủ tục «Thủ tục", no "• -", and every link is a labelled link button."""
    brief = _long_brief() if name == "long" else BRIEFS[name]
    reply = compose(brief, "1.004222", aspects, place)
    assert len(reply.text) <= MAX_REPLY_CHARS
    assert reply.text.count("Nguồn: Cổng Dịch vụ công quốc gia") == 1
    assert "dữ liệu ngày 30/06/2026" in reply.text
    assert "http" not in reply.text
    assert "Thủ tục «Thủ tục" not in reply.text
    assert not re.search(r"•\s*[-+•]", reply.text)
    assert not reply.text.rstrip().endswith(("…", ",", ":"))
    links = [button for button in reply.buttons if button.get("type") == "web_url"]
    assert links and all(button["title"] and button["url"].startswith("https://") for button in links)
    assert len(reply.buttons) <= 5  # Zalo shows five buttons under a message


def test_long_lists_leave_out_whole_items_and_say_how_many() -> None:
    """Forty documents: the items shown are whole document lines, the rest are counted."""
    brief = _long_brief()
    reply = compose(brief, "1.004222", [DOCUMENTS])
    full = {document_line(document) for document in brief["documents"]["submit"]}
    shown = [line[2:] for line in reply.text.splitlines() if line.startswith("• ")]
    assert shown and all(item in full for item in shown)
    assert f"… và {40 - len(shown)} giấy tờ khác (xem đầy đủ trên Cổng)." in reply.text


def test_long_steps_are_counted_not_cut() -> None:
    """Twelve steps do not fit: the shown ones are whole sentences, the rest are counted."""
    reply = compose(_long_brief(), "1.004222", [DOCUMENTS, "steps"])
    numbered = [line for line in reply.text.splitlines() if re.match(r"\d+\. ", line)]
    assert numbered and all(line.endswith(".") for line in numbered)
    assert re.search(r"… và \d+ bước nữa", reply.text)


def test_birth_documents_put_the_form_and_the_certificate_first() -> None:
    """Khai sinh: the declaration form first, then the birth certificate, then what to show;
    conditional cases are buttons, never the list."""
    text = compose(BIRTH, "1.001193", [DOCUMENTS]).text
    bullets = [line for line in text.splitlines() if line.startswith("• ")]
    assert bullets[0].startswith("• Tờ khai đăng ký khai sinh")
    assert bullets[1].startswith("• Giấy chứng sinh")
    assert text.index("Hồ sơ cần nộp:") < text.index("Mang theo để xuất trình:")
    assert "bỏ rơi" not in text and "ủy quyền" not in text.lower()


def test_other_cases_are_buttons_that_ask_for_that_case() -> None:
    """ "Trường hợp khác: …" buttons carry the procedure, the aspect and the case number; a choice
    answers that case and offers the ordinary case back."""
    reply = compose(BIRTH, "1.001193", [DOCUMENTS])
    cases = [button for button in reply.buttons if button["title"].startswith("Trường hợp khác: ")]
    assert [button["title"] for button in cases][:1] == ["Trường hợp khác: trẻ em bị bỏ rơi"]
    payload = cases[0]["payload"]
    assert payload.startswith("/inform{")
    assert json.loads(payload.removeprefix("/inform")) == {
        "procedure": "1.001193",
        "aspect": "documents",
        "procedure_case": "0",
    }
    assert "Còn 1 trường hợp khác" in reply.text  # four cases, three buttons
    chosen = compose(BIRTH, "1.001193", [DOCUMENTS], case=0)
    assert "Trường hợp trẻ em bị bỏ rơi:" in chosen.text and "Biên bản về việc trẻ bị bỏ rơi" in chosen.text
    assert chosen.buttons[0]["title"] == "Trường hợp thông thường"
    assert all("bỏ rơi" not in button["title"] for button in chosen.buttons)


def test_fee_shows_the_amount_with_its_condition() -> None:
    """Cấp lại GPLX: the amount and its condition per channel, not "Miễn phí"."""
    text = compose(LICENCE, "3.000347", [FEE]).text
    assert "• Trực tiếp: 135.000 đồng/lần cấp" in text
    assert "• Trực tuyến: 115.000 đồng/lần cấp khi nộp trực tuyến" in text
    assert "Miễn phí" not in text


def test_same_fee_everywhere_is_one_line_and_provincial_fees_say_so() -> None:
    """One line when every channel costs the same; fees set by the province name the province."""
    assert "Lệ phí: Miễn phí." in compose(BIRTH, "1.001193", [FEE]).text
    text = compose(RESIDENCE, "1.004222", [FEE], SAIGON).text
    assert "Mức thu do HĐND TP. Hồ Chí Minh quy định" in text


def test_two_aspects_are_answered_in_one_reply_with_one_source() -> None:
    """ "mất bao lâu và phí bao nhiêu": time and fee, in the order asked, one source line."""
    text = compose(RESIDENCE, "1.004222", [TIME, FEE]).text
    assert text.index("Thời hạn giải quyết") < text.index("Lệ phí")
    assert "7 ngày làm việc" in text and "20.000 đồng" in text
    assert text.count("Nguồn:") == 1


def test_where_names_the_office_of_the_citizens_ward_and_marks_derived_agencies() -> None:
    """Khai sinh from "phường Bến Nghé quận 1": the current ward's People's Committee with the old
    name; the agency was derived (the record has none), and the reply says so."""
    text = compose(BIRTH, "1.001193", [AGENCY], SAIGON).text
    assert "UBND phường Sài Gòn (trước đây phường Bến Nghé, quận 1), TP. Hồ Chí Minh" in text
    assert "suy ra" in text
    assert "Công an phường Sài Gòn" in compose(RESIDENCE, "1.004222", [AGENCY], SAIGON).text
    province_level = compose(LICENCE, "3.000347", [AGENCY], SAIGON).text
    assert "Trung tâm Phục vụ hành chính công TP. Hồ Chí Minh" in province_level


def test_without_a_place_the_agency_is_general_and_the_address_is_asked() -> None:
    """No place: the general agency, and a request for the ward so the answer can be precise."""
    text = compose(BIRTH, "1.001193", [AGENCY]).text
    assert "Nơi nộp: Ủy ban nhân dân cấp xã." in text
    assert "xã/phường" in text


def test_staff_corrections_are_mentioned_in_the_source_line() -> None:
    """A brief corrected by staff says so on its (single) source line."""
    line = [line for line in compose(LICENCE, "3.000347", [FEE]).text.splitlines() if line.startswith("Nguồn:")]
    assert line == ["Nguồn: Cổng Dịch vụ công quốc gia, dữ liệu ngày 30/06/2026. Nội dung đã được cán bộ rà soát."]


def test_online_filing_has_a_labelled_link() -> None:
    """Online aspect: a "Nộp trực tuyến" link button; the text has no URL."""
    reply = compose(BIRTH, "1.001193", ["online"])
    titles = {button["title"]: button for button in reply.buttons}
    assert titles["Nộp trực tuyến"]["type"] == "web_url"
    assert "Nộp trực tuyến: được" in reply.text
    assert "chưa được" in compose(LICENCE, "3.000347", ["online"]).text


def test_case_buttons_leave_out_the_procedure_name() -> None:
    """ "Đăng ký thường trú tại phương tiện" is offered as "Trường hợp khác: tại phương tiện", so the
    part that tells the cases apart is never cut off."""
    titles = [button["title"] for button in compose(RESIDENCE, "1.004222", [DOCUMENTS]).buttons]
    assert "Trường hợp khác: tại phương tiện" in titles
    assert all(len(title) <= 80 for title in titles)
