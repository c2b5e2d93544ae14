"""Generate the way citizens really type from the hand-written NLU examples.

Citizens often write without diacritics, in teencode ("ko", "dc", "bn"), with abbreviations
("cccd", "đk", "hs") and with typos. This script takes a deterministic sample of the
hand-written examples in ``data/nlu/*.yml`` and writes variants of them to ONE generated file,
``data/nlu/generated/variants.yml``, which is committed (training never runs this script).

Rules:

* Entity annotations survive every change: spans are recomputed from the rewritten segments,
  and when the surface of an entity changed the annotation keeps the canonical value
  (``[lam lai can cuoc]{"entity": "procedure", "value": "làm lại căn cước"}``).
* Dossier codes, ID numbers and phone numbers are only ever folded (lower case), never given
  typos or teencode: a wrong digit would make a different code.
* A variant is never identical (after normalization and accent folding) to a hand-written
  example, to an utterance of the held-out test set or the blind check, or to another variant, in
  any intent.
* Procedure swaps (``scripts/procedure_swaps.py``): some examples that name a procedure are
  repeated with another procedure from the gazetteer, so intents do not hinge on which
  procedure the few hand-written examples happen to name.
* Everything is seeded: the same input always gives the same output, byte for byte
  (``tests/nlu/test_training_data.py`` checks this).

``--test-copy`` instead writes ``tests/nlu_data/test_nlu_unaccented.yml``: every test utterance
with its accents folded, same annotations.

Usage::

    .venv/bin/python scripts/generate_nlu_variants.py              # write variants.yml
    .venv/bin/python scripts/generate_nlu_variants.py --test-copy  # write the unaccented test set
    .venv/bin/python scripts/generate_nlu_variants.py --check      # exit 1 if a file is stale

``make nlu-data`` runs this and then ``scripts/generate_nlu_lookups.py`` (whose Rasa synonyms
depend on the variants), in that order.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from common.text.normalize import fold_accents, has_diacritics, normalize_text  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))  # also when loaded by file path (tests)
from procedure_swaps import procedure_pool, swap_procedure, swappable  # noqa: E402

HAND_WRITTEN = tuple(
    ROOT / "data" / "nlu" / name
    for name in ("smalltalk.yml", "procedures.yml", "dossiers.yml", "support.yml", "faq.yml", "long_messages.yml")
)
VARIANTS = ROOT / "data" / "nlu" / "generated" / "variants.yml"
# Written by the staff console (review corrections of real messages, rewritten on every export):
# part of the training data and of the checks on it, but never a source of variants, so an
# export does not make variants.yml stale (test_generated_files_are_reproducible stays green).
CONSOLE_MANAGED = (ROOT / "data" / "nlu" / "corrections.yml",)
TEST_SET = ROOT / "tests" / "nlu_data" / "test_nlu.yml"
TEST_COPY = ROOT / "tests" / "nlu_data" / "test_nlu_unaccented.yml"
BLIND_SET = ROOT / "tests" / "nlu_data" / "blind_check.yml"
MESSY_SET = ROOT / "tests" / "nlu_data" / "test_nlu_messy.yml"

SEED = 20261123
SAMPLE_RATE = 0.45  # share of the hand-written examples of each intent that get one variant
# Examples already typed without accents and without teencode can only get a typo: fewer of them,
# so that typos stay a minority of the variants.
TYPO_ONLY_SAMPLE_RATE = 0.2
# Share of the hand-written examples naming a procedure that get a procedure swap
# (scripts/procedure_swaps.py), and share of those swaps typed without accents.
SWAP_RATE = 0.6
SWAP_UNACCENTED_RATE = 0.35
STRUCTURED_ENTITIES = frozenset({"dossier_code", "id_number", "phone_number"})

# Teencode and abbreviations as citizens type them: standard form -> typed forms. Matched on
# whole words, case-insensitively; longer phrases first so "căn cước công dân" wins over parts.
SUBSTITUTIONS: dict[str, tuple[str, ...]] = {
    "căn cước công dân": ("cccd",),
    "giấy phép lái xe": ("gplx",),
    "số điện thoại": ("sđt", "sdt"),
    "dịch vụ công": ("dvc",),
    "ủy ban nhân dân": ("ubnd",),
    "thủ tục hành chính": ("tthc",),
    "như thế nào": ("ntn",),
    "bao nhiêu": ("bn", "bnhiu"),
    "đăng ký": ("đk", "dk"),
    "hồ sơ": ("hs",),
    "không": ("ko", "k", "hông", "khum"),
    "được": ("dc", "đc"),
    "với": ("vs",),
    "gì": ("j",),
    "biết": ("bik", "bít"),
    "mình": ("mik", "mk"),
    "vậy": ("z", "zậy"),
    "rồi": ("r", "rùi"),
    "cũng": ("cx", "cg"),
    "làm": ("lm",),
    "trước": ("trc",),
    "người": ("ng",),
    "anh chị": ("a/c",),
    "cảm ơn": ("cảm ơn", "cám ơn", "tks"),
    "ạ": ("a", "ak"),
}
_SUBSTITUTION_PATTERNS = [
    (re.compile(rf"(?<!\w){re.escape(standard)}(?!\w)", re.IGNORECASE), forms)
    for standard, forms in sorted(SUBSTITUTIONS.items(), key=lambda item: -len(item[0]))
]
_MARKUP = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<entity>[^)]+)\)|(?P<json>\{[^}]*\}))")
_TYPO_WORD = re.compile(r"[a-z]{4,}")


@dataclass(frozen=True)
class Segment:
    """A piece of an example: plain text, or an entity annotation with an optional value."""

    text: str
    entity: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class Example:
    """One training example of an intent, as a sequence of segments."""

    intent: str
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        """The utterance without markup."""
        return "".join(segment.text for segment in self.segments)

    def markup(self) -> str:
        """The example in Rasa's markdown-like entity syntax."""
        parts = []
        for segment in self.segments:
            if segment.entity is None:
                parts.append(segment.text)
            elif segment.value is None:
                parts.append(f"[{segment.text}]({segment.entity})")
            else:
                annotation = json.dumps({"entity": segment.entity, "value": segment.value}, ensure_ascii=False)
                parts.append(f"[{segment.text}]{annotation}")
        return "".join(parts)


