"""Generate the lookup tables and synonyms of the procedure, field and location entities.

Reads, offline:

* the colloquial names of ``portal/search/synonyms.yml`` (what citizens say -> catalog phrase)
  and its ``popular`` procedure codes (the most-asked procedures);
* the catalog ``../shared/data/tthc_catalog_2026.jsonl.gz`` (``ten_thu_tuc``, ``linh_vuc``), read
  with the project's ``normalize_text``;
* underthesea's address data (current 34 provinces and the 63 before the 2025 merger);

and writes two committed files: ``bot/nlu/gazetteer.json`` (every surface form -> canonical value,
per entity type, read by ``bot.nlu.lookups``) and ``data/nlu/generated/procedure_lookup.yml`` in
Rasa's format:

* ``lookup: procedure|field|location`` tables (accented surface forms and their accent-free
  spelling; ``RegexFeaturizer`` turns them into features);
* ``synonym:`` blocks mapping surface forms to a canonical name: a catalog procedure name, a
  catalog field (lĩnh vực), or a current province ("Thành phố Hồ Chí Minh"; old provinces map to
  the province they were merged into).

A surface that the training data already maps to another value is left out of the Rasa synonyms
(Rasa would warn about conflicting synonyms) but stays in the gazetteer. Deterministic: sorted,
no randomness.

Usage::

    .venv/bin/python scripts/generate_nlu_lookups.py          # write the file
    .venv/bin/python scripts/generate_nlu_lookups.py --check  # exit 1 if it is stale
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from common.text.normalize import fold_accents, normalize_text  # noqa: E402

OUTPUT = ROOT / "data" / "nlu" / "generated" / "procedure_lookup.yml"
GAZETTEER = ROOT / "bot" / "nlu" / "gazetteer.json"
SYNONYMS = ROOT / "portal" / "search" / "synonyms.yml"
CATALOG = ROOT.parent / "shared" / "data" / "tthc_catalog_2026.jsonl.gz"
ADDRESS_DATA = "underthesea/address/data/mapping.json"

# How citizens name the most-asked procedures (synonyms.yml ``popular``), by catalog code. The catalog's own
# short name is added automatically.
POPULAR_ALIASES: dict[str, tuple[str, ...]] = {
    "1.014061": ("làm căn cước", "làm thẻ căn cước", "cấp căn cước", "làm cccd", "làm căn cước công dân"),
    "1.014063": ("đổi căn cước", "đổi thẻ căn cước", "cấp đổi căn cước", "đổi cccd"),
    "1.014064": ("làm lại căn cước", "cấp lại căn cước", "làm lại cccd", "cấp lại cccd"),
    "1.001193": ("khai sinh", "làm giấy khai sinh", "làm khai sinh", "đăng ký giấy khai sinh"),
    "1.000894": ("đăng ký kết hôn", "đăng kí kết hôn", "làm giấy đăng ký kết hôn", "giấy đăng ký kết hôn"),
    "1.000656": ("khai tử", "làm giấy khai tử", "làm khai tử", "báo tử"),
    "1.004873": ("giấy độc thân", "xác nhận độc thân", "xác nhận tình trạng hôn nhân", "giấy xác nhận độc thân"),
    "1.004222": ("nhập hộ khẩu", "nhập khẩu", "đăng ký hộ khẩu", "làm hộ khẩu"),
    "1.004194": ("đăng ký tạm trú", "khai báo tạm trú", "đăng ký tạm vắng"),
    "3.000333": ("lý lịch tư pháp", "phiếu lý lịch tư pháp", "làm lý lịch tư pháp", "xin lý lịch tư pháp"),
    "3.000347": ("đổi bằng lái", "đổi bằng lái xe", "đổi gplx", "cấp đổi giấy phép lái xe"),
    "1.001456": ("làm hộ chiếu", "cấp hộ chiếu", "làm passport", "hộ chiếu"),
    "1.001612": ("đăng ký hộ kinh doanh", "mở hộ kinh doanh", "đăng ký kinh doanh hộ gia đình"),
    "2.000815": ("chứng thực bản sao", "sao y", "công chứng bản sao", "sao y bản chính"),
    "3.000228": ("định danh điện tử mức 2", "định danh mức 2", "vneid mức 2", "tài khoản định danh mức 2"),
    "1.013076": ("sang tên xe", "sang tên xe máy", "sang tên ô tô", "đăng ký sang tên xe"),
}
# First words of colloquial keys that name a procedure or its paper ("sổ đỏ", "bằng lái").
COLLOQUIAL_HEADS = frozenset(
    ["làm", "xin", "sang", "sổ", "bằng", "giấy", "hộ", "thẻ", "căn", "lý", "định", "passport", "học", "thi", "tách"]
)
# Colloquial keys that are fragments, not procedure names.
NOT_PROCEDURES = frozenset({"mức 1", "mức 2", "mức độ 1", "mức độ 2", "gắn chip"})
# Where a catalog name stops being the name and starts qualifying it.
_NAME_CUT = re.compile(r"\s*(?:\(|;|,| cho | tại | ở | đối với | trong trường hợp | theo | do | thực hiện )")
MAX_CATALOG_SYLLABLES = 8
_DIGIT = re.compile(r"\d")
# First words of catalog names that are procedures citizens ask for by name ("cấp", "đăng ký"...);
# other names ("người nước ngoài ...") are qualifiers left over by the cut, not names.
PROCEDURE_VERBS = frozenset(
    [
        "cấp",
        "đăng",
        "đổi",
        "gia",
        "xác",
        "chứng",
        "thay",
        "điều",
        "công",
        "thẩm",
        "phê",
        "cho",
        "giải",
        "thành",
        "chấp",
        "khai",
        "hủy",
        "xóa",
        "liên",
        "thông",
        "báo",
        "nộp",
        "sửa",
        "tách",
        "hợp",
        "chuyển",
        "thu",
        "miễn",
        "hoàn",
        "đề",
        "kiểm",
        "trả",
        "nhập",
        "xuất",
        "tạm",
        "đóng",
        "mở",
        "cải",
        "bổ",
        "thôi",
        "trở",
        "nhận",
        "ghi",
        "trích",
        "lựa",
    ]
)
LOCATION_ALIASES: dict[str, tuple[str, ...]] = {
    "thanhphohochiminh": ("TP.HCM", "TPHCM", "TP HCM", "HCM", "Sài Gòn", "thành phố Hồ Chí Minh"),
    "thanhphohanoi": ("thủ đô Hà Nội", "HN"),
}
PROVINCE_PREFIXES = ("Tỉnh ", "Thành phố ")


def _clean(text: str) -> str:
    return " ".join(normalize_text(text).split())


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def catalog_rows(path: Path = CATALOG) -> list[dict]:
    """The catalog's procedures (code, name, field), names and fields normalized."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [
        {"code": row["ma_thu_tuc"], "name": _clean(row["ten_thu_tuc"]), "field": _clean(row.get("linh_vuc") or "")}
        for row in rows
    ]


