"""A tiny Rasa project (3 intents, eager 5-epoch DIET) and a real Rasa server for the training tests.

Training it with ``rasa train`` takes well under a minute, so the tests exercise the console's
real training, evaluation and activation paths without the full model's minutes of training.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from launcher.processes import RunningProcess, free_port, start
from launcher.stack import rasa_api_spec

# The tiny project has no dossier codes and few examples: its tests gate on intent macro-F1 only,
# with the structure of CI's table (common.quality_gates.GATES).
TINY_GATES = {"accented": {"intent_macro_f1": 0.5}, "unaccented": {"intent_macro_f1": 0.5}}


def scored(macro_f1: float, **gates: dict[str, float]) -> dict:
    """A run's evaluation as the console stores it, every gated number equal to ``macro_f1``
    unless given in ``gates`` (test set -> metric -> value)."""
    values = {name: {"intent_macro_f1": macro_f1} for name in TINY_GATES} | gates
    return {"macro_f1": macro_f1, "accuracy": macro_f1, "examples": 6, "intents": {}, "gates": values}


CONFIG = """
recipe: default.v1
language: vi
assistant_id: console-training-test
pipeline:
  - name: bot.nlu.tokenizer.VietnameseTokenizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 2
    max_ngram: 4
  - name: DIETClassifier
    epochs: 5
    random_seed: 1
    constrain_similarities: true
    evaluate_every_number_of_epochs: -1
    number_of_transformer_layers: 0
    hidden_layers_sizes: {text: [64]}
    embedding_dimension: 16
    run_eagerly: true
policies:
  - name: RulePolicy
"""

DOMAIN = """
version: "3.1"
intents: [greet, ask_fee, check_dossier_status]
entities: [procedure]
responses:
  utter_greet:
    - text: "Xin chào!"
"""

NLU = """
version: "3.1"
nlu:
- intent: greet
  examples: |
    - xin chào
    - chào bạn
    - chào buổi sáng
    - alo
    - hello
    - chào em
- intent: ask_fee
  examples: |
    - [làm hộ chiếu](procedure) hết bao nhiêu tiền
    - lệ phí [đăng ký khai sinh](procedure) là bao nhiêu
    - phí [cấp căn cước](procedure) bao nhiêu
    - [đổi bằng lái](procedure) mất bao nhiêu tiền
    - lệ phí là bao nhiêu
    - có mất phí không
- intent: check_dossier_status
  examples: |
    - hồ sơ của tôi đến đâu rồi
    - tra cứu tình trạng hồ sơ
    - kiểm tra hồ sơ giúp tôi
    - hồ sơ đã xong chưa
    - xem tiến độ hồ sơ
    - hồ sơ nộp hôm qua sao rồi
"""

RULES = """
version: "3.1"
rules:
- rule: greet
  steps:
  - intent: greet
  - action: utter_greet
"""

HELD_OUT = """
version: "3.1"
nlu:
- intent: greet
  examples: |
    - chào trợ lý
    - xin chào bạn nhé
- intent: ask_fee
  examples: |
    - phí [làm hộ chiếu](procedure) là bao nhiêu
    - mất bao nhiêu tiền vậy
- intent: check_dossier_status
  examples: |
    - hồ sơ của em xong chưa
    - tra cứu hồ sơ giúp mình
"""


def write_tiny_project(root: Path) -> Path:
    """config.yml, domain.yml, data/ and a held-out ``test_nlu.yml`` under ``root``."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    for name, text in {
        "config.yml": CONFIG,
        "domain.yml": DOMAIN,
        "data/nlu.yml": NLU,
        "data/rules.yml": RULES,
        "test_nlu.yml": HELD_OUT,
    }.items():
        (root / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


def start_rasa(model: Path, workdir: Path, token: str, port: int | None = None) -> RunningProcess:
    """A real ``rasa run --enable-api`` on a free localhost port, started with ``model``."""
    spec = rasa_api_spec(model, port or free_port(), token, workdir / "rasa.log", cwd=workdir, start_timeout=120.0)
    return start(spec)


def copy_as(model: Path, name: str) -> Path:
    """A copy of ``model`` under another file name (Rasa's /status reports the base name)."""
    target = model.with_name(name)
    shutil.copyfile(model, target)
    return target
