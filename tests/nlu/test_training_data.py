"""Checks on the NLU training data (data/nlu/**) and the held-out test set (tests/nlu_data/**).

The contract intents and entities are what dialogue and evaluation rely on; the held-out set is
only useful if it never leaks into training; entity spans must sit on word boundaries or DIET
drops them ("Misaligned entity annotation").
"""

from __future__ import annotations

import importlib.util
import re
import sys
import unicodedata
import warnings
from collections import Counter, defaultdict
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from common.text.normalize import has_diacritics, normalize_text

ROOT = Path(__file__).resolve().parents[2]
NLU_DIR = ROOT / "data" / "nlu"
TEST_DIR = ROOT / "tests" / "nlu_data"

SMALL_TALK = ("greet", "goodbye", "thank", "affirm", "deny", "bot_challenge")
TASK_INTENTS = (
    "ask_procedure",
    "ask_documents",
    "ask_fee",
    "ask_processing_time",
    "ask_agency",
    "ask_steps",
    "ask_online",
    "search_procedure",
    "check_dossier_status",
    "inform",
    "request_human",
    "complain",
    "out_of_scope",
)
CONTRACT_INTENTS = (*SMALL_TALK, *TASK_INTENTS, "faq")
CONTRACT_ENTITIES = ("procedure", "dossier_code", "id_number", "phone_number", "field", "location", "aspect")
# Entities only buttons send (payload "/intent{...}"), never annotated in NLU data.
BUTTON_ENTITIES = ("procedure_case",)
MIN_SMALL_TALK, MIN_TASK, MIN_FAQ_KEYS, MIN_PER_FAQ_KEY = 20, 40, 30, 6
MIN_TEST_TOTAL, MIN_TEST_PER_INTENT = 400, 12


def _load_script(name: str) -> ModuleType:
    path = ROOT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module


gen = _load_script("generate_nlu_variants")


def _hand_written():
    return gen.load_all(gen.HAND_WRITTEN)


def _generated():
    return gen.load_examples(gen.VARIANTS)


def _console_managed():
    return gen.load_all(path for path in gen.CONSOLE_MANAGED if path.exists())


def _training():
    return [*_hand_written(), *_generated(), *_console_managed()]


def _test_set():
    return gen.load_examples(gen.TEST_SET)


def _blind_set():
    return gen.load_examples(gen.BLIND_SET)


def _messy_set():
    return gen.load_examples(gen.MESSY_SET)


def _held_out():
    return [*_test_set(), *_blind_set(), *_messy_set()]


def _base_intent(intent: str) -> str:
    return intent.split("/", 1)[0]


def _nlu_files() -> list[Path]:
    return sorted([*NLU_DIR.rglob("*.yml"), *TEST_DIR.rglob("*.yml")])


def test_every_nlu_file_is_in_the_parser_view():
    """The script's parser sees every intent example Rasa sees (no file or block forgotten).

    Lookup tables, synonyms and regexes (generated from the catalog by another task) may live in
    other files; intent examples may not."""
    in_script = {path.resolve() for path in (*gen.HAND_WRITTEN, gen.VARIANTS, *gen.CONSOLE_MANAGED)}
    for path in NLU_DIR.rglob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        intent_blocks = [block for block in data.get("nlu") or [] if "intent" in block]
        if intent_blocks:
            assert path.resolve() in in_script, f"{path} has intent examples the generator and these tests ignore"
        for block in intent_blocks:
            assert set(block) <= {"intent", "examples", "metadata"}, f"{path}: unexpected block {sorted(block)}"


def test_contract_intents_have_enough_hand_written_examples():
    counts = Counter(_base_intent(example.intent) for example in _hand_written())
    for intent in SMALL_TALK:
        assert counts[intent] >= MIN_SMALL_TALK, f"{intent}: {counts[intent]} examples"
    for intent in TASK_INTENTS:
        assert counts[intent] >= MIN_TASK, f"{intent}: {counts[intent]} examples"
    faq_keys = Counter(example.intent for example in _hand_written() if example.intent.startswith("faq/"))
    assert len(faq_keys) >= MIN_FAQ_KEYS
    for key, count in faq_keys.items():
        assert count >= MIN_PER_FAQ_KEY, f"{key}: {count} examples"
    assert set(counts) <= set(CONTRACT_INTENTS), f"intents outside the contract: {set(counts) - set(CONTRACT_INTENTS)}"


