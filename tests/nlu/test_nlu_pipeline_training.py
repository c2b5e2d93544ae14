"""End to end: a tiny Rasa NLU model trained with our components parses unaccented Vietnamese."""

from __future__ import annotations

import asyncio
import logging
import tarfile
import textwrap
import time
import warnings
from pathlib import Path

import pytest

CONFIG = """
recipe: default.v1
language: vi
assistant_id: nlu-components-test
pipeline:
  - name: bot.nlu.tokenizer.VietnameseTokenizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 2
    max_ngram: 4
  - name: bot.nlu.featurizer.FoldedTokensFeaturizer
  - name: DIETClassifier
    epochs: 5
    random_seed: 1
    constrain_similarities: true
    evaluate_every_number_of_epochs: -1
    number_of_transformer_layers: 0
    hidden_layers_sizes: {text: [64]}
    embedding_dimension: 16
    run_eagerly: true  # one batch per epoch: tracing TF graphs would cost more than it saves
  - name: bot.nlu.entities.StructuredEntityExtractor
"""

NLU = """
version: "3.1"
nlu:
- intent: tra_cuu_ho_so
  examples: |
    - tra cứu hồ sơ [000.00.01.H29-240115-0001](dossier_code)
    - cho tôi xem tình trạng hồ sơ [H56.14-240823-0001](dossier_code)
    - hồ sơ [000.17.22.H56-210531-0001](dossier_code) đã xong chưa
    - ho so [000 00 01 h29 - 240115 - 0002](dossier_code) xong chua, sdt [0912 345 678](phone_number)
    - kiểm tra giúp mã [h56.14-240823-0003](dossier_code), số CCCD [001099012345](id_number)
    - kiểm tra hồ sơ của tôi
    - hồ sơ của mình đến đâu rồi
    - tra cứu tiến độ giải quyết hồ sơ
- intent: hoi_giay_to
  examples: |
    - làm căn cước công dân cần giấy tờ gì
    - đăng ký khai sinh cần những giấy tờ nào
    - cấp đổi giấy phép lái xe cần mang theo gì
    - thủ tục đăng ký thường trú cần hồ sơ gì
    - làm cccd gắn chip cần gì
    - đổi gplx cần giấy tờ gì
- intent: chao_hoi
  examples: |
    - xin chào
    - chào bạn
    - chào buổi sáng
    - alo
    - hello
    - chào em
"""


def _train(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    from rasa.model_training import train_nlu

    # A private graph cache: a shared one could hand back outputs of older component code.
    monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(tmp_path / "cache"))
    config = tmp_path / "config.yml"
    config.write_text(textwrap.dedent(CONFIG), encoding="utf-8")
    nlu = tmp_path / "nlu.yml"
    nlu.write_text(textwrap.dedent(NLU), encoding="utf-8")
    model = train_nlu(str(config), str(nlu), str(tmp_path / "models"), fixed_model_name="tiny")
    assert model is not None
    return model


def _misaligned_warnings(nlu_yaml: str, tokenizer) -> list[str]:
    from rasa.nlu.extractors.extractor import EntityExtractorMixin
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    data = RasaYAMLReader().reads(textwrap.dedent(nlu_yaml))
    tokenizer.process_training_data(data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        EntityExtractorMixin.check_correct_entity_annotations(data)
    return [str(w.message) for w in caught if "Misaligned entity annotation" in str(w.message)]


def test_annotated_codes_align_with_tokens(tokenizer):
    """Rasa's own misalignment check passes on codes, phones and IDs annotated in the training
    data, and (negative control) does fire when an annotation cuts a segmented word, so the
    end-to-end test below really would see the warning."""
    assert _misaligned_warnings(NLU, tokenizer) == []
    broken = 'version: "3.1"\nnlu:\n- intent: x\n  examples: |\n    - nộp [hồ](dossier_code) sơ ở đâu\n'
    assert len(_misaligned_warnings(broken, tokenizer)) == 1


@pytest.mark.slow
def test_tiny_model_trains_and_parses_unaccented_text(tmp_path, monkeypatch, caplog):
    """Our tokenizer, featurizer and extractor train inside a real Rasa 3.6 pipeline with DIET, the
    annotated dossier codes align with tokens (no "Misaligned entity annotation"), and the model
    parses unaccented and NFD input end to end, returning our entities with original offsets."""
    from rasa.core.agent import Agent

    caplog.set_level(logging.WARNING)
    started, cpu_started = time.perf_counter(), time.process_time()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = _train(tmp_path, monkeypatch)
    training_seconds = time.perf_counter() - started
    print(f"tiny NLU training: {training_seconds:.1f}s wall, {time.process_time() - cpu_started:.1f}s CPU")
    messages = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    assert not [m for m in messages if "Misaligned entity annotation" in m]
    # ~5 s of CPU (eager DIET); wall time grows with machine load, so the bound is generous.
    assert training_seconds < 60, f"tiny training took {training_seconds:.1f}s"

    with tarfile.open(model) as package:  # the featurizer really trained and persisted a vocabulary
        assert any(name.endswith("folded_vocabulary.json") for name in package.getnames())

    started = time.perf_counter()
    agent = Agent.load(model)
    text = "tra cuu ho so 000 00 01 h29 - 240115 - 0001 giup minh"
    result = asyncio.run(agent.parse_message(text))
    assert result["intent"]["name"] in {"tra_cuu_ho_so", "hoi_giay_to", "chao_hoi"}
    codes = [e for e in result["entities"] if e["extractor"] == "StructuredEntityExtractor"]
    assert [(e["value"], text[e["start"] : e["end"]]) for e in codes] == [
        ("000.00.01.H29-240115-0001", "000 00 01 h29 - 240115 - 0001")
    ]
    print(f"load + first parse: {time.perf_counter() - started:.1f}s")
    for hostile in ["", "   ", "???", "😀", "Hoa\u0300 bi\u0300nh ko dc"]:
        parsed = asyncio.run(agent.parse_message(hostile))
        assert parsed["text"] == hostile.strip()  # Rasa strips the text before NLU
        for entity in parsed["entities"]:  # a 5-epoch DIET guesses, but offsets must hold
            assert 0 <= entity["start"] < entity["end"] <= len(parsed["text"])
        assert not [e for e in parsed["entities"] if e["extractor"] == "StructuredEntityExtractor"]
