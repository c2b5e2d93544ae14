"""``StructuredEntityExtractor``: dossier codes, 12-digit ID numbers and mobile phone numbers.

These entities have a fixed shape, so a regex is more reliable than DIET, needs no training
examples and yields a normalized value the actions can use directly:

* ``dossier_code`` -> upper-case canonical code ``000.00.01.H29-240115-0001`` (citizens type
  spaces, lower case, or no dots);
* ``id_number`` -> the 12 digits (số định danh cá nhân / CCCD);
* ``phone_number`` -> national format ``0xxxxxxxxx`` (also from ``+84 ...``).

The patterns are the ones the tokenizer protects (:mod:`common.text.patterns`), and they run on the
same normalized view, so ``start``/``end`` always point into the ORIGINAL message text and
coincide with token boundaries.

Procedure, field (lĩnh vực) and location entities come from the gazetteers of
:mod:`bot.nlu.lookups` (finder ``lookups``), with canonical values (catalog procedure name,
catalog field, current province or commune). They are less certain than the fixed-shape
entities, so with ``lookup_mode: fill`` (default) they only fill gaps: a lookup entity is added
when no entity of the same type (e.g. from DIET) overlaps it; ``replace`` treats them like codes.

``aspect`` entities mark what a message asks about a procedure (documents, fee, time, agency,
steps, online), one per cue, from :mod:`bot.nlu.aspects`; a cue inside a procedure's name
("giấy tờ" in a name) is part of the name, not a question.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.alignment import NormalizedView, normalized_view
from bot.nlu.aspects import ASPECT, aspect_entities
from bot.nlu.component import ConfigComponent
from bot.nlu.lookups import LOOKUP_TYPES, find_lookup_entities
from common.text.patterns import (
    DOSSIER_CODE,
    ID_NUMBER,
    PHONE_NUMBER,
    canonical_dossier_code,
    canonical_id_number,
    canonical_phone_number,
    find_protected,
)

_CANONICAL: dict[str, Callable[[str], str]] = {
    DOSSIER_CODE: canonical_dossier_code,
    ID_NUMBER: canonical_id_number,
    PHONE_NUMBER: canonical_phone_number,
}


def _pattern_entities(view: NormalizedView) -> list[dict[str, Any]]:
    """Entities of the protected kinds that have a canonical value."""
    entities = []
    for span in find_protected(view.text):
        canonical = _CANONICAL.get(span.kind)
        if canonical is None:
            continue
        start, end = view.original_span(span.start, span.end)
        entities.append(
            {
                ENTITY_ATTRIBUTE_TYPE: span.kind,
                ENTITY_ATTRIBUTE_START: start,
                ENTITY_ATTRIBUTE_END: end,
                ENTITY_ATTRIBUTE_VALUE: canonical(view.text[span.start : span.end]),
            }
        )
    return entities


def _lookup_entities(view: NormalizedView) -> list[dict[str, Any]]:
    """Procedure, field and location entities from the gazetteers (offsets into the original)."""
    entities = []
    for entity in find_lookup_entities(view.text):
        start, end = view.original_span(entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END])
        entities.append({**entity, ENTITY_ATTRIBUTE_START: start, ENTITY_ATTRIBUTE_END: end})
    return entities


# Finder name -> (entity types it can produce, function). Lookup-table finders go here.
_FINDERS: dict[str, tuple[frozenset[str], Callable[[NormalizedView], list[dict[str, Any]]]]] = {
    "patterns": (frozenset(_CANONICAL), _pattern_entities),
    "lookups": (frozenset(LOOKUP_TYPES), _lookup_entities),
    "aspects": (frozenset({ASPECT}), aspect_entities),
}
_FILL_TYPES = frozenset(LOOKUP_TYPES)


def extract_entities(text: str, entity_types: frozenset[str] | None = None) -> list[dict[str, Any]]:
    """All structured entities of ``text`` (offsets into ``text``), sorted by start."""
    view = normalized_view(text)
    found: list[dict[str, Any]] = []
    for types, finder in _FINDERS.values():
        if entity_types is not None and not (types & entity_types):
            continue
        found.extend(finder(view))
    if entity_types is not None:
        found = [e for e in found if e[ENTITY_ATTRIBUTE_TYPE] in entity_types]
    return sorted(found, key=lambda e: (e[ENTITY_ATTRIBUTE_START], e[ENTITY_ATTRIBUTE_END]))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class StructuredEntityExtractor(ConfigComponent, GraphComponent, EntityExtractorMixin):
    """Regex extractor for dossier codes, ID numbers and phone numbers, with normalized values."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Component defaults."""
        return {
            # Entity types to extract (dossier_code, id_number, phone_number, procedure, field,
            # location, aspect).
            "entities": sorted(_CANONICAL),
            # Drop entities of the same type another extractor (e.g. DIET) already found
            # overlapping the same characters, so slots are not filled twice.
            "replace_overlapping": True,
            # "fill": lookup entities (procedure, field, location) are only added where no entity
            # of their type overlaps; "replace": they replace overlapping ones like codes do.
            "lookup_mode": "fill",
            # Entity types whose pieces from other extractors are joined when only a few plain
            # words separate them (DIET tags word by word and splits "đăng ký | nuôi | con nuôi").
            "merge_fragments": [],
        }

    def __init__(self, config: dict[str, Any]) -> None:
        """Validate and keep the config."""
        known = set().union(*(types for types, _ in _FINDERS.values()))
        unknown = set(config.get("entities", [])) - known
        if unknown:
            raise InvalidConfigException(f"{type(self).__name__}: unknown entity types {sorted(unknown)}")
        self._types = frozenset(config.get("entities", []))
        self._replace = bool(config.get("replace_overlapping", True))
        self._lookup_mode = config.get("lookup_mode", "fill")
        self._merge_types = frozenset(config.get("merge_fragments", []))
        if self._lookup_mode not in ("fill", "replace"):
            raise InvalidConfigException(f"{type(self).__name__}: lookup_mode must be 'fill' or 'replace'")

    def process(self, messages: list[Message]) -> list[Message]:
        """Append extracted entities (with ``extractor`` set) to each message's entities."""
        for message in messages:
            text = message.get(TEXT)
            if not text or not self._types:
                continue
            found = self.add_extractor_name(extract_entities(text, self._types))
            existing = message.get(ENTITIES, [])
            if self._lookup_mode == "fill":
                fill = [e for e in found if e[ENTITY_ATTRIBUTE_TYPE] in _FILL_TYPES]
                found = [e for e in found if e[ENTITY_ATTRIBUTE_TYPE] not in _FILL_TYPES]
            else:
                fill = []
            if self._replace:
                existing = [e for e in existing if not _overlaps_any(e, found)]
            kept = _merge_fragments(text, existing + found, self._merge_types)
            for entity in fill:
                if _names_a_field_of_a_procedure(entity, kept):
                    continue
                if all(_within(e, entity) for e in kept if _overlaps_any(e, [entity])):
                    # The gazetteer span covers what DIET found of its type; it also knows the
                    # type better than DIET of the spans it covers ("Lào Cai" is no field).
                    kept = [e for e in kept if not _within(e, entity)] + [entity]
            kept = [e for e in kept if not _names_part_of_a_procedure(e, kept)]
            message.set(ENTITIES, kept, add_to_output=True)
        return messages