def test_domain_lists_contract_intents_and_entities():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert set(CONTRACT_INTENTS) <= set(domain["intents"])
    assert set(domain["entities"]) == set(CONTRACT_ENTITIES) | set(BUTTON_ENTITIES)


def test_every_faq_key_has_an_answer_and_every_answer_a_key():
    responses = yaml.safe_load((NLU_DIR / "faq_responses.yml").read_text(encoding="utf-8"))["responses"]
    keys = {example.intent for example in _hand_written() if example.intent.startswith("faq/")}
    answered = {name.removeprefix("utter_") for name in responses}
    assert keys == answered
    for name, variations in responses.items():
        for variation in variations:
            text = variation["text"]
            assert has_diacritics(text) and len(text) < 2000, name


@pytest.mark.parametrize("path", _nlu_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_files_are_nfc_with_traditional_tone_placement(path: Path):
    text = path.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)
    for number, line in enumerate(text.splitlines(), start=1):
        assert normalize_text(line) == line, f"{path.name}:{number}: {line!r} -> {normalize_text(line)!r}"


def test_only_contract_entities_are_annotated():
    for example in [*_training(), *_held_out()]:
        for segment in example.segments:
            if segment.entity is not None:
                assert segment.entity in CONTRACT_ENTITIES, example.markup()


def _entity_spans(example):
    position = 0
    for segment in example.segments:
        if segment.entity is not None:
            yield position, position + len(segment.text), segment
        position += len(segment.text)


def test_entity_spans_are_whole_words():
    for example in [*_training(), *_held_out()]:
        text = example.text
        for start, end, segment in _entity_spans(example):
            assert segment.text == segment.text.strip(), f"spaces inside the annotation: {example.markup()}"
            assert start == 0 or not text[start - 1].isalnum(), f"starts inside a word: {example.markup()}"
            assert end == len(text) or not text[end].isalnum(), f"ends inside a word: {example.markup()}"


def test_entity_spans_align_with_the_project_tokenizer():
    """The real tokenizer (underthesea words) puts a token boundary at every entity edge."""
    tokenizer_module = pytest.importorskip("bot.nlu.tokenizer")
    tokenizer = tokenizer_module.VietnameseTokenizer(tokenizer_module.VietnameseTokenizer.get_default_config())
    misaligned = []
    for example in [*_training(), *_held_out()]:
        spans = list(_entity_spans(example))
        if not spans:
            continue
        tokens = tokenizer.tokenize_text(example.text)
        starts, ends = {token.start for token in tokens}, {token.end for token in tokens}
        misaligned += [example.markup() for start, end, _ in spans if start not in starts or end not in ends]
    assert not misaligned, "\n".join(misaligned)


def test_structured_entities_have_their_shape():
    shapes = {
        "dossier_code": re.compile(r"(?:\d{3}\.\d{2}\.\d{2}\.)?[A-Z]\d{2}(?:\.\d{2,3})?-\d{6}-\d{4}"),
        "id_number": re.compile(r"\d{12}"),
        "phone_number": re.compile(r"0[35789]\d{8}"),
    }
    for example in [*_training(), *_held_out()]:
        for segment in example.segments:
            if segment.entity in shapes:
                value = segment.value or segment.text
                assert shapes[segment.entity].fullmatch(value), f"{segment.entity} value {value!r}: {example.markup()}"