def short_name(name: str) -> str:
    """A catalog name as citizens would say it: without "Thủ tục", cut before qualifiers."""
    name = re.sub(r"^[^\w]+", "", name)
    name = re.sub(r"^(?:Thủ tục|TTHC)\s+", "", name)
    return _lower_first(_NAME_CUT.split(name, maxsplit=1)[0].strip())


def procedure_entries(rows: list[dict], synonyms: dict) -> dict[str, str]:
    """Procedure surface form -> canonical name (catalog ``ten_thu_tuc`` when known)."""
    by_code = {row["code"]: row for row in rows}
    entries: dict[str, str] = {}
    short_to_canonical: dict[str, str] = {}
    for code in synonyms.get("popular") or []:
        row = by_code.get(str(code))
        if row is None:
            continue
        short = short_name(row["name"])
        short_to_canonical[short] = row["name"]
        for surface in (short, *POPULAR_ALIASES.get(str(code), ())):
            entries.setdefault(_clean(surface).lower(), row["name"])
    for key, phrases in sorted((synonyms.get("colloquial") or {}).items()):
        key = _clean(str(key)).lower()
        if key in NOT_PROCEDURES or len(key.split()) < 2 or not phrases or _DIGIT.search(key):
            continue
        if key.split()[0] not in PROCEDURE_VERBS | COLLOQUIAL_HEADS:  # "bị mất", "mới mua": not names
            continue
        if len(str(phrases[0]).split()) < 3:  # "làm lại" -> "cấp lại": a verb, not a procedure
            continue
        phrase = _clean(str(phrases[0]))
        entries.setdefault(key, short_to_canonical.get(phrase.lower(), phrase))
    # Every catalog procedure whose everyday name is short enough to be typed in a chat.
    counts: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        short = short_name(row["name"])
        words = short.split()
        if 3 <= len(words) <= MAX_CATALOG_SYLLABLES and words[0] in PROCEDURE_VERBS and not _DIGIT.search(short):
            counts[short.lower()].add(row["name"])
    for short, names in sorted(counts.items()):
        entries.setdefault(short, sorted(names)[0] if len(names) == 1 else short)
    return entries


