"""Gazetteer entities (bot/nlu/lookups.py) and their generated tables (scripts/generate_nlu_lookups.py)."""

from __future__ import annotations

import importlib.util
import sys
import unicodedata
from pathlib import Path

import pytest

from bot.nlu.entities import extract_entities
from bot.nlu.lookups import find_lookup_entities

ROOT = Path(__file__).resolve().parents[2]


def _generator():
    path = ROOT / "scripts" / "generate_nlu_lookups.py"
    spec = importlib.util.spec_from_file_location("generate_nlu_lookups", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    not (ROOT.parent / "shared" / "data" / "tthc_catalog_2026.jsonl.gz").exists(), reason="catalog not available"
)
def test_generated_lookup_files_are_reproducible():
    """procedure_lookup.yml and gazetteer.json are exactly what the generator writes today:
    committed outputs never drift from the catalog, synonyms.yml and the training data."""
    gen = _generator()
    lookup, gazetteer = gen.build()
    assert gen.OUTPUT.read_text(encoding="utf-8") == lookup, "re-run scripts/generate_nlu_lookups.py"
    assert gen.GAZETTEER.read_text(encoding="utf-8") == gazetteer, "re-run scripts/generate_nlu_lookups.py"


def _values(text: str) -> list[tuple[str, str, str]]:
    return [(e["entity"], text[e["start"] : e["end"]], e["value"]) for e in find_lookup_entities(text)]


def test_colloquial_procedure_names_map_to_the_catalog_name():
    """ "đổi bằng lái" is the catalog's "Đổi giấy phép lái xe", accented or not."""
    assert ("procedure", "đổi bằng lái", "Đổi giấy phép lái xe") in _values("đổi bằng lái ở đâu")
    assert ("procedure", "doi bang lai", "Đổi giấy phép lái xe") in _values("doi bang lai o dau")


def test_accented_text_must_match_accented_surface():
    """An accented word only matches its own accents ("sơ đồ" is not "sổ đỏ")."""
    assert not [v for v in _values("xem sơ đồ khu đất") if v[1] == "sơ đồ"]


def test_everyday_words_are_not_fields_but_named_fields_are():
    """ "cán bộ" (the official) and "lệ phí" (the fee) are what citizens talk about, not a lĩnh vực;
    "hộ tịch" still is one."""
    assert [v[0] for v in _values("cán bộ thu lệ phí sai")] == []
    assert ("field", "hộ tịch") in [v[:2] for v in _values("các thủ tục hộ tịch")]


def test_old_provinces_map_to_the_merged_province_and_addresses_join():
    """Pre-2025 units map to today's: an old commune address becomes its current unit."""
    text = "nhà tôi ở xã Tân Phú, huyện Châu Thành, tỉnh Bến Tre"
    assert ("location", "xã Tân Phú, huyện Châu Thành, tỉnh Bến Tre", "Xã Tân Phú, Tỉnh Vĩnh Long") in _values(text)
    assert ("location", "tp hcm", "Thành phố Hồ Chí Minh") in _values("em ở tp hcm")


def test_lookup_offsets_point_into_nfd_text():
    """Offsets are into the message as sent, also for NFD input."""
    text = unicodedata.normalize("NFD", "đổi bằng lái ở Hà Nội")
    entities = extract_entities(text, frozenset({"procedure", "location"}))
    assert [text[e["start"] : e["end"]] for e in entities] == [
        unicodedata.normalize("NFD", "đổi bằng lái"),
        unicodedata.normalize("NFD", "Hà Nội"),
    ]
