"""``VietnameseTokenizer``: underthesea word segmentation with offsets into the original text.

Token text is always ``message_text[token.start:token.end]`` (NFD input, either tone
placement, emoji and all), because words are aligned by position (see
:mod:`bot.nlu.segmentation`). Everything the model should treat alike goes into the *lemma*,
which ``CountVectorsFeaturizer`` (``use_lemma: true``, its default) reads instead of the text:

* NFC, traditional tone placement, lower case: "Hoà"/"Hòa"/NFD "Hoà" -> "hòa";
* syllables of one word joined by "_" ("căn_cước") so CountVectorsFeaturizer, which re-splits
  lemmas on ``\\b\\w+\\b``, keeps the word as one feature;
* teencode and abbreviations expanded from ``common/text/lexicon.yml`` ("ko" -> "không", "cccd" ->
  "căn_cước công_dân"). The expansion is segmented like ordinary text, so the lemma of "cccd"
  produces the same features as the words written out. It lives HERE, in the lemma, rather than
  in a separate component because (1) every lemma-reading featurizer then sees it without extra
  wiring, (2) tokens are created in one place, so no later component has to rewrite lemmas in
  place (which Rasa's graph caching would not notice), and (3) message text is untouched, so
  entity offsets cannot move;
* letters repeated for emphasis squashed ("chàooo" -> "chào", "hii" -> "hi");
* misspelt or wrongly accented syllables corrected to the catalog's and the lexicon's vocabulary
  ("đăg ký" -> "đăng_ký", "cân" -> "cần"; :mod:`bot.nlu.spelling`), before word segmentation, so
  underthesea and every later component see the corrected words;
* protected spans get a placeholder lemma (``__dossier_code__``, ``__phone_number__``, ...): for
  intent classification "a code was given" matters, the digits do not.

Punctuation and emoji are not tokens (like Rasa's WhitespaceTokenizer) unless a message has
nothing else; a message that is empty or only whitespace has no tokens.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.component import ConfigComponent
from bot.nlu.segmentation import ALNUM, PUNCT, WORD, Segment, segment
from bot.nlu.spelling import VOCABULARY_FILE, load_corrector
from common.text.normalize import squash_elongation
from common.text.patterns import DOSSIER_CODE, EMAIL, ID_NUMBER, PHONE_NUMBER, URL
from common.text.teencode import DEFAULT_LEXICON_PATH, load_lexicon

KIND_KEY = "kind"  # token.data key: WORD, ALNUM or a protected kind from common.text.patterns
PLACEHOLDER_KINDS = frozenset({DOSSIER_CODE, ID_NUMBER, PHONE_NUMBER, URL, EMAIL})
# Bump whenever tokens or lemmas change for the same input: Rasa's training cache keys on the
# config, not on our code, and would otherwise reuse stale tokenizer outputs.
RULES_VERSION = "3"


@lru_cache(maxsize=4)
def _segmented_expansions(lexicon_path: str) -> dict[str, str]:
    """Lexicon key -> expansion as lemma text ("cccd" -> "căn_cước công_dân")."""
    lexicon = load_lexicon(lexicon_path)
    result = {}
    for key, expansion in lexicon.expansions.items():
        words = segment(expansion, segment_unaccented=True)
        result[key] = " ".join("_".join(s.lower() for s in word.syllables) for word in words)
    return result


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseTokenizer(ConfigComponent, Tokenizer):
    """Vietnamese word tokenizer (underthesea) with exact offsets and normalized lemmas."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Component defaults; the first four keys are required by Rasa's ``Tokenizer``."""
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            # Expand teencode/abbreviations from the lexicon into lemmas.
            "expand_teencode": True,
            # Lexicon file; None means common/text/lexicon.yml.
            "lexicon_path": None,
            # Give codes, IDs, phones, URLs and e-mails a placeholder lemma (e.g. __phone_number__).
            "placeholder_lemmas": True,
            # Also run underthesea on messages without any diacritic (its model is trained on
            # accented text and glues unaccented syllables at random).
            "segment_unaccented": False,
            # Correct misspelt syllables to the generated vocabulary (bot/nlu/vocabulary.json).
            "correct_spelling": True,
        }

    @staticmethod
    def supported_languages() -> list[str] | None:
        """Vietnamese only."""
        return ["vi"]

    def __init__(self, config: dict[str, Any]) -> None:
        """Read the config and pre-segment the lexicon expansions (once per process)."""
        super().__init__(config)
        self._placeholders = bool(config.get("placeholder_lemmas", True))
        self._segment_unaccented = bool(config.get("segment_unaccented", False))
        self._expansions: dict[str, str] = {}
        lexicon_path = str(config.get("lexicon_path") or DEFAULT_LEXICON_PATH)
        if config.get("expand_teencode", True):
            self._expansions = _segmented_expansions(lexicon_path)
        self._spell = None
        if config.get("correct_spelling", True):
            self._spell = load_corrector(str(VOCABULARY_FILE), lexicon_path).correct

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Rules version plus hashes of the lexicon and vocabulary files, so edits to any retrain."""
        digest = hashlib.sha256(RULES_VERSION.encode())
        for path in (Path(config.get("lexicon_path") or DEFAULT_LEXICON_PATH), VOCABULARY_FILE):
            if path.is_file():
                digest.update(path.read_bytes())
        return digest.hexdigest()

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Tokens of ``message.get(attribute)``; every token is a span of that exact text."""
        text = message.get(attribute) or ""
        return self.tokenize_text(text)

    def tokenize_text(self, text: str) -> list[Token]:
        """Tokenize a plain string (the same rules as :meth:`tokenize`)."""
        segments = segment(text, segment_unaccented=self._segment_unaccented, spell=self._spell)
        kept = [s for s in segments if s.kind != PUNCT]
        if not kept and segments:
            # Only punctuation or emoji (":)", "???"): one token, as WhitespaceTokenizer does.
            start, end = segments[0].start, segments[-1].end
            kept = [Segment(start, end, PUNCT, (text[start:end],))]
        tokens = [self._token(text, s) for s in kept]
        return self._apply_token_pattern(tokens)

    def _token(self, text: str, seg: Segment) -> Token:
        token = Token(text[seg.start : seg.end], seg.start, seg.end, lemma=self.lemma(seg))
        token.set(KIND_KEY, seg.kind)
        return token

    def lemma(self, seg: Segment) -> str:
        """Normalized lower-case lemma of a segment (see the module docstring)."""
        if seg.kind in PLACEHOLDER_KINDS and self._placeholders:
            return f"__{seg.kind}__"
        parts = [syllable.lower() for syllable in seg.syllables]
        if seg.kind not in (WORD, ALNUM):
            return "".join(parts)
        if seg.kind == WORD:  # "chàooo", "khummm": emphasis, not another word
            parts = [part if part in self._expansions else squash_elongation(part) for part in parts]
        expanded = [self._expansions.get(part) for part in parts]
        if not any(expanded):
            return "_".join(parts)
        return " ".join(exp or part for exp, part in zip(expanded, parts, strict=True))
