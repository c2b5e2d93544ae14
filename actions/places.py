"""Where a citizen lives, from the words of a message, as the current administrative unit.

Since 01/7/2025 there is no district level and provinces and communes were merged, yet most
citizens still write their old address ("phường Bến Nghé quận 1", "xa tan phu huyen chau thanh
tinh ben tre"). The names in a message are found against the offline mapping data that ships with
underthesea (``underthesea.address``): wards, districts and provinces, old and new, with or without
"phường/quận/tỉnh", accented or not. An old unit is converted to the current one with
``underthesea.address.convert_address``; a current name is taken as it is. A name that exists in
several provinces gives several *choices* (the citizen picks one).

The data (a 5 MB JSON file) is loaded on first use, never at import: the action server starts fast
and only pays for it when an address is asked.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from actions.aspects import folded_words
from actions.per_process import PerProcess

MAX_NAME_WORDS = 5
# Unit-type words of the address, accent-free, and the levels they introduce.
_PREFIXES = (
    (("thi", "tran"), "ward"),
    (("dac", "khu"), "ward"),
    (("phuong",), "ward"),
    (("xa",), "ward"),
    (("thi", "xa"), "district"),
    (("quan",), "district"),
    (("huyen",), "district"),
    (("thanh", "pho"), "city"),  # a province-level city or a former district-level one
    (("tinh",), "province"),
)
_UNIT_WORDS = ("thị trấn", "đặc khu", "phường", "xã", "thị xã", "quận", "huyện", "thành phố", "tỉnh")
# Short forms citizens type, on the accent-free text.
_SHORT_FORMS = (
    (re.compile(r"\b(?:tp\.?\s*)?(?:hcm|tphcm)\b|(?<!phuong )\b(?:sai gon|saigon)\b"), "thanh pho ho chi minh"),
    (re.compile(r"\btp\.?\s*hn\b|\bhn\b"), "thanh pho ha noi"),
    (re.compile(r"\bq\.?\s*(\d{1,2})\b"), r"quan \1"),
    (re.compile(r"\bp\.?\s*(\d{1,2})\b"), r"phuong \1"),
    (re.compile(r"\btp\b\.?"), "thanh pho"),
    (re.compile(r"\btx\b\.?"), "thi xa"),
)


@dataclass(frozen=True)
class Place:
    """A current unit (``ward`` may be empty when only the province is known) and the old names said."""

    province: str
    ward: str = ""
    old_ward: str = ""
    old_district: str = ""
    old_province: str = ""
    divided: bool = False

    def to_slot(self) -> dict[str, Any]:
        """What the ``citizen_place`` slot keeps for follow-ups."""
        return asdict(self)

    @classmethod
    def from_slot(cls, value: Any) -> Place | None:
        """The place remembered in the slot, or None when the slot holds nothing usable."""
        if not isinstance(value, dict) or not value.get("province"):
            return None
        fields = {key: value[key] for key in cls.__dataclass_fields__ if key in value}
        return cls(**fields)

    def query(self) -> str:
        """An address text that resolves back to exactly this place (the payload of a choice button)."""
        if self.old_ward or self.old_district:
            parts = [self.old_ward, self.old_district, self.old_province or self.province]
        else:
            parts = [self.ward, self.province]
        return ", ".join(part for part in parts if part)


@dataclass(frozen=True)
class PlaceLookup:
    """One ``place``, several ``choices`` (a name found in several places), or nothing."""

    place: Place | None = None
    choices: tuple[Place, ...] = ()


@functools.lru_cache(maxsize=20000)
def bare_name(unit: str) -> str:
    """ "Phường Bến Nghé" -> "ben nghe", "Quận 01" -> "1": the name without its unit word, folded."""
    folded = folded_words(unit)
    for words, _level in _PREFIXES:
        prefix = " ".join(words) + " "
        if folded.startswith(prefix):
            folded = folded[len(prefix) :]
            break
    return " ".join(str(int(word)) if word.isdigit() else word for word in folded.split())


def unit_kind(unit: str) -> str:
    """ "Phường Bến Nghé" -> "phuong": the unit word, folded, to tell a xã from a phường of the same name."""
    folded = folded_words(unit)
    for words, _level in _PREFIXES:
        if folded.startswith(" ".join(words) + " "):
            return " ".join(words)
    return ""


class _Index:
    """Names of old and new units from underthesea's mapping data, by their bare folded name."""

    def __init__(self) -> None:
        from underthesea.address import converter  # the same data convert_address uses, loaded once

        converter._load_data()
        data = converter._mapping_data
        self.province_names: dict[str, str] = {}  # key -> display name, old and new
        self.provinces: dict[str, set[str]] = defaultdict(set)  # bare name -> province keys
        for key, info in {**data["old_province_names"], **data["province_names"]}.items():
            self.province_names[key] = info["name"]
            self.provinces[bare_name(info["name"])].add(key)
        self.new_province_of: dict[str, str] = dict(data["province_mapping"])
        self.old_wards: dict[str, list[dict[str, str]]] = defaultdict(list)
        self.new_wards: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self.districts: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
        seen_old = set()
        for record in data["ward_mapping"]:
            old_key = (record["old_province_key"], record["old_district"], record["old_ward"])
            if record["old_ward"] and old_key not in seen_old:
                seen_old.add(old_key)
                self.old_wards[bare_name(record["old_ward"])].append(record)
            if record["new_ward"]:
                self.new_wards[bare_name(record["new_ward"])].add((record["new_ward"], record["new_province_key"]))
            if record["old_district"]:
                district = (record["old_district"], record["old_province_key"], record["old_province"])
                self.districts[bare_name(record["old_district"])].add(district)
        self.ward_names = set(self.old_wards) | set(self.new_wards)
        self.district_names = set(self.districts)
        self.province_set = set(self.provinces)
        self.all_names = self.ward_names | self.district_names | self.province_set