def utterance_key(text: str) -> str:
    """Comparison key: normalized, accent-folded, lower case, punctuation and spacing collapsed."""
    folded = fold_accents(normalize_text(text))
    return " ".join(re.findall(r"\w+", folded))


def parse_example(intent: str, line: str) -> Example:
    """Parse one example line (without the leading "- ") into segments."""
    segments: list[Segment] = []
    position = 0
    for match in _MARKUP.finditer(line):
        if match.start() > position:
            segments.append(Segment(line[position : match.start()]))
        if match.group("json"):
            annotation = json.loads(match.group("json"))
            entity, value = str(annotation["entity"]), annotation.get("value")
            segments.append(Segment(match.group("text"), entity, None if value is None else str(value)))
        else:
            segments.append(Segment(match.group("text"), match.group("entity")))
        position = match.end()
    if position < len(line):
        segments.append(Segment(line[position:]))
    return Example(intent, tuple(segments))


def load_examples(path: Path) -> list[Example]:
    """All examples of a Rasa NLU YAML file, in file order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples = []
    for block in data.get("nlu") or []:
        if "intent" not in block:
            continue
        for raw in str(block.get("examples") or "").splitlines():
            line = raw.strip()
            if line.startswith("- "):
                examples.append(parse_example(str(block["intent"]), line[2:].strip()))
    return examples


# --- transformations of one segment's text -------------------------------------------------


def fold(text: str, _rng: random.Random) -> str:
    """Typed without diacritics (and in lower case)."""
    return fold_accents(text)


def teencode(text: str, rng: random.Random) -> str:
    """Replace some standard words by teencode or abbreviations."""
    for pattern, forms in _SUBSTITUTION_PATTERNS:

        def substitute(match: re.Match[str], forms: tuple[str, ...] = forms) -> str:
            return rng.choice(forms) if rng.random() < 0.75 else match.group(0)

        text = pattern.sub(substitute, text)
    return text


def typo(text: str, rng: random.Random) -> str:
    """One slip of the finger in one unaccented word: a dropped, doubled or swapped letter."""
    words = list(_TYPO_WORD.finditer(text))
    if not words:
        return text
    word = rng.choice(words)
    letters = word.group(0)
    index = rng.randrange(1, len(letters) - 1)
    # Dropping a letter of a short syllable often makes another word ("chao" -> "cao").
    kind = rng.choice(("drop", "double", "swap") if len(letters) >= 5 else ("double", "swap"))
    if kind == "drop":
        changed = letters[:index] + letters[index + 1 :]
    elif kind == "double":
        changed = letters[: index + 1] + letters[index] + letters[index + 1 :]
    else:
        changed = letters[:index] + letters[index + 1] + letters[index] + letters[index + 2 :]
    return text[: word.start()] + changed + text[word.end() :]


Transform = Callable[[str, random.Random], str]

# Kinds of variants: name -> transformations applied in order to every free-text segment and
# to entity segments that are not structured (codes are only folded).
VARIANT_KINDS: dict[str, tuple[Transform, ...]] = {
    "unaccented": (fold,),
    "teencode": (teencode,),
    "teencode_unaccented": (teencode, fold),
    "typo_unaccented": (fold, typo),
}
KIND_WEIGHTS = {"unaccented": 4, "teencode": 2, "teencode_unaccented": 3, "typo_unaccented": 1}


def canonical_values(examples: Iterable[Example]) -> dict[tuple[str, str], str]:
    """(entity, folded surface) -> the first accented spelling annotated by hand.

    Every variant of "căn cước", "can cuoc" or "can cuooc" then carries the one value
    "căn cước", so Rasa's synonym table never maps a surface to two values.
    """
    canonical: dict[tuple[str, str], str] = {}
    for example in examples:
        for segment in example.segments:
            if segment.entity is None or segment.entity in STRUCTURED_ENTITIES:
                continue
            value = segment.value or segment.text
            if has_diacritics(value):
                canonical.setdefault((segment.entity, fold_accents(value)), value)
    return canonical


def transform_example(
    example: Example,
    transforms: Sequence[Transform],
    rng: random.Random,
    canonical: dict[tuple[str, str], str] | None = None,
) -> Example:
    """Apply the transformations segment by segment, keeping canonical entity values."""
    segments = []
    typo_target = _typo_target(example, rng) if typo in transforms else None
    for index, segment in enumerate(example.segments):
        new_text = segment.text
        for transform in transforms:
            if transform is typo and index != typo_target:
                continue
            if segment.entity in STRUCTURED_ENTITIES and transform is not fold:
                continue
            new_text = transform(new_text, rng)
        value = segment.value
        if segment.entity is not None and value is None and new_text != segment.text:
            value = segment.text
            if canonical and segment.entity not in STRUCTURED_ENTITIES:
                value = canonical.get((segment.entity, fold_accents(value)), value)
        segments.append(replace(segment, text=new_text, value=value))
    return Example(example.intent, tuple(segments))


def _typo_target(example: Example, rng: random.Random) -> int | None:
    """Index of the segment that gets the typo (never a code, ID or phone number)."""
    candidates = [
        index
        for index, segment in enumerate(example.segments)
        if segment.entity not in STRUCTURED_ENTITIES and _TYPO_WORD.search(fold_accents(segment.text))
    ]
    return rng.choice(candidates) if candidates else None


# --- generation ----------------------------------------------------------------------------


class _Registry:
    """Utterance keys already used, and the synonym table Rasa will build from the data.

    ``EntitySynonymMapper`` maps the lower-cased surface of every annotation whose value differs
    from its text to that value ("explicit" entries), and the lower-cased value of EVERY
    annotation to itself unless that key is taken ("self" entries). An explicit entry whose key
    already has another value triggers "Found conflicting synonym definitions"; which one comes
    first depends on file order, so a variant is refused if it could conflict in any order.
    """

    def __init__(self, examples: Iterable[Example], reserved_keys: Iterable[str]) -> None:
        self.keys: set[str] = set(reserved_keys)
        self.explicit: dict[str, str] = {}
        self.self_values: dict[str, set[str]] = {}
        for example in examples:
            self.keys.add(utterance_key(example.text))
            self._record_synonyms(example)

    def _record_synonyms(self, example: Example) -> None:
        explicit, self_entries = synonym_entries(example)
        for key, value in explicit:
            self.explicit.setdefault(key, value)
        for key, value in self_entries:
            self.self_values.setdefault(key, set()).add(value)

    def accepts(self, variant: Example) -> bool:
        """New utterance, and no synonym key that could end up with two values."""
        if utterance_key(variant.text) in self.keys:
            return False
        explicit, self_entries = synonym_entries(variant)
        for key, value in explicit:
            if self.explicit.get(key, value) != value or self.self_values.get(key, {value}) != {value}:
                return False
        if any(self.explicit.get(key, value) != value for key, value in self_entries):
            return False
        return normalize_text(variant.markup()) == variant.markup()

    def add(self, variant: Example) -> None:
        self.keys.add(utterance_key(variant.text))
        self._record_synonyms(variant)


def synonym_entries(example: Example) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The explicit and self (key, value) entries Rasa's EntitySynonymMapper derives from an example."""
    explicit, self_entries = [], []
    for segment in example.segments:
        if segment.entity is None:
            continue
        value = segment.text if segment.value is None else segment.value
        if value != segment.text:
            explicit.append((segment.text.lower(), value))
        self_entries.append((value.lower(), value))
    return explicit, self_entries


