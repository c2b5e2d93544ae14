"""StructuredEntityExtractor: dossier codes, ID numbers, phone numbers with original offsets."""

from __future__ import annotations

import unicodedata

import pytest
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.entities import StructuredEntityExtractor, extract_entities
from tests.nlu.conftest import HOSTILE_TEXTS


def _extractor(**config) -> StructuredEntityExtractor:
    return StructuredEntityExtractor({**StructuredEntityExtractor.get_default_config(), **config})


def _run(text: str, **config) -> list[dict]:
    message = Message(data={TEXT: text})
    _extractor(**config).process([message])
    return message.get(ENTITIES, [])


def test_entities_point_into_nfd_original_with_canonical_values():
    """In NFD text typed with spaces and +84, offsets still slice the original and values are
    canonical: what actions and slot filling need."""
    text = unicodedata.normalize(
        "NFD", "Mã hồ sơ: 000 00 01 h29 - 240115 - 0001, CCCD 0010 9901 2345, sđt (+84) 912.345.678."
    )
    entities = _run(text)
    assert [(e["entity"], e["value"], text[e["start"] : e["end"]]) for e in entities] == [
        ("dossier_code", "000.00.01.H29-240115-0001", "000 00 01 h29 - 240115 - 0001"),
        ("id_number", "001099012345", "0010 9901 2345"),
        ("phone_number", "0912345678", "(+84) 912.345.678"),
    ]
    assert {e["extractor"] for e in entities} == {"StructuredEntityExtractor"}


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_entities_coincide_with_token_boundaries(tokenizer, text):
    """Every extracted entity starts on a token start and ends on a token end (codes are exactly
    one token; gazetteer matches may span several words), so DIET never sees a misaligned entity."""
    tokens = tokenizer.tokenize_text(text)
    starts, ends = {t.start for t in tokens}, {t.end for t in tokens}
    for entity in extract_entities(text):
        assert entity["start"] in starts and entity["end"] in ends, entity
        assert text[entity["start"] : entity["end"]].strip() == text[entity["start"] : entity["end"]]


@pytest.mark.parametrize("text", ["", "   ", "???", "😀", "Can I call 911?", "năm 2024 phí 200.000đ", "x" * 5000])
def test_hostile_input_yields_no_entities(text):
    """Nothing structured in the text means no entities (and no crash on huge input)."""
    assert _run(text) == []


def test_config_limits_entity_types():
    """Only the configured entity types are returned."""
    text = "hồ sơ H56.14-240823-0001 sđt 0912345678"
    assert [e["entity"] for e in _run(text, entities=["phone_number"])] == ["phone_number"]
    assert _run(text, entities=[]) == []


def test_unknown_entity_type_is_a_config_error():
    """A typo in the config fails at load time rather than silently extracting nothing."""
    with pytest.raises(InvalidConfigException):
        _extractor(entities=["dossier"])


def test_overlapping_entities_from_other_extractors_are_replaced():
    """If DIET already found the same phone number, the regex (normalized) version replaces it;
    other entities are kept."""
    text = "gọi 0912 345 678 ở Hà Nội"
    message = Message(data={TEXT: text})
    message.set(
        ENTITIES,
        [
            {"entity": "phone_number", "start": 4, "end": 8, "value": "0912", "extractor": "DIETClassifier"},
            {"entity": "location", "start": 19, "end": 25, "value": "Hà Nội", "extractor": "DIETClassifier"},
        ],
    )
    _extractor().process([message])
    assert [(e["entity"], e["value"], e["extractor"]) for e in message.get(ENTITIES)] == [
        ("location", "Hà Nội", "DIETClassifier"),
        ("phone_number", "0912345678", "StructuredEntityExtractor"),
    ]


def test_registered_as_entity_extractor():
    """Rasa treats the class as a non-trainable entity extractor."""
    registered = DefaultV1Recipe._registered_components[StructuredEntityExtractor.__name__]
    assert DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR in registered.types
    assert registered.is_trainable is False


def _with_diet(text: str, diet: list[tuple[str, int, int]], **config) -> list[tuple[str, str, str]]:
    message = Message(data={TEXT: text})
    message.set(
        ENTITIES,
        [{"entity": t, "start": s, "end": e, "value": text[s:e], "extractor": "DIETClassifier"} for t, s, e in diet],
    )
    _extractor(entities=["procedure", "location"], **config).process([message])
    return [(e["entity"], text[e["start"] : e["end"]], e["extractor"]) for e in message.get(ENTITIES)]


def test_gazetteer_fills_gaps_and_replaces_only_fragments_it_covers():
    """A gazetteer procedure is added where DIET found nothing, replaces DIET pieces inside its
    span (with the catalog value), and never cuts a longer DIET span."""
    text = "đổi bằng lái ở Hà Nội"
    assert _with_diet(text, []) == [
        ("procedure", "đổi bằng lái", "StructuredEntityExtractor"),
        ("location", "Hà Nội", "StructuredEntityExtractor"),
    ]
    assert ("procedure", "đổi bằng lái", "StructuredEntityExtractor") in _with_diet(text, [("procedure", 4, 12)])
    longer = _with_diet(text, [("procedure", 0, 21)])
    assert [e for e in longer if e[0] == "procedure"] == [("procedure", text, "DIETClassifier")]


def test_fragments_of_one_procedure_are_joined_but_lists_are_not():
    """DIET's word-by-word pieces of one procedure become one entity; "A và B" stays two."""
    text = "thủ tục đăng ký chấm dứt giám hộ"
    joined = _with_diet(text, [("procedure", 8, 15), ("procedure", 25, 32)], merge_fragments=["procedure"])
    assert [e[:2] for e in joined] == [("procedure", "đăng ký chấm dứt giám hộ")]
    text = "khai sinh và khai tử"
    kept = _with_diet(text, [("procedure", 0, 9), ("procedure", 13, 20)], merge_fragments=["procedure"])
    assert [e[1] for e in kept] == ["khai sinh", "khai tử"]


def test_field_word_inside_a_procedure_name_is_not_a_field():
    """ "xác nhận cư trú" names a procedure; its word "cư trú" must not also come out as the
    field (lĩnh vực) cư trú, while a field asked about on its own still does."""
    message = Message(data={TEXT: "xin xác nhận cư trú ở đâu"})
    _extractor(entities=["procedure", "field"]).process([message])
    assert [e["entity"] for e in message.get(ENTITIES)] == ["procedure"]
    message = Message(data={TEXT: "các thủ tục lĩnh vực cư trú"})
    _extractor(entities=["procedure", "field"]).process([message])
    assert [e["entity"] for e in message.get(ENTITIES)] == ["field"]


def test_gazetteer_place_replaces_a_diet_span_of_another_type_it_covers():
    """DIET sometimes tags a province as a field; the gazetteer knows "Lào Cai" is a location."""
    text = "em ở Lào Cai"
    assert _with_diet(text, [("field", 5, 12)]) == [("location", "Lào Cai", "StructuredEntityExtractor")]