_GENERIC_FIELD_PARTS = frozenset({"đăng ký", "quản lý", "hoạt động", "thành lập", "cấp", "chính sách", "dữ liệu"})
# Parts of field names that citizens use in their everyday sense, not to name a lĩnh vực: "cán
# bộ" is the official at the desk, "lệ phí" the fee they ask about, "khiếu nại"/"tố cáo" what they
# want to file, "định danh" their VNeID account. The whole field names stay.
_EVERYDAY_FIELD_PARTS = frozenset({"cán bộ", "lệ phí", "phí", "khiếu nại", "tố cáo", "định danh"})


def field_entries(rows: list[dict]) -> dict[str, str]:
    """Field (lĩnh vực) surface -> catalog field; its parts ("cư trú" of "Đăng ký, quản lý cư trú")."""
    entries: dict[str, str] = {}
    for field in sorted({row["field"] for row in rows if row["field"]}):
        entries.setdefault(field.lower(), field)
    for field in sorted({row["field"] for row in rows if row["field"]}):
        for part in re.split(r",\s*|\s+và\s+|\s*\(|\)", field):
            part = part.strip().lower()
            part = re.sub(r"^(?:quản lý|đăng ký|cấp|hoạt động|thành lập)\s+", "", part)
            if part in _GENERIC_FIELD_PARTS | _EVERYDAY_FIELD_PARTS:
                continue
            if len(part.split()) >= 2 or part in {"thuế", "thú y"}:
                entries.setdefault(part, field)
    return entries


def _address_data() -> dict:
    import underthesea

    return json.loads((Path(underthesea.__file__).parent.parent / ADDRESS_DATA).read_text(encoding="utf-8"))


def location_entries(data: dict | None = None) -> dict[str, str]:
    """Province surface (new and pre-2025 names, with or without "tỉnh") -> current province name."""
    data = _address_data() if data is None else data
    new_names, old_names = data["province_names"], data["old_province_names"]
    mapping = data["province_mapping"]
    entries: dict[str, str] = {}
    for key, info in sorted(new_names.items()):
        for surface in (info["short"], info["name"], *LOCATION_ALIASES.get(key, ())):
            entries.setdefault(_clean(surface).lower(), info["name"])
    for key, info in sorted(old_names.items()):
        target = new_names.get(mapping.get(key, key), info)
        for surface in (info["short"], info["name"]):
            entries.setdefault(_clean(surface).lower(), target["name"])
    return entries


