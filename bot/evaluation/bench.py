"""NLU numbers for ``make bench``: in-process parse latency and the training time of a model.

``bench_parse_latency(model_path, utterances, repeat)`` loads the model once and times
``MessageProcessor.parse_message`` (tokenizer, features, DIET, extractors, ResponseSelector);
``training_seconds(model_path)`` reads the span of the log timestamps in the model's training
log (``bot.train.training_log_path``).
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.train import training_log_path

_LOG_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) ", re.MULTILINE)
DEFAULT_UTTERANCES = (
    "làm căn cước cần giấy tờ gì",
    "cho hoi lam cccd gan chip can giay to gi",
    "tra cứu hồ sơ 000.00.01.H29-240115-0001",
    "lệ phí đăng ký thường trú bao nhiêu",
    "dk ket hon o dau vay ad",
    "cảm ơn nhé",
)


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def bench_parse_latency(
    model_path: Path | str,
    utterances: Sequence[str] = DEFAULT_UTTERANCES,
    repeat: int = 20,
    agent: Any = None,
) -> dict[str, Any]:
    """Parse every utterance ``repeat`` times in-process; latency statistics in milliseconds.

    The first parse of each utterance is a warm-up and not counted. Pass an already loaded
    ``agent`` to skip loading the model (load time is reported only when this call loads it)."""
    from rasa.core.channels import UserMessage

    load_seconds = None
    if agent is None:
        from bot.evaluation.run import load_agent

        started = time.perf_counter()
        agent = load_agent(Path(model_path))
        load_seconds = time.perf_counter() - started

    async def run() -> list[float]:
        timings = []
        for text in utterances:
            await agent.processor.parse_message(UserMessage(text=text))
        for _ in range(repeat):
            for text in utterances:
                started = time.perf_counter()
                await agent.processor.parse_message(UserMessage(text=text))
                timings.append((time.perf_counter() - started) * 1000)
        return timings

    timings = asyncio.run(run())
    return {
        "model": str(model_path),
        "parses": len(timings),
        "mean_ms": round(statistics.fmean(timings), 2),
        "p50_ms": round(_percentile(timings, 0.5), 2),
        "p95_ms": round(_percentile(timings, 0.95), 2),
        "max_ms": round(max(timings), 2),
        "load_seconds": None if load_seconds is None else round(load_seconds, 1),
    }


def training_seconds(model_path: Path | str) -> float | None:
    """Seconds between the first and last timestamped line of the model's training log.

    ``None`` when the log is missing or has fewer than two timestamps. Rasa logs with 1 s
    resolution, so this is the training time to the second (process start-up not included)."""
    log = training_log_path(Path(model_path))
    if not log.exists():
        return None
    stamps = _LOG_TIME.findall(log.read_text(encoding="utf-8", errors="replace"))
    if len(stamps) < 2:
        return None
    first, last = (datetime.strptime(s, "%Y-%m-%d %H:%M:%S") for s in (stamps[0], stamps[-1]))
    return (last - first).total_seconds()
