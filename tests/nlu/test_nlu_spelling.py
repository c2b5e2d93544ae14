"""Typo tolerance (bot/nlu/spelling.py) and where it acts: lemmas, word segmentation, gazetteer."""

from __future__ import annotations

import unicodedata

import pytest

from bot.nlu.entities import extract_entities
from bot.nlu.lookups import find_lookup_entities
from bot.nlu.segmentation import segment
from bot.nlu.spelling import SpellingCorrector, load_corrector, within_one_edit
from tests.nlu.conftest import HOSTILE_TEXTS, assert_well_formed

SMALL = SpellingCorrector({"đăng": 50, "đang": 5, "ký": 40, "cần": 30, "cân": 1, "căn": 6, "giấy": 20, "hướng": 9})


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [("dag", "dang", True), ("dang", "dag", True), ("dnag", "dang", True), ("dang", "dong", True),
     ("dang", "dong", True), ("dag", "dong", False), ("ky", "kyyy", False), ("dang", "dang", True)],
)  # fmt: skip
def test_within_one_edit_counts_insertions_deletions_substitutions_and_swaps(a, b, near):
    """The candidate filter is one edit (Damerau): two edits would turn most syllables into others."""
    assert within_one_edit(a, b) is near


def test_a_dropped_letter_is_restored_to_the_most_frequent_spelling_that_keeps_the_marks():
    """ "đăg" is one letter from "đăng" and "đang"; the typed "ă" and the frequency pick "đăng"."""
    assert SMALL.correct("đăg") == "đăng"
    assert SMALL.correct("hướg") == "hướng"


def test_a_wrong_tone_prefers_the_spelling_with_the_same_letters():
    """An unknown "cằn" and "cẩn" both fold to "can": the spelling whose letters were typed (only
    the tone differs) wins unless the other is several times as frequent."""
    corrector = SpellingCorrector({"cần": 10, "căn": 6})
    assert corrector.correct("cằn") == "căn"  # same letters as "căn", other tone
    assert corrector.correct("cẩn") == "cần"


def test_unaccented_typing_stays_unaccented():
    """A tone-less syllable with a known folded form is left alone; an unknown one gets the
    tone-less candidate, so unaccented messages keep matching the accent-free features."""
    assert SMALL.correct("dang") == "dang"
    assert SMALL.correct("dag") == "dang"


@pytest.mark.parametrize("word", ["cân", "Đăg", "passport", "form", "zalo", "ko", "ab", "123", "ĐĂG"])
def test_known_words_names_foreign_words_and_short_words_are_never_changed(word):
    """Known syllables, capitalised names, words with f/j/w/z, short words and digits: no guess."""
    assert SMALL.correct(word) == word


def test_lexicon_keys_are_kept_for_the_lexicon():
    """ "đky" is an abbreviation the lexicon expands; the corrector must not turn it into "ký"."""
    assert load_corrector().correct("đky") == "đky"


def test_generated_vocabulary_corrects_the_citizen_examples():
    """With the real vocabulary (catalog, hand-written data, lexicon), the issue's typos are fixed."""
    corrector = load_corrector()
    assert len(corrector) > 1000
    assert corrector.correct("đăg") == "đăng"
    assert corrector.correct("hướg") == "hướng"
    assert corrector.correct("nôp") == "nộp"
    assert corrector.correct("đăng") == "đăng"


def test_segmentation_groups_corrected_words_but_keeps_original_spans():
    """underthesea sees "đăng ký", the segment carries the corrected syllables, and the span is
    still the text as sent (so entity offsets never move)."""
    text = "hướg dẫn đăg ký kết hôn"
    words = segment(text, spell=load_corrector().correct)
    assert text[words[0].start : words[0].end] == "hướg dẫn"
    assert text[words[1].start : words[1].end] in ("đăg ký", "đăg ký kết hôn")
    assert words[0].syllables == ("hướng", "dẫn")
    assert words[1].syllables[0] == "đăng"


def test_tokenizer_lemmas_carry_the_correction_and_tokens_the_original_text(tokenizer):
    """Every lemma-reading featurizer sees "hướng_dẫn"; the token text is what the citizen typed."""
    text = unicodedata.normalize("NFD", "hướg dẫn nôp hồ sơ")
    tokens = tokenizer.tokenize_text(text)
    assert_well_formed(text, tokens)
    assert [t.lemma for t in tokens] == ["hướng_dẫn", "nộp", "hồ_sơ"]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_correction_keeps_hostile_texts_well_formed(tokenizer, text):
    """Spelling correction never breaks token offsets, whatever the input."""
    assert_well_formed(text, tokenizer.tokenize_text(text))


def test_gazetteer_finds_a_misspelt_procedure_with_the_span_as_typed():
    """ "đăg ký kết hôn" names the marriage procedure; the entity covers the words as sent."""
    text = "cho hỏi đăg ký kết hôn cân giấy tờ j"
    procedures = [e for e in extract_entities(text) if e["entity"] == "procedure"]
    assert [(text[e["start"] : e["end"]], e["value"]) for e in procedures] == [
        ("đăg ký kết hôn", "Thủ tục đăng ký kết hôn")
    ]


def test_gazetteer_expands_abbreviations_and_matches_partly_unaccented_spans():
    """ "đky" is "đăng ký" (lexicon) and "đăng ky kết hôn" mixes accented and bare words; each
    accented word must still be the surface's, so "sơ đồ" never becomes "sổ đỏ"."""
    text = "đky hộ kinh doanh hết nhiêu tiền"
    found = find_lookup_entities(text, ("procedure",))
    assert [text[e["start"] : e["end"]] for e in found] == ["đky hộ kinh doanh"]
    assert [e["value"] for e in find_lookup_entities("đăng ky kết hôn", ("procedure",))] == ["Thủ tục đăng ký kết hôn"]
    assert find_lookup_entities("vẽ sơ đồ nhà", ("procedure",)) == []
    assert find_lookup_entities("đang ky kết hôn", ("procedure",)) == []
