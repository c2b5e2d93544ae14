"""Query understanding shared by every search engine.

Citizens do not type procedure names: they type "cho hoi lam cccd mat bao lau", "sổ đỏ",
"đk hkd". This module turns such text into the catalog's own words, so that the engines only
have to match accent-free catalog vocabulary:

1. normalize (NFC, one tone-mark placement), lower-case, truncate hostile lengths;
2. pick out a national procedure code ("1.004222", "1004222") if there is one;
3. token by token, replace teencode and abbreviations ("dk" -> "đăng ký", "cccd" -> "thẻ căn cước");
4. phrase by phrase (longest first), replace colloquial names by canonical phrases ("sổ đỏ" ->
   "giấy chứng nhận quyền sử dụng đất") and drop question cues and filler ("cho hỏi", "bao lâu");
5. fold accents. A colloquial phrase may have several canonical readings ("hộ khẩu" ->
   "đăng ký thường trú" or "tách hộ"), so the result is a small set of *variants*.

All vocabulary lives in ``synonyms.yml`` (staff extend it). Procedure names go through the same
abbreviation step (:func:`document_key`), so "BHXH" in a name meets "bảo hiểm xã hội" in a query.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from common.text.normalize import fold_accents, normalize_text

SYNONYMS_PATH = Path(__file__).with_name("synonyms.yml")
# Citizens' questions are short; anything past this is pasted noise (and a cost to scan).
MAX_QUERY_CHARS = 400
MAX_QUERY_WORDS = 64
# Alternatives multiply ("hộ khẩu" x "làm" ...); past this the extra readings add nothing.
MAX_VARIANTS = 12

_WORD_RE = re.compile(r"[^\W_]+")
_TERM_RE = re.compile(r"[0-9a-z]+")
# A greeting opening the message ("Chào bạn,", "Xin chào."): never part of what is asked.
_GREETING_RE = re.compile(
    r"^\W*(?:xin\s+)?(?:chào|chao)(?:\s+(?:bạn|ban|anh chị|anh chi|anh|chị|chi|em|ad|admin|shop|mọi người|moi nguoi"
    r"|cả nhà|ca nha|buổi sáng|buoi sang|buổi chiều|buoi chieu))?\b",
    re.IGNORECASE,
)
# Administrative units before a place name: "xã Tân Thông Hội", "quận 1", "TP. Hồ Chí Minh".
_UNITS = tuple(u.split() for u in ("thành phố", "thị trấn", "thị xã", "xã", "phường", "huyện", "quận", "tỉnh", "tp"))
_SENTENCE_END = (".", ",", ";", "!", "?", ":")
# National code: digit, dot, six digits; citizens also drop the dot or put spaces around it.
_CODE_RE = re.compile(r"(?<![\d.])(\d)\s?[.,]?\s?(\d{6})(?![\d.])")


@dataclass(frozen=True)
class Word:
    """One word in two spellings: normalized lower-case and accent-free."""

    norm: str
    folded: str

    @property
    def accented(self) -> bool:
        return self.norm != self.folded

    @classmethod
    def of(cls, text: str) -> Word:
        norm = normalize_text(text).lower()
        return cls(norm, fold_accents(norm))

    def matches(self, other: Word) -> bool:
        """Same word; accents are compared only when both sides carry them ("sổ" != "sơ")."""
        if self.accented and other.accented:
            return self.norm == other.norm
        return self.folded == other.folded


@lru_cache(maxsize=65536)
def _word(token: str) -> Word:
    return Word.of(token)


def words(text: str) -> list[Word]:
    """Split text into words (letters and digits; punctuation separates).

    Words are normalized one distinct word at a time through a cache: Vietnamese has a few
    thousand syllables, and indexing 26,000 names text by text was the slow part.
    """
    return [_word(w) for w in _WORD_RE.findall(unicodedata.normalize("NFC", text).lower())]


Phrase = tuple[Word, ...]


@dataclass(frozen=True)
class PhraseRule:
    """A phrase to recognise; ``alternatives`` empty means drop it (question cue / filler)."""

    key: Phrase
    alternatives: tuple[Phrase, ...]


def _phrase(text: str) -> Phrase:
    return tuple(words(str(text)))


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


@dataclass(frozen=True)
class Vocabulary:
    """The contents of ``synonyms.yml``, normalized and indexed for matching."""

    token_rules: dict[str, list[tuple[Word, Phrase]]]  # folded key -> [(key word, replacement)]
    abbreviation_rules: dict[str, list[tuple[Word, Phrase]]]
    phrase_rules: dict[str, list[PhraseRule]]  # folded first word -> rules, longest first
    stop_words: frozenset[str]  # accented, normalized
    stop_words_unaccented: frozenset[str]
    popular: tuple[str, ...] = field(default_factory=tuple)
    # Name openings that change the basic procedure ("thu hồi", "gia hạn") -> the query words
    # that ask for that action (folded; each cue is a set of words that must all be present).
    actions: tuple[tuple[tuple[str, ...], tuple[frozenset[str], ...]], ...] = ()
    # Name phrases that narrow a procedure to a special case ("có yếu tố nước ngoài", "lưu động")
    # -> the query words that ask for that case (same shape as ``actions``).
    qualifiers: tuple[tuple[tuple[str, ...], tuple[frozenset[str], ...]], ...] = ()

    @classmethod
    def from_mapping(cls, data: dict) -> Vocabulary:
        """Build from the parsed YAML (kept separate from file reading so tests can pass dicts)."""
        abbreviations = _single_word_rules((data.get("abbreviations") or {}).items())
        token_rules = _single_word_rules((data.get("teencode") or {}).items())
        for folded, rules in abbreviations.items():
            token_rules.setdefault(folded, []).extend(rules)
        phrase_rules: dict[str, list[PhraseRule]] = {}
        # Phrase keys are matched after the word step, so they are stored in post-step form:
        # "rút bhxh" is looked for as "rút bảo hiểm xã hội".
        for key, values in (data.get("colloquial") or {}).items():
            # An empty alternative ("") is a reading without the phrase: "xin" may mean "cấp" or nothing.
            readings = [_phrase(v) for v in _as_list(values)]
            alternatives = tuple(dict.fromkeys(readings)) if any(readings) else ()
            _add_phrase(phrase_rules, tuple(_replace_tokens(list(_phrase(key)), token_rules)), alternatives)
        for key in _as_list(data.get("question_phrases")):
            _add_phrase(phrase_rules, tuple(_replace_tokens(list(_phrase(key)), token_rules)), ())
        for rules in phrase_rules.values():
            rules.sort(key=lambda r: len(r.key), reverse=True)
        return cls(
            token_rules=token_rules,
            abbreviation_rules=abbreviations,
            phrase_rules=phrase_rules,
            stop_words=frozenset(Word.of(w).norm for w in _as_list(data.get("stop_words"))),
            stop_words_unaccented=frozenset(fold_accents(w) for w in _as_list(data.get("stop_words_unaccented"))),
            popular=tuple(str(c).strip() for c in _as_list(data.get("popular"))),
            actions=_cue_rules(data.get("actions")),
            qualifiers=_cue_rules(data.get("qualifiers")),
        )


def _cue_rules(section: object) -> tuple[tuple[tuple[str, ...], tuple[frozenset[str], ...]], ...]:
    """{name phrase: [cue, ...]} as folded word tuples and cue word sets."""
    items = section.items() if isinstance(section, dict) else ()
    return tuple(
        (tuple(w.folded for w in _phrase(key)), tuple(frozenset(w.folded for w in _phrase(c)) for c in _as_list(cues)))
        for key, cues in items
    )


def _single_word_rules(items: Iterable[tuple[object, object]]) -> dict[str, list[tuple[Word, Phrase]]]:
    rules: dict[str, list[tuple[Word, Phrase]]] = {}
    for key, value in items:
        key_words = _phrase(str(key))
        replacement = _phrase(_as_list(value)[0]) if _as_list(value) else ()
        if len(key_words) != 1:
            continue  # multi-word keys belong in "colloquial"
        rules.setdefault(key_words[0].folded, []).append((key_words[0], replacement))
    # Accented keys first: "đk" typed with its đ should not fall back to another reading.
    for entries in rules.values():
        entries.sort(key=lambda e: not e[0].accented)
    return rules


def _add_phrase(index: dict[str, list[PhraseRule]], key: Phrase, alternatives: tuple[Phrase, ...]) -> None:
    if key:
        index.setdefault(key[0].folded, []).append(PhraseRule(key, alternatives))


@lru_cache(maxsize=8)
def load_vocabulary(path: str | None = None) -> Vocabulary:
    """Read and normalize ``synonyms.yml`` once per process (path for staff's test copies)."""
    with open(path or SYNONYMS_PATH, encoding="utf-8") as handle:
        return Vocabulary.from_mapping(yaml.safe_load(handle) or {})


@dataclass(frozen=True)
class ParsedQuery:
    """What the citizen asked for, in accent-free catalog words.

    ``variants`` are alternative readings (sequences of folded words, order kept for phrase
    matching); ``terms`` is the union of their words, the bag the engines retrieve with;
    ``factors`` (aligned with ``variants``, empty for all 1.0) weigh the words of a colloquial
    phrase by how many words the citizen typed for them.
    """

    text: str
    code: str | None
    variants: tuple[tuple[str, ...], ...]
    terms: tuple[str, ...]
    factors: tuple[tuple[float, ...], ...] = ()

    def variant_factors(self, index: int) -> tuple[float, ...]:
        """The weight factor of each word of variant ``index``."""
        if index < len(self.factors):
            return self.factors[index]
        return (1.0,) * len(self.variants[index])

    @property
    def is_empty(self) -> bool:
        return not self.terms and self.code is None


def _replace_tokens(tokens: list[Word], rules: dict[str, list[tuple[Word, Phrase]]]) -> list[Word]:
    out: list[Word] = []
    for token in tokens:
        for key, replacement in rules.get(token.folded, ()):
            if key.matches(token):
                out.extend(replacement)
                break
        else:
            out.append(token)
    return out


def _match_phrase(tokens: list[Word], start: int, vocab: Vocabulary) -> PhraseRule | None:
    for rule in vocab.phrase_rules.get(tokens[start].folded, ()):
        end = start + len(rule.key)
        if end <= len(tokens) and all(k.matches(t) for k, t in zip(rule.key, tokens[start:end], strict=True)):
            return rule
    return None


def _is_stop_word(token: Word, vocab: Vocabulary) -> bool:
    if token.accented:
        return token.norm in vocab.stop_words
    return token.folded in vocab.stop_words_unaccented


Reading = tuple[tuple[str, ...], float]  # folded words, and the weight factor of each


def _segments(tokens: list[Word], vocab: Vocabulary) -> list[tuple[Reading, ...]]:
    """Each segment: alternative readings of one stretch of the query.

    A colloquial phrase read as a longer catalog phrase ("sổ đỏ" -> nine words of "giấy chứng
    nhận quyền sử dụng đất…") gets the factor typed words / catalog words, so what the citizen
    typed weighs by their own words: the nine words together count about as much as "sổ đỏ", and
    "mất … làm lại" beside it still decides between the certificate's procedures.
    """
    segments: list[tuple[Reading, ...]] = []
    i = 0
    while i < len(tokens):
        rule = _match_phrase(tokens, i, vocab)
        if rule is not None:
            i += len(rule.key)
            if rule.alternatives:
                typed = len(rule.key)
                segments.append(
                    tuple(
                        (tuple(w.folded for w in alt), min(1.0, (typed / len(alt)) ** 0.5) if alt else 1.0)
                        for alt in rule.alternatives
                    )
                )
            continue
        if not _is_stop_word(tokens[i], vocab):
            segments.append((((tokens[i].folded,), 1.0),))
        i += 1
    return segments


def _clean_terms(sequence: Iterable[str]) -> tuple[str, ...]:
    """Keep only [0-9a-z] words: safe in any engine's query syntax, and all the catalog uses."""
    out: list[str] = []
    for word in sequence:
        out.extend(_TERM_RE.findall(word))
    return tuple(out)


def _join(readings: Iterable[Reading]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """One variant from one reading per segment: [0-9a-z] words with their factors, a word
    repeating the one before it dropped ("biển số xe" + "xe")."""
    words_out: list[str] = []
    factors: list[float] = []
    for phrase, factor in readings:
        for word in _clean_terms(phrase):
            if words_out and words_out[-1] == word:
                factors[-1] = max(factors[-1], factor)
                continue
            words_out.append(word)
            factors.append(factor)
    return tuple(words_out), tuple(factors)


def _unit_length(tokens: list[str], i: int) -> int:
    for unit in _UNITS:
        if [t.lower().strip(".,") for t in tokens[i : i + len(unit)]] == unit:
            return len(unit)
    return 0


def strip_places(text: str) -> str:
    """Drop place names written after their unit ("ở xã Tân Thông Hội huyện Củ Chi"): an address
    says where the citizen lives, not which procedure; its words ("hội", "chi") would match names.

    A place name is the run of capitalised words or numbers after the unit word, up to the end of
    the sentence; lower-case text keeps its words (nothing tells a place from a procedure there).
    """
    tokens = text.split()
    out: list[str] = []
    i = 0
    while i < len(tokens):
        unit = _unit_length(tokens, i)
        end = i + unit
        while unit and end < len(tokens) and (tokens[end][:1].isupper() or tokens[end].strip(".,").isdigit()):
            end += 1
            if tokens[end - 1].endswith(_SENTENCE_END):
                break
        if end > i + unit:
            i = end
            continue
        out.append(tokens[i])
        i += 1
    return " ".join(out)


def extract_code(text: str) -> str | None:
    """The national procedure code in the text, as "d.dddddd", if any."""
    match = _CODE_RE.search(text)
    return f"{match.group(1)}.{match.group(2)}" if match else None


def parse_query(raw: object, vocab: Vocabulary | None = None) -> ParsedQuery:
    """Turn whatever the citizen typed into a :class:`ParsedQuery`; never raises on text."""
    vocab = vocab or load_vocabulary()
    # NFKC first: full-width letters and ligatures from phone keyboards become plain letters.
    raw_text = unicodedata.normalize("NFKC", raw[: MAX_QUERY_CHARS * 2]) if isinstance(raw, str) else ""
    text = strip_places(_GREETING_RE.sub(" ", normalize_text(raw_text)[:MAX_QUERY_CHARS])).lower()
    code = extract_code(text)
    if code is not None:
        text = _CODE_RE.sub(" ", text)
    tokens = words(text)[:MAX_QUERY_WORDS]
    tokens = _replace_tokens(tokens, vocab.token_rules)
    segments = _segments(tokens, vocab)
    variants: dict[tuple[str, ...], tuple[float, ...]] = {}
    for combination in itertools.islice(itertools.product(*segments), MAX_VARIANTS):
        variant, factors = _join(combination)
        if variant and variant not in variants:
            variants[variant] = factors
    terms = tuple(dict.fromkeys(t for v in variants for t in v))
    return ParsedQuery(text=text, code=code, variants=tuple(variants), terms=terms, factors=tuple(variants.values()))


def document_key(text: str, vocab: Vocabulary | None = None) -> str:
    """Accent-free, abbreviation-expanded form of a procedure name or field, for indexing."""
    vocab = vocab or load_vocabulary()
    tokens = _replace_tokens(words(text), vocab.abbreviation_rules)
    return " ".join(_clean_terms(t.folded for t in tokens))
