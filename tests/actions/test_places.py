"""Citizens' addresses, old or new, accented or not, mapped to today's unit with underthesea's data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from actions.offices import office
from actions.places import Place, choice_label, find_place

ROOT = Path(__file__).resolve().parents[2]


def test_the_data_is_not_loaded_at_import() -> None:
    """Importing the actions is free; underthesea's 5 MB mapping is read on first use only."""
    probe = "import sys, actions.procedures; print('underthesea.address' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("text", "location", "ward", "province", "old_ward", "old_district", "old_province"),
    [
        (
            "tôi ở phường Bến Nghé quận 1 thì nộp hồ sơ khai sinh ở đâu",
            None,
            "Phường Sài Gòn",
            "Thành phố Hồ Chí Minh",
            "Phường Bến Nghé",
            "Quận 1",
            "Thành phố Hồ Chí Minh",
        ),
        (
            "Xin chào. Tôi ở xã Tân Thông Hội huyện Củ Chi. Tôi muốn đăng ký kết hôn thì lên đâu làm?",
            None,
            "Xã Củ Chi",
            "Thành phố Hồ Chí Minh",
            "Xã Tân Thông Hội",
            "Huyện Củ Chi",
            "Thành phố Hồ Chí Minh",
        ),
        (
            "xa tan phu huyen chau thanh tinh ben tre",
            None,
            "Xã Tân Phú",
            "Tỉnh Vĩnh Long",
            "Xã Tân Phú",
            "Huyện Châu Thành",
            "Tỉnh Bến Tre",
        ),
        (
            "khai sinh ở đâu",
            "tan phu chau thanh ben tre",
            "Xã Tân Phú",
            "Tỉnh Vĩnh Long",
            "Xã Tân Phú",
            "Huyện Châu Thành",
            "Tỉnh Bến Tre",
        ),
        (
            "nộp ở đâu",
            "Bến Nghé quận 1",
            "Phường Sài Gòn",
            "Thành phố Hồ Chí Minh",
            "Phường Bến Nghé",
            "Quận 1",
            "Thành phố Hồ Chí Minh",
        ),
        (
            "phuong 12 quan go vap",
            None,
            "Phường An Hội Tây",
            "Thành phố Hồ Chí Minh",
            "Phường 12",
            "Quận Gò Vấp",
            "Thành phố Hồ Chí Minh",
        ),
    ],
)
def test_old_addresses_become_todays_unit(
    text: str, location: str | None, ward: str, province: str, old_ward: str, old_district: str, old_province: str
) -> None:
    """Old ward/district/province names, with or without unit words and accents."""
    lookup = find_place(text, location)
    assert lookup.place == Place(
        province=province, ward=ward, old_ward=old_ward, old_district=old_district, old_province=old_province
    )


def test_a_current_ward_name_is_taken_as_it_is() -> None:
    """ "phường Sài Gòn" is today's name: no old name to mention."""
    lookup = find_place("tôi ở phường Sài Gòn, TP.HCM")
    assert lookup.place == Place(province="Thành phố Hồ Chí Minh", ward="Phường Sài Gòn")


def test_a_province_alone_is_converted_too() -> None:
    """ "tỉnh Bến Tre" is now part of Vĩnh Long."""
    assert find_place("tôi ở tỉnh Bến Tre").place == Place(province="Tỉnh Vĩnh Long", old_province="Tỉnh Bến Tre")


def test_an_ambiguous_name_gives_one_choice_per_province() -> None:
    """ "xã Tân Phú" exists in several provinces: choices, labelled by province, each resolving back."""
    lookup = find_place("tôi ở xã Tân Phú")
    assert lookup.place is None and len(lookup.choices) >= 2
    provinces = {choice.province for choice in lookup.choices}
    assert len(provinces) == len(lookup.choices) and "Tỉnh Vĩnh Long" in provinces
    labels = [choice_label(choice, lookup.choices) for choice in lookup.choices]
    assert "Tỉnh Vĩnh Long" in labels
    for choice in lookup.choices:
        assert find_place(choice.query(), choice.query()).place == choice


def test_an_old_district_in_several_provinces_names_the_old_province() -> None:
    """ "huyện Châu Thành" was in ten provinces: the labels say which old province and today's one."""
    lookup = find_place("ở huyện Châu Thành")
    assert len(lookup.choices) > 5
    label = choice_label(
        next(choice for choice in lookup.choices if choice.old_province == "Tỉnh Bến Tre"), lookup.choices
    )
    assert "Bến Tre" in label and "Vĩnh Long" in label


@pytest.mark.parametrize("text", ["đăng ký khai sinh cần giấy tờ gì", "nhà tôi xa quá", "tính phí thế nào", ""])
def test_messages_without_a_place_find_none(text: str) -> None:
    """Words like "xa" (far) or "tính" (compute) are not addresses."""
    lookup = find_place(text)
    assert lookup.place is None and lookup.choices == ()


def test_office_for_a_converted_place_by_authority_and_level() -> None:
    """The office: UBND/Công an of today's ward for commune level, the province's centre otherwise."""
    place = find_place("xa tan phu huyen chau thanh tinh ben tre").place
    commune = {"agency": "Ủy ban nhân dân cấp xã", "authority": "people_committee", "unit_level": "commune"}
    assert office(commune, place) == ("UBND xã Tân Phú (trước đây huyện Châu Thành, tỉnh Bến Tre), tỉnh Vĩnh Long")
    police = {"agency": "Công an cấp xã", "authority": "police", "unit_level": "commune"}
    assert office(police, place).startswith("Công an xã Tân Phú")
    province = {"agency": "Sở Tư pháp", "authority": "admin_center", "unit_level": "province"}
    assert office(province, place) == (
        "Trung tâm Phục vụ hành chính công tỉnh Vĩnh Long (trước đây tỉnh Bến Tre) (cơ quan giải quyết: Sở Tư pháp)"
    )


def test_a_bare_district_entity_does_not_hide_the_ward_the_message_names() -> None:
    """The NLU may tag only "Hoàn Kiếm" (an old district, and today a ward's name too) as the
    location: the message's own "phường Hàng Bạc, quận Hoàn Kiếm" still decides the unit."""
    text = "nhà tôi ở phường Hàng Bạc, quận Hoàn Kiếm, Hà Nội, đăng ký khai sinh cho con ở đâu"
    found = find_place(text, "Hoàn Kiếm")
    assert found.place is not None and found.place.ward == "Phường Hoàn Kiếm"
    assert found.place.old_ward == "Phường Hàng Bạc"
    ninh_kieu = find_place(
        "hai đứa tôi ở phường Hưng Lợi, quận Ninh Kiều, Cần Thơ thì đăng ký kết hôn ở đâu", "Ninh Kiều"
    )
    assert ninh_kieu.place is not None and ninh_kieu.place.ward == "Phường Tân An"
