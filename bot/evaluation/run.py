"""Parse the held-out NLU files with a trained model, in-process, and train comparison models.

The quality gate and ``make evaluate`` share :func:`evaluate_model`: load the model once
(``Agent.load``) and call the message processor for every held-out utterance, as
``rasa test nlu`` does, without spawning a CLI per file.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from pathlib import Path
from typing import Any

import yaml

from bot.evaluation.metrics import Prediction, summarize
from bot.train import REPO_ROOT, run_logged, training_log_path
from common.model_inputs import train_command
from common.quality_gates import TEST_FILES

EVAL_MODELS_DIR = REPO_ROOT / "models" / "eval"


def quiet_rasa_logs() -> None:
    """Drop Rasa's per-message debug lines (structlog prints them all when unconfigured)."""
    import structlog

    logging.getLogger("rasa").setLevel(logging.WARNING)
    if not structlog.is_configured():
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def load_agent(model_path: Path) -> Any:
    """A Rasa agent for ``model_path`` (NLU-only or full model)."""
    from rasa.core.agent import Agent

    quiet_rasa_logs()
    return Agent.load(str(model_path))


async def _parse_one(processor: Any, text: str) -> tuple[dict[str, Any], float]:
    from rasa.core.channels import UserMessage
    from rasa.nlu.classifiers import fallback_classifier

    started = time.perf_counter()
    result = await processor.parse_message(UserMessage(text=text), only_output_properties=False)
    seconds = time.perf_counter() - started
    if fallback_classifier.is_fallback_classifier_prediction(result):
        result = fallback_classifier.undo_fallback_prediction(result)  # score the intent underneath
    return result, seconds


def _plain_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "entity": e["entity"],
            "start": e["start"],
            "end": e["end"],
            "value": e.get("value"),
            "extractor": e.get("extractor"),
        }
        for e in entities
        if "start" in e and "end" in e
    ]


async def parse_examples(agent: Any, path: Path) -> list[Prediction]:
    """One :class:`Prediction` per example of the Rasa NLU file ``path``."""
    from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RESPONSE_KEY, TEXT
    from rasa.shared.nlu.training_data.loading import load_data

    predictions = []
    for example in load_data(str(path)).nlu_examples:
        text = example.get(TEXT)
        result, seconds = await _parse_one(agent.processor, text)
        intent = result.get("intent") or {}
        selector = result.get("response_selector") or {}
        base = example.get(INTENT)
        chosen = selector.get(base) or selector.get("default") or {}
        predictions.append(
            Prediction(
                text=text,
                intent=base,
                predicted_intent=intent.get("name") or "None",
                confidence=float(intent.get("confidence") or 0.0),
                response_key=example.get(INTENT_RESPONSE_KEY),
                predicted_response_key=(chosen.get("response") or {}).get("intent_response_key"),
                entities=_plain_entities(example.get(ENTITIES) or []),
                predicted_entities=_plain_entities(result.get(ENTITIES) or []),
                tokens=[(t.start, t.end) for t in result.get("text_tokens") or []],
                seconds=seconds,
            )
        )
    return predictions


def evaluate_model(
    model_path: Path, files: dict[str, Path] | None = None
) -> tuple[dict[str, dict[str, Any]], dict[str, list[Prediction]]]:
    """Summaries (see :func:`bot.evaluation.metrics.summarize`) and raw predictions per file."""
    files = TEST_FILES if files is None else files
    agent = load_agent(model_path)

    async def run_all() -> dict[str, list[Prediction]]:
        return {name: await parse_examples(agent, path) for name, path in files.items()}

    predictions = asyncio.run(run_all())
    return {name: summarize(items) for name, items in predictions.items()}, predictions


# --- comparison model: Rasa's default pipeline ------------------------------------------------


def _component(config: dict[str, Any], name: str) -> dict[str, Any]:
    """The pipeline component named ``name`` or a subclass of ours named ``<module>.<...>name``."""
    return next((c for c in config["pipeline"] if c["name"].rsplit(".", 1)[-1].endswith(name)), {})


def default_pipeline_config(config_path: Path = REPO_ROOT / "config.yml") -> dict[str, Any]:
    """Rasa's default NLU pipeline (``rasa init``), with the epochs and DIET size of ours.

    Same training budget, architecture and seed, so the difference measures our components
    (tokenizer, folded features, structured entity extractor), not training length."""
    ours = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    diet, selector = _component(ours, "DIETClassifier"), _component(ours, "ResponseSelector")
    shared_keys = ("epochs", "number_of_transformer_layers", "constrain_similarities", "random_seed", "batch_size")
    return {
        "recipe": "default.v1",
        "language": ours.get("language", "vi"),
        "assistant_id": "default-pipeline-comparison",
        "pipeline": [
            {"name": "WhitespaceTokenizer"},
            {"name": "RegexFeaturizer"},
            {"name": "LexicalSyntacticFeaturizer"},
            {"name": "CountVectorsFeaturizer"},
            {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
            {"name": "DIETClassifier", **{k: diet[k] for k in shared_keys if k in diet}},
            {"name": "EntitySynonymMapper"},
            {
                "name": "ResponseSelector",
                "retrieval_intent": "faq",
                **{k: selector[k] for k in shared_keys if k in selector},
            },
            {"name": "FallbackClassifier", "threshold": 0.3, "ambiguity_threshold": 0.1},
        ],
        "policies": [],
    }


def train_default_pipeline(models_dir: Path = EVAL_MODELS_DIR) -> Path:
    """Train (once per data/config fingerprint) an NLU-only model with the default pipeline."""
    config = default_pipeline_config()
    text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    digest = hashlib.sha256(text.encode())
    for path in sorted((REPO_ROOT / "data" / "nlu").rglob("*.yml")):  # its only other input
        digest.update(str(path.relative_to(REPO_ROOT)).encode() + path.read_bytes())
    key = digest.hexdigest()[:16]
    target = models_dir / f"default-{key}.tar.gz"
    if target.exists():
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    config_file = models_dir / f"default-{key}.config.yml"
    config_file.write_text(text, encoding="utf-8")
    command = train_command(models_dir, target.name.removesuffix(".tar.gz"), config=config_file, nlu_only=True)
    log_file = training_log_path(target)
    code = run_logged(command, log_file)
    if code != 0 or not target.exists():
        raise SystemExit(f"default-pipeline training failed (exit {code}); see {log_file}")
    return target