_GAP_WORDS = 3
_GAP_BREAK = re.compile(r"[,;.!?]|(?<!\w)(?:và|va|hoặc|hoac|hay|với|voi|vs)(?!\w)", re.IGNORECASE)


def _merge_fragments(text: str, entities: list[dict[str, Any]], types: frozenset[str]) -> list[dict[str, Any]]:
    """Join same-type entities separated by at most ``_GAP_WORDS`` words and no list separator."""
    if not types:
        return entities
    result: list[dict[str, Any]] = []
    for entity in sorted(entities, key=lambda e: (e.get(ENTITY_ATTRIBUTE_START, -1), e.get(ENTITY_ATTRIBUTE_END, -1))):
        previous = next(
            (e for e in reversed(result) if e.get(ENTITY_ATTRIBUTE_TYPE) == entity.get(ENTITY_ATTRIBUTE_TYPE)), None
        )
        if (
            previous is not None
            and entity.get(ENTITY_ATTRIBUTE_TYPE) in types
            and previous is result[-1]
            and "start" in entity
            and "end" in previous
        ):
            gap = text[previous[ENTITY_ATTRIBUTE_END] : entity[ENTITY_ATTRIBUTE_START]]
            if len(gap.split()) <= _GAP_WORDS and not _GAP_BREAK.search(gap) and gap.strip() == gap.strip(" "):
                merged = dict(previous)
                merged[ENTITY_ATTRIBUTE_END] = entity[ENTITY_ATTRIBUTE_END]
                merged[ENTITY_ATTRIBUTE_VALUE] = text[merged[ENTITY_ATTRIBUTE_START] : merged[ENTITY_ATTRIBUTE_END]]
                result[-1] = merged
                continue
        result.append(entity)
    return result


def _names_a_field_of_a_procedure(entity: dict[str, Any], kept: list[dict[str, Any]]) -> bool:
    """A field (lĩnh vực) word inside a procedure name is part of the name, not a field asked
    about ("xác nhận cư trú" is not the field "cư trú")."""
    return entity[ENTITY_ATTRIBUTE_TYPE] == "field" and any(
        e.get(ENTITY_ATTRIBUTE_TYPE) == "procedure" and _within(entity, e) for e in kept
    )


def _names_part_of_a_procedure(entity: dict[str, Any], kept: list[dict[str, Any]]) -> bool:
    """An aspect cue inside a procedure name is part of the name, not a question about it."""
    return entity.get(ENTITY_ATTRIBUTE_TYPE) == ASPECT and any(
        e.get(ENTITY_ATTRIBUTE_TYPE) == "procedure" and _within(entity, e) for e in kept
    )


def _within(inner: dict[str, Any], outer: dict[str, Any]) -> bool:
    return (
        outer[ENTITY_ATTRIBUTE_START] <= inner.get(ENTITY_ATTRIBUTE_START, -1)
        and inner.get(ENTITY_ATTRIBUTE_END, -1) <= outer[ENTITY_ATTRIBUTE_END]
    )


def _overlaps_any(entity: dict[str, Any], others: list[dict[str, Any]]) -> bool:
    return any(
        entity.get(ENTITY_ATTRIBUTE_TYPE) == other[ENTITY_ATTRIBUTE_TYPE]
        and entity.get(ENTITY_ATTRIBUTE_START, -1) < other[ENTITY_ATTRIBUTE_END]
        and other[ENTITY_ATTRIBUTE_START] < entity.get(ENTITY_ATTRIBUTE_END, -1)
        for other in others
    )