def _training_synonyms() -> dict[str, str]:
    """Lower-cased surface or value -> value, as Rasa's EntitySynonymMapper derives them from the
    annotations of the training data (a value also maps to itself)."""
    explicit: dict[str, str] = {}
    markup = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<entity>[^)]+)\)|(?P<json>\{[^}]*\}))")
    for path in sorted((ROOT / "data" / "nlu").rglob("*.yml")):
        if path == OUTPUT or path.name == "corrections.yml":
            continue  # the console rewrites corrections.yml on every export: never an input here
        for match in markup.finditer(path.read_text(encoding="utf-8")):
            value = match.group("text")
            if match.group("json"):
                value = json.loads(match.group("json")).get("value") or value
                if value != match.group("text"):
                    explicit.setdefault(match.group("text").lower(), value)
            explicit.setdefault(value.lower(), value)
    return explicit


def _resolve(entries: dict[str, str], canonical: str) -> str:
    """Follow chains ("thai sản" -> "chế độ thai sản" -> "hưởng chế độ thai sản") to their end."""
    for _ in range(5):
        following = entries.get(canonical.lower(), canonical)
        if following == canonical:
            break
        canonical = following
    return canonical


def render(tables: dict[str, dict[str, str]]) -> tuple[str, str]:
    """The Rasa NLU YAML (lookup tables, accented + folded, and synonym blocks) and the gazetteer
    JSON (every surface -> canonical value, per entity type) that ``bot.nlu.lookups`` reads.

    Rasa synonyms leave out surfaces the training data maps to another value (Rasa would warn
    about conflicts); the gazetteer keeps them all."""
    taken = _training_synonyms()
    synonyms: dict[str, set[str]] = defaultdict(set)
    owner: dict[str, str] = {}
    gazetteer: dict[str, dict[str, str]] = {}
    lines = [
        "# generated by scripts/generate_nlu_lookups.py, do not edit",
        "# Lookup tables and synonyms of procedure, field and location: catalog names, colloquial",
        "# names (portal/search/synonyms.yml) and provinces (underthesea address data).",
        'version: "3.1"',
        "nlu:",
    ]
    for entity, entries in tables.items():
        surfaces = set()
        for surface, canonical in entries.items():
            canonical = _resolve(entries, canonical)
            for form in {surface, fold_accents(surface)}:
                if owner.setdefault(form, canonical) != canonical:
                    continue  # one surface, one canonical value (first table and entry win)
                surfaces.add(form)
                gazetteer.setdefault(entity, {})[form] = canonical
                if form != canonical and taken.get(form, canonical) == canonical:
                    synonyms[canonical].add(form)
        lines += [f"  - lookup: {entity}", "    examples: |"]
        lines += [f"      - {surface}" for surface in sorted(surfaces)]
    for canonical in sorted(synonyms):
        lines += [f"  - synonym: {json.dumps(canonical, ensure_ascii=False)}", "    examples: |"]
        lines += [f"      - {surface}" for surface in sorted(synonyms[canonical])]
    ordered = {entity: dict(sorted(values.items())) for entity, values in gazetteer.items()}
    return "\n".join(lines) + "\n", json.dumps(ordered, ensure_ascii=False, indent=0, sort_keys=False) + "\n"


def build() -> tuple[str, str]:
    """The contents procedure_lookup.yml and gazetteer.json must have."""
    synonyms = yaml.safe_load(SYNONYMS.read_text(encoding="utf-8"))
    rows = catalog_rows()
    return render(
        {
            "procedure": procedure_entries(rows, synonyms),
            "field": field_entries(rows),
            "location": location_entries(),
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    outputs = dict(zip((OUTPUT, GAZETTEER), build(), strict=True))
    if args.check:
        for path, content in outputs.items():
            if not path.exists() or path.read_text(encoding="utf-8") != content:
                print(f"{path.relative_to(ROOT)} is out of date; re-run scripts/generate_nlu_lookups.py")
                return 1
        return 0
    for path, content in outputs.items():
        path.write_text(content, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} ({content.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
