"""NLU numbers through a real Rasa server: ``POST /model/parse`` latency, peak memory, model size
and training time, for our pipeline and for Rasa's default pipeline (``bot.evaluation``).

The server is ``rasa run --enable-api`` on a free port with no endpoints (parsing needs none),
started with :mod:`launcher.processes` like the rest of the stack and stopped afterwards.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from bot.train import training_seconds
from launcher.processes import free_port, start, stop
from launcher.stack import rasa_api_spec

from .procstat import rss_kib
from .stats import percentile

# What the bench parses: accented and unaccented questions, a dossier code, small talk.
DEFAULT_UTTERANCES = (
    "làm căn cước cần giấy tờ gì",
    "cho hoi lam cccd gan chip can giay to gi",
    "tra cứu hồ sơ 000.00.01.H29-240115-0001",
    "lệ phí đăng ký thường trú bao nhiêu",
    "dk ket hon o dau vay ad",
    "cảm ơn nhé",
)


def bench_parse_server(
    model: Path, utterances: tuple[str, ...] = DEFAULT_UTTERANCES, repeat: int = 20, log_dir: Path | None = None
) -> dict[str, Any]:
    """Start a Rasa server on ``model``, time ``POST /model/parse`` and read its peak RSS."""
    token = "bench-token"
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-rasa-") as tmp:
        log_file = (log_dir or Path(tmp)) / f"rasa-{model.name.removesuffix('.tar.gz')}.log"
        # Without these Rasa would read the repository's endpoints.yml and credentials.yml (and need
        # their environment variables); parsing needs neither.
        endpoints, credentials = Path(tmp) / "endpoints.yml", Path(tmp) / "credentials.yml"
        endpoints.write_text("{}\n", encoding="utf-8")
        credentials.write_text("rest:\n", encoding="utf-8")
        spec = rasa_api_spec(
            model, port, token, log_file, endpoints=endpoints, credentials=credentials, env={"PYTHONUNBUFFERED": "1"}
        )
        started = time.perf_counter()
        process = start(spec)
        load_seconds = time.perf_counter() - started
        try:
            url = f"http://127.0.0.1:{port}/model/parse"
            with requests.Session() as http:
                for text in utterances:  # warm-up: first parse of each text not counted
                    http.post(url, params={"token": token}, json={"text": text}, timeout=30).raise_for_status()
                timings: list[float] = []
                for _ in range(repeat):
                    for text in utterances:
                        begin = time.perf_counter()
                        response = http.post(url, params={"token": token}, json={"text": text}, timeout=30)
                        timings.append((time.perf_counter() - begin) * 1000.0)
                        response.raise_for_status()
            peak = rss_kib(process.popen.pid, "VmHWM")
            current = rss_kib(process.popen.pid, "VmRSS")
        finally:
            stop([process])
    return {
        "model": model.name,
        "parses": len(timings),
        "p50_ms": round(percentile(timings, 0.5), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "max_ms": round(max(timings), 2),
        "server_start_seconds": round(load_seconds, 1),
        "peak_rss_mib": None if peak is None else round(peak / 1024, 1),
        "rss_mib": None if current is None else round(current / 1024, 1),
        "model_mib": round(model.stat().st_size / 2**20, 2),
        "training_seconds": training_seconds(model),
    }


def run_nlu_bench(
    model: Path, default_model: Path | None = None, repeat: int = 20, utterances: tuple[str, ...] = DEFAULT_UTTERANCES
) -> dict[str, Any]:
    """Our model, and Rasa's default pipeline side by side when ``default_model`` is given."""
    out: dict[str, Any] = {"ours": bench_parse_server(model, utterances, repeat)}
    if default_model is not None:
        out["default"] = bench_parse_server(default_model, utterances, repeat)
    return out