def _applicable_kinds(example: Example) -> list[str]:
    kinds = ["typo_unaccented"]
    if has_diacritics(example.text):
        kinds.append("unaccented")
    if any(pattern.search(segment.text) for segment in example.segments for pattern, _ in _SUBSTITUTION_PATTERNS):
        kinds += ["teencode", "teencode_unaccented"]
    return sorted(kinds, key=list(VARIANT_KINDS).index)


def generate_variants(examples: Sequence[Example], reserved_keys: Iterable[str] = ()) -> list[Example]:
    """Variants of a seeded sample of ``examples`` (see the module docstring for the rules)."""
    registry = _Registry(examples, reserved_keys)
    canonical = canonical_values(examples)
    variants: list[Example] = []
    by_intent: dict[str, list[Example]] = {}
    for example in examples:
        by_intent.setdefault(example.intent, []).append(example)
    for intent, intent_examples in by_intent.items():
        rng = random.Random(f"{SEED}:{intent}")
        for example in intent_examples:
            kinds = _applicable_kinds(example)
            rate = SAMPLE_RATE if len(kinds) > 1 else TYPO_ONLY_SAMPLE_RATE
            if rng.random() >= rate:
                continue
            for _attempt in range(3):
                kind = rng.choices(kinds, weights=[KIND_WEIGHTS[k] for k in kinds])[0]
                variant = transform_example(example, VARIANT_KINDS[kind], rng, canonical)
                if registry.accepts(variant):
                    registry.add(variant)
                    variants.append(variant)
                    break
    return variants + _procedure_swaps(by_intent, registry, canonical)