_INDEX = PerProcess(_Index)  # built on first use: it loads underthesea's address data


@dataclass
class _Mentions:
    ward: str = ""
    ward_kind: str = ""
    district: str = ""
    provinces: set[str] | None = None  # province keys named


def _expand_short_forms(folded: str) -> str:
    for pattern, replacement in _SHORT_FORMS:
        folded = pattern.sub(replacement, folded)
    return folded


def _longest_name(words: list[str], start: int, names: set[str]) -> tuple[str, int]:
    """The longest known name starting at ``start`` ("tan thong hoi" before "huyen cu chi")."""
    for length in range(min(MAX_NAME_WORDS, len(words) - start), 0, -1):
        name = " ".join(str(int(w)) if w.isdigit() else w for w in words[start : start + length])
        if name in names:
            return name, length
    return "", 0


def _mentions(text: str, index: _Index, bare_ok: bool) -> _Mentions:
    """Units named in ``text``: after a unit word, or (``bare_ok``) a bare multi-word name."""
    words = _expand_short_forms(folded_words(text)).split()
    found = _Mentions(provinces=set())
    covered: set[int] = set()
    position = 0
    while position < len(words):
        for prefix, level in _PREFIXES:
            if tuple(words[position : position + len(prefix)]) != prefix:
                continue
            start = position + len(prefix)
            if level == "ward" and not found.ward:
                found.ward, length = _longest_name(words, start, index.ward_names)
                found.ward_kind = " ".join(prefix) if length else ""
            elif level in ("district", "city") and not found.district:
                name, length = _longest_name(words, start, index.district_names)
                if length and not (level == "city" and name in index.provinces):
                    found.district = name
                elif level == "city":
                    name, length = _longest_name(words, start, index.province_set)
                    found.provinces |= index.provinces.get(name, set())
            else:
                name, length = _longest_name(words, start, index.province_set)
                found.provinces |= index.provinces.get(name, set())
            if length:
                covered.update(range(position, start + length))
                position = start + length - 1
                break
        position += 1
    _bare_names(words, covered, index, found, bare_ok)
    return found


def _bare_names(words: list[str], covered: set[int], index: _Index, found: _Mentions, bare_ok: bool) -> None:
    """Names without a unit word. In the whole message only provinces of two words or more ("ben
    tre"); in a text known to be a place (the location entity) also wards and districts, read
    smallest first as Vietnamese addresses are written ("tan phu chau thanh ben tre")."""
    names = index.all_names if bare_ok else index.province_set
    segments = []
    start = 0
    while start < len(words):
        name, length = ("", 0) if start in covered else _longest_name(words, start, names)
        clash = any(i in covered for i in range(start, start + length))
        if length and not clash and (length >= 2 or (bare_ok and not name.isdigit())):
            segments.append(name)
            start += length
        else:
            start += 1
    level = 0
    for name in segments:
        if level <= 0 and not found.ward and name in index.ward_names:
            found.ward, level = name, 1
        elif level <= 1 and not found.district and name in index.district_names:
            found.district, level = name, 2
        elif name in index.provinces:
            found.provinces |= index.provinces[name]
            level = 3


# -- resolution ---------------------------------------------------------------------------------

_ADDRESS_CUE = re.compile(
    r"\b(?:phuong|xa|thi tran|dac khu|quan|huyen|thi xa|thanh pho|tp|tinh|[pq]\.?\s?\d{1,2}|hcm|tphcm|sai gon|ha noi)\b"
)


def may_name_a_place(text: str) -> bool:
    """Cheap check before loading the data: does the text contain an address word at all?"""
    return bool(_ADDRESS_CUE.search(folded_words(text)))


