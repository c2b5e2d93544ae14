"""VietnameseTokenizer: exact offsets, normalized lemmas, teencode, protected spans."""

from __future__ import annotations

import time
import unicodedata

import pytest
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import bot.nlu.segmentation as segmentation
from bot.nlu.tokenizer import KIND_KEY, VietnameseTokenizer
from tests.nlu.conftest import HOSTILE_TEXTS, assert_well_formed


def _lemmas(tokenizer: VietnameseTokenizer, text: str) -> list[str]:
    return [token.lemma for token in tokenizer.tokenize_text(text)]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_tokens_are_exact_spans_of_hostile_input(tokenizer, text):
    """Whatever arrives (empty, whitespace, emoji, NFD, codes, English), every token is the original
    span text[start:end], tokens are ordered and non-overlapping: entity offsets depend on it."""
    assert_well_formed(text, tokenizer.tokenize_text(text))


def test_five_thousand_characters(tokenizer):
    """A 5,000-character message is tokenized completely, aligned, and in reasonable time."""
    unit = unicodedata.normalize(
        "NFD", "Cho hỏi thủ tục đăng ký khai sinh cần giấy tờ gì, mã 000.00.01.H29-240115-0001? "
    )
    text = (unit * (5000 // len(unit) + 1))[:5000]
    started = time.perf_counter()
    tokens = tokenizer.tokenize_text(text)
    assert time.perf_counter() - started < 5
    assert_well_formed(text, tokens)
    assert tokens[-1].end >= len(text.rstrip(" ?,")) - 2


def test_empty_and_whitespace_have_no_tokens(tokenizer):
    """Empty or whitespace-only messages produce no tokens (never a token of whitespace)."""
    assert tokenizer.tokenize_text("") == []
    assert tokenizer.tokenize_text(" \n\t\u00a0") == []


def test_punctuation_or_emoji_only_is_one_token(tokenizer):
    """A message of only punctuation/emoji keeps one token (like WhitespaceTokenizer), so the
    featurizers and DIET always have something to look at."""
    for text in ["???", " :) ", "😀👍🏽"]:
        tokens = tokenizer.tokenize_text(text)
        assert [t.text for t in tokens] == [text.strip()]
        assert_well_formed(text, tokens)


def test_punctuation_and_emoji_are_dropped_between_words(tokenizer):
    """Punctuation glued to words and emoji do not become tokens or stick to words."""
    tokens = tokenizer.tokenize_text("Xin chào😀,bạn ơi!!")
    assert [syllable for t in tokens for syllable in t.text.split()] == ["Xin", "chào", "bạn", "ơi"]


def test_multi_syllable_words_have_underscore_lemmas(tokenizer):
    """Segmented words keep spaces in the text but join syllables with "_" in the lemma, so
    CountVectorsFeaturizer keeps "giấy tờ" as one feature."""
    tokens = tokenizer.tokenize_text("Làm căn cước công dân cần giấy tờ gì")
    lemmas = {t.text: t.lemma for t in tokens}
    assert lemmas["căn cước"] == "căn_cước"
    assert lemmas["giấy tờ"] == "giấy_tờ"
    assert lemmas["Làm"] == "làm"


def test_nfd_and_both_tone_placements_give_the_same_lemmas(tokenizer):
    """NFC, NFD, "hoà" and "hòa" spellings are the same word to the model (same lemmas),
    while token text stays exactly what the citizen typed."""
    traditional = "Đăng ký kết hôn ở Thanh Hóa, hòa giải ủy ban"
    modern = "Đăng ký kết hôn ở Thanh Hoá, hoà giải uỷ ban"
    variants = [traditional, modern, unicodedata.normalize("NFD", traditional), unicodedata.normalize("NFD", modern)]
    results = [_lemmas(tokenizer, text) for text in variants]
    assert all(result == results[0] for result in results)
    nfd = variants[3]
    tokens = tokenizer.tokenize_text(nfd)
    assert "".join(t.text for t in tokens).replace(" ", "") == "".join(ch for ch in nfd if ch not in " ,"), (
        "NFD token text must be the NFD original, not a normalized copy"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ko", "không"),
        ("K", "không"),
        ("hok", "không"),
        ("khum", "không"),
        ("dc", "được"),
        ("đc", "được"),
        ("bn", "bao_nhiêu"),
        ("vs", "với"),
        ("bik", "biết"),
        ("dk", "đăng_ký"),
        ("ĐK", "đăng_ký"),
    ],
)
def test_teencode_expands_into_the_lemma(tokenizer, text, expected):
    """Teencode is expanded in the lemma (what the features see) and never in the token text."""
    [token] = tokenizer.tokenize_text(text)
    assert token.text == text
    assert token.lemma == expected


def test_abbreviation_expansion_is_segmented_like_written_words(tokenizer):
    """Abbreviations "cccd" and "gplx" expand to lemmas made of the same words a citizen would type out, so
    CountVectorsFeaturizer yields the same word features."""
    cccd = tokenizer.tokenize_text("cccd")[0].lemma
    assert cccd.replace("_", " ") == "căn cước công dân"
    assert "công_dân" in cccd.split()
    assert tokenizer.tokenize_text("GPLX")[0].lemma.replace("_", " ") == "giấy phép lái xe"
    assert tokenizer.tokenize_text("hkd")[0].lemma.replace("_", " ") == "hộ kinh doanh"


def test_emphasis_letters_are_squashed_before_expansion(tokenizer):
    """ "chàooo" and "khummm" give the lemmas of "chào" and "không"; the token text stays as typed."""
    tokens = tokenizer.tokenize_text("chàooo khummm")
    assert [t.text for t in tokens] == ["chàooo", "khummm"]
    assert [t.lemma for t in tokens] == ["chào", "không"]


def test_ambiguous_abbreviations_are_not_expanded(tokenizer):
    """Ambiguous "tt" (tạm trú / thanh toán) and "hs" (hồ sơ / học sinh) need context: left as typed."""
    assert _lemmas(tokenizer, "tt hs") == ["tt", "hs"]


def test_expansion_can_be_disabled():
    """With expand_teencode false the lemma is only the normalized token."""
    config = {**VietnameseTokenizer.get_default_config(), "expand_teencode": False}
    assert [t.lemma for t in VietnameseTokenizer(config).tokenize_text("ko dc")] == ["ko", "dc"]


@pytest.mark.parametrize(
    ("text", "span", "kind"),
    [
        ("tra mã 000.00.01.H29-240115-0001 giúp", "000.00.01.H29-240115-0001", "dossier_code"),
        ("ma 000 00 01 h29 - 240115 - 0001 nhe", "000 00 01 h29 - 240115 - 0001", "dossier_code"),
        ("hồ sơ H56.14-240823-0001.", "H56.14-240823-0001", "dossier_code"),
        ("số định danh 001099012345 ạ", "001099012345", "id_number"),
        ("gọi 0912 345 678 nhé", "0912 345 678", "phone_number"),
        ("gọi +84912345678", "+84912345678", "phone_number"),
        ("vào https://dichvucong.gov.vn/p/home.html, xong", "https://dichvucong.gov.vn/p/home.html", "url"),
        ("mail abc.xyz@gmail.com.", "abc.xyz@gmail.com", "email"),
        ("phí 200.000 đồng", "200.000", "number"),
    ],
)
def test_protected_spans_are_one_token(tokenizer, text, span, kind):
    """Codes, IDs, phones, URLs and e-mails survive segmentation as ONE token (so entities align)."""
    tokens = tokenizer.tokenize_text(text)
    assert_well_formed(text, tokens)
    matching = [t for t in tokens if t.text == span]
    assert len(matching) == 1, [t.text for t in tokens]
    assert matching[0].get(KIND_KEY) == kind


def test_protected_spans_get_placeholder_lemmas(tokenizer):
    """For intent classification "a code/phone was given" matters, not its digits."""
    tokens = tokenizer.tokenize_text("mã 000.00.01.H29-240115-0001 sđt 0912345678 cccd 001099012345")
    assert [t.lemma for t in tokens if t.lemma.startswith("__")] == [
        "__dossier_code__",
        "__phone_number__",
        "__id_number__",
    ]


def test_unaccented_text_is_not_glued_by_the_segmenter(tokenizer):
    """underthesea glues unaccented syllables at random ("cuu ho"); by default unaccented
    messages get one token per syllable instead."""
    assert [t.text for t in tokenizer.tokenize_text("tra cuu ho so")] == ["tra", "cuu", "ho", "so"]


def test_segmenter_misalignment_falls_back_to_syllables(tokenizer, monkeypatch):
    """If underthesea ever returns a different number of units than it was given, the tokenizer
    must not guess: it falls back to one token per syllable, still perfectly aligned."""
    monkeypatch.setattr(segmentation, "word_tokenize", lambda text: ["hồ sơ căn cước"])
    text = "hồ sơ, căn cước"
    tokens = tokenizer.tokenize_text(text)
    assert [t.text for t in tokens] == ["hồ", "sơ", "căn", "cước"]
    assert_well_formed(text, tokens)


def test_compounds_never_cross_punctuation(tokenizer, monkeypatch):
    """Even if the segmenter glued units across a comma or code, a word stops at it."""
    monkeypatch.setattr(segmentation, "word_tokenize", lambda text: [text])  # everything one word
    text = "hồ sơ, căn cước 0912345678 công dân"
    assert [t.text for t in tokenizer.tokenize_text(text)] == ["hồ sơ", "căn cước", "0912345678", "công dân"]


def test_rasa_interface_tokenizes_text_and_intents(tokenizer):
    """Through Rasa's Tokenizer API the TEXT attribute gets our tokens and intents still split
    by Rasa's own rules."""
    message = Message(data={TEXT: "Cho hỏi đăng ký khai sinh", INTENT: "hoi_thu_tuc"})
    tokenizer.process_training_data(TrainingData([message]))
    assert [t.lemma for t in message.get(TOKENS_NAMES[TEXT])][-2:] == ["đăng_ký", "khai_sinh"]
    assert [t.text for t in message.get(TOKENS_NAMES[INTENT])] == ["hoi_thu_tuc"]
    live = Message(data={TEXT: ""})
    tokenizer.process([live])
    assert live.get(TOKENS_NAMES[TEXT]) == []


def test_config_defaults_and_registration():
    """The component declares the config keys Rasa's Tokenizer needs and is registered."""
    defaults = VietnameseTokenizer.get_default_config()
    for key in ("intent_tokenization_flag", "intent_split_symbol", "token_pattern", "prefix_separator_symbol"):
        assert key in defaults
    registered = DefaultV1Recipe._registered_components[VietnameseTokenizer.__name__]
    assert DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER in registered.types
    assert registered.is_trainable is False


def test_lexicon_edits_change_the_training_fingerprint(tmp_path):
    """Rasa caches tokenizer outputs by config; editing the lexicon must invalidate that cache."""
    path = tmp_path / "lexicon.yml"
    path.write_text("teencode:\n  ko: không\n", encoding="utf-8")
    config = {**VietnameseTokenizer.get_default_config(), "lexicon_path": str(path)}
    before = VietnameseTokenizer.fingerprint_addon(config)
    path.write_text("teencode:\n  ko: không\n  dc: được\n", encoding="utf-8")
    assert VietnameseTokenizer.fingerprint_addon(config) != before