def test_rasa_synonym_table_has_no_conflicts(tmp_path: Path):
    """Rasa's own EntitySynonymMapper, trained on the training files, warns about no conflict."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.extractors.entity_synonyms import EntitySynonymMapper
    from rasa.shared.nlu.training_data.loading import load_data

    mapper = EntitySynonymMapper.create(
        {},
        LocalModelStorage(tmp_path),
        Resource("synonyms"),
        ExecutionContext(GraphSchema({}), "test"),
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mapper.train(load_data(str(NLU_DIR)))
    conflicts = [str(warning.message) for warning in caught if "conflicting synonym" in str(warning.message)]
    assert not conflicts, "\n".join(conflicts)


def test_no_utterance_in_two_intents():
    intents_of: dict[str, set[str]] = defaultdict(set)
    for example in _training():
        intents_of[gen.utterance_key(example.text)].add(example.intent)
    clashes = {key: intents for key, intents in intents_of.items() if len(intents) > 1}
    assert not clashes


def test_held_out_set_never_appears_in_training():
    training_keys = {gen.utterance_key(example.text) for example in _training()}
    for path in (gen.TEST_SET, gen.TEST_COPY, gen.BLIND_SET, gen.MESSY_SET):
        leaked = [
            example.text for example in gen.load_examples(path) if gen.utterance_key(example.text) in training_keys
        ]
        assert not leaked, f"{path.name}: {leaked}"


def test_held_out_set_covers_every_intent_and_entity():
    examples = _test_set()
    assert len(examples) >= MIN_TEST_TOTAL
    counts = Counter(_base_intent(example.intent) for example in examples)
    for intent in CONTRACT_INTENTS:
        assert counts[intent] >= MIN_TEST_PER_INTENT, f"{intent}: {counts[intent]} test utterances"
    faq_keys = {example.intent for example in examples if example.intent.startswith("faq/")}
    assert len(faq_keys) >= 20
    entities = Counter(segment.entity for example in examples for segment in example.segments if segment.entity)
    for entity in CONTRACT_ENTITIES:
        if entity != "aspect":  # marked by the extractor, annotated in the messy slice only
            assert entities[entity] >= 3, f"{entity}: {entities[entity]} annotations in the test set"


def test_messy_slice_is_large_varied_and_partly_unaccented():
    """The second held-out slice (issue 13): at least 250 messages, the task intents well
    represented, every aspect value annotated, and about a third typed without accents."""
    examples = _messy_set()
    assert len(examples) >= 250
    counts = Counter(_base_intent(example.intent) for example in examples)
    for intent in TASK_INTENTS[:7]:
        assert counts[intent] >= 20, f"{intent}: {counts[intent]} messages"
    aspects = Counter(s.value for example in examples for s in example.segments if s.entity == "aspect")
    assert set(aspects) == {"documents", "fee", "time", "agency", "steps", "online"}
    two_questions = [e for e in examples if len({s.value for s in e.segments if s.entity == "aspect"}) >= 2]
    assert len(two_questions) >= 15
    unaccented = sum(not has_diacritics(example.text) for example in examples) / len(examples)
    assert 0.25 <= unaccented <= 0.5, unaccented


def test_aspects_are_never_annotated_in_training():
    """Aspects come from the cue patterns only; DIET learning them too would compete with them."""
    annotated = [e.markup() for e in _training() if any(s.entity == "aspect" for s in e.segments)]
    assert not annotated, annotated[:5]


def test_citizens_unaccented_typing_is_represented():
    """About a quarter of what citizens type has no diacritics; training must reflect that."""
    examples = _training()
    share = sum(not has_diacritics(example.text) for example in examples) / len(examples)
    assert 0.2 <= share <= 0.6, share


def test_generated_files_are_reproducible():
    assert gen.VARIANTS.read_text(encoding="utf-8") == gen.render_variants(), "re-run scripts/generate_nlu_variants.py"
    assert gen.TEST_COPY.read_text(encoding="utf-8") == gen.render_test_copy(), "re-run it with --test-copy"
    vocabulary = _load_script("generate_nlu_vocabulary")
    assert vocabulary.VOCABULARY_FILE.read_text(encoding="utf-8") == vocabulary.render(), "re-run make nlu-data"


def test_generated_variants_are_new_and_keep_entity_values():
    generated = _generated()
    assert generated
    assert gen.VARIANTS.read_text(encoding="utf-8").startswith("# generated by scripts/generate_nlu_variants.py")
    hand_written_keys = {gen.utterance_key(example.text) for example in _hand_written()}
    for example in generated:
        assert gen.utterance_key(example.text) not in hand_written_keys, example.markup()
        for segment in example.segments:
            if segment.entity is not None and segment.value is not None:
                assert has_diacritics(segment.value) or not has_diacritics(segment.text), example.markup()


def test_generator_recomputes_spans_and_values():
    example = gen.parse_example(
        "ask_fee", "lệ phí [đổi bằng lái](procedure) hồ sơ [000.00.01.H29-240115-0001](dossier_code)"
    )
    rng = gen.random.Random(0)
    folded = gen.transform_example(example, (gen.fold,), rng)
    assert folded.markup() == (
        'le phi [doi bang lai]{"entity": "procedure", "value": "đổi bằng lái"} ho so '
        '[000.00.01.h29-240115-0001]{"entity": "dossier_code", "value": "000.00.01.H29-240115-0001"}'
    )
    typo = gen.transform_example(example, (gen.fold, gen.typo, gen.teencode), rng)
    code = next(segment for segment in typo.segments if segment.entity == "dossier_code")
    assert code.text == "000.00.01.h29-240115-0001"  # codes are never given typos or teencode