def find_place(text: str, location: str | None = None) -> PlaceLookup:
    """The place named in a message: the ``location`` entity (bare names allowed) completed by the
    unit words of the whole text ("tôi ở phường Bến Nghé quận 1 ...")."""
    if not (location or (text and may_name_a_place(text))):
        return PlaceLookup()
    index = _INDEX.get()
    found = _mentions(location, index, bare_ok=True) if location else _Mentions(provinces=set())
    if text:
        in_text = _mentions(text, index, bare_ok=False)
        if not found.ward and in_text.ward:
            found.ward, found.ward_kind = in_text.ward, in_text.ward_kind
        found.district = found.district or in_text.district
        found.provinces = found.provinces or in_text.provinces
    places = list(dict.fromkeys(_places(found, index)))
    if not places and location and text:
        # The entity misled (a bare district name such as "Hoàn Kiếm" read as a ward): the message's
        # own unit words ("phường Hàng Bạc, quận Hoàn Kiếm") decide.
        return find_place(text)
    if len(places) == 1:
        return PlaceLookup(place=places[0])
    return PlaceLookup(choices=tuple(places))


def _places(found: _Mentions, index: _Index) -> list[Place]:
    provinces = found.provinces or set()

    def named(*keys: str) -> bool:
        return not provinces or any(key in provinces for key in keys)

    if found.ward:
        kind = found.ward_kind
        current = sorted(
            (ward, key)
            for ward, key in index.new_wards.get(found.ward, ())
            if (not kind or unit_kind(ward) == kind) and named(key)
        )
        if current and not found.district:
            return [Place(province=index.province_names[key], ward=ward) for ward, key in current]
        return [
            _converted(record)
            for record in index.old_wards.get(found.ward, [])
            if (not kind or unit_kind(record["old_ward"]) == kind)
            and (not found.district or bare_name(record["old_district"]) == found.district)
            and named(record["old_province_key"], record["new_province_key"])
        ]
    if found.district:
        return [
            Place(province=index.province_names[index.new_province_of[key]], old_district=district, old_province=old)
            for district, key, old in sorted(index.districts.get(found.district, ()))
            if named(key, index.new_province_of[key])
        ]
    current_provinces = sorted({index.new_province_of.get(key, key): key for key in provinces}.items())
    return [
        Place(province=index.province_names[new], old_province=index.province_names[old] if old != new else "")
        for new, old in current_provinces
    ]


def _converted(record: dict[str, str]) -> Place:
    """An old ward as today's unit, through underthesea's converter (a split ward: its default part)."""
    from underthesea.address import ConversionStatus, MappingType, convert_address

    result = convert_address(f"{record['old_ward']}, {record['old_district']}, {record['old_province']}")
    success = result.status == ConversionStatus.SUCCESS and result.new.ward
    return Place(
        province=result.new.province if success else record["new_province"],
        ward=result.new.ward if success else record["new_ward"],
        old_ward=record["old_ward"],
        old_district=record["old_district"],
        old_province=record["old_province"],
        divided=result.mapping_type == MappingType.DIVIDED,
    )


# -- how places read in an answer ---------------------------------------------------------------


def unit_phrase(unit: str) -> str:
    """ "Phường Sài Gòn" -> "phường Sài Gòn", "Thành Phố Bắc Kạn" -> "thành phố Bắc Kạn"."""
    for word in _UNIT_WORDS:
        if unit.lower().startswith(word + " "):
            return word + unit[len(word) :]
    return unit


def province_phrase(province: str) -> str:
    """ "Thành phố Hồ Chí Minh" -> "TP. Hồ Chí Minh", "Tỉnh Vĩnh Long" -> "tỉnh Vĩnh Long"."""
    if province.lower().startswith("thành phố "):
        return "TP. " + province[len("thành phố ") :]
    return unit_phrase(province)


def old_phrase(place: Place) -> str:
    """The old names the citizen used that are no longer current ("phường Bến Nghé, quận 1")."""
    parts = []
    if place.old_ward and place.old_ward != place.ward:
        parts.append(unit_phrase(place.old_ward))
    if place.old_district:
        parts.append(unit_phrase(place.old_district))
    if place.old_province and place.old_province != place.province:
        parts.append(province_phrase(place.old_province))
    return ", ".join(parts)


def choice_label(place: Place, choices: tuple[Place, ...]) -> str:
    """A button label that tells this choice from the others: the (old) province, else the district."""
    if len({choice.old_province or choice.province for choice in choices}) == len(choices):
        label = province_phrase(place.province)
        if place.old_province and place.old_province != place.province:
            label = f"{province_phrase(place.old_province)} (nay {label})"
    else:
        parts = [unit_phrase(part) for part in (place.old_ward or place.ward, place.old_district) if part]
        label = ", ".join([*parts, province_phrase(place.old_province or place.province)])
    return label[:1].upper() + label[1:]