def _procedure_swaps(
    by_intent: dict[str, list[Example]], registry: _Registry, canonical: dict[tuple[str, str], str]
) -> list[Example]:
    """Procedure swaps of a seeded sample of the examples that name a procedure."""
    pool = procedure_pool()
    swaps: list[Example] = []
    for intent, intent_examples in by_intent.items():
        rng = random.Random(f"{SEED}:swap:{intent}")
        for example in intent_examples:
            if not swappable(example) or rng.random() >= SWAP_RATE:
                continue
            for _attempt in range(3):
                swap = swap_procedure(example, pool, rng)
                if swap is not None and has_diacritics(swap.text) and rng.random() < SWAP_UNACCENTED_RATE:
                    swap = transform_example(swap, (fold,), rng, canonical)
                if swap is not None and registry.accepts(swap):
                    registry.add(swap)
                    swaps.append(swap)
                    break
    return swaps


def unaccented_copy(examples: Sequence[Example]) -> list[Example]:
    """Every example folded (no typos, no teencode); duplicates within an intent dropped."""
    seen: set[tuple[str, str]] = set()
    result = []
    rng = random.Random(SEED)
    canonical = canonical_values(examples)
    for example in examples:
        folded = transform_example(example, (fold,), rng, canonical)
        key = (example.intent, utterance_key(folded.text))
        if key not in seen:
            seen.add(key)
            result.append(folded)
    return result


def render(examples: Sequence[Example], header: Sequence[str]) -> str:
    """Rasa NLU YAML for ``examples``, grouped by intent in order of first appearance."""
    groups: dict[str, list[str]] = {}
    for example in examples:
        groups.setdefault(example.intent, []).append(example.markup())
    lines = [f"# {line}" if line else "#" for line in header]
    lines += ['version: "3.1"', "nlu:"]
    for intent, markups in groups.items():
        lines += [f"  - intent: {intent}", "    examples: |"]
        lines += [f"      - {markup}" for markup in markups]
    return "\n".join(lines) + "\n"


def load_all(paths: Iterable[Path]) -> list[Example]:
    """Examples of several files, in order."""
    return [example for path in paths for example in load_examples(path)]


def render_variants() -> str:
    """The content variants.yml must have for the current hand-written data and test set."""
    hand_written = load_all(HAND_WRITTEN)
    held_out = [path for path in (TEST_SET, BLIND_SET, MESSY_SET) if path.exists()]
    test_keys = {utterance_key(example.text) for example in load_all(held_out)}
    variants = generate_variants(hand_written, test_keys)
    header = [
        "generated by scripts/generate_nlu_variants.py, do not edit",
        f"Unaccented, teencode, typo and procedure-swap variants of a seeded sample of data/nlu/*.yml (seed {SEED}).",
        "Re-run after changing the hand-written data: .venv/bin/python scripts/generate_nlu_variants.py",
    ]
    return render(variants, header)


def render_test_copy() -> str:
    """The content test_nlu_unaccented.yml must have for the current test set."""
    header = [
        "generated by scripts/generate_nlu_variants.py --test-copy, do not edit",
        "tests/nlu_data/test_nlu.yml without diacritics (held-out: never used for training).",
    ]
    return render(unaccented_copy(load_examples(TEST_SET)), header)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--test-copy", action="store_true", help="write the unaccented copy of the test set")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    target, content = (TEST_COPY, render_test_copy()) if args.test_copy else (VARIANTS, render_variants())
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != content:
            print(f"{target.relative_to(ROOT)} is out of date; re-run scripts/generate_nlu_variants.py")
            return 1
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content, encoding="utf-8")
    print(f"wrote {content.count(chr(10) + '      - ')} examples to {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
