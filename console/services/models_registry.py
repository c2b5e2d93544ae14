"""Which model the assistant runs: activation through Rasa's HTTP API, the quality gate, history.

Activation loads a model file into the *running* Rasa server (``PUT /model`` with
``{"model_file": path}``, ``?token=RASA_AUTH_TOKEN``): conversations continue, no restart. The
path must be readable by the Rasa process (same machine or shared volume). Rasa answers 204 once
the new agent is in place; ``GET /status`` then names the file (its base name), which is how the
console confirms what is live rather than trusting its own records.

The quality gate refuses a new model below any threshold CI checks (intent macro-F1 accented and
unaccented, ``dossier_code`` and ``procedure`` F1: :mod:`console.services.quality`). A rollback
re-activates a model from the history: it was live before, so it is not gated again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.models import ModelActivation, TrainingRun, User, utcnow
from console.services import audit, quality

LOAD_TIMEOUT_SECONDS = 300.0  # loading a model (TensorFlow graphs) takes tens of seconds


class ActivationError(RuntimeError):
    """A refused or failed activation; the message is for the trainer (Vietnamese)."""


@dataclass(frozen=True)
class RasaModelApi:
    """Rasa's model endpoints; ``token`` is RASA_AUTH_TOKEN."""

    url: str
    token: str
    timeout: float = LOAD_TIMEOUT_SECONDS

    def status(self, timeout: float = 5.0) -> dict[str, Any]:
        """``GET /status``: ``model_file`` (base name), ``model_id``, training jobs."""
        try:
            response = httpx.get(f"{self.url.rstrip('/')}/status", params={"token": self.token}, timeout=timeout)
        except httpx.HTTPError as exc:
            raise ActivationError("Không kết nối được máy chủ trợ lý (Rasa). Kiểm tra CONSOLE_RASA_URL.") from exc
        if response.status_code != 200:
            raise ActivationError(_refusal(response.status_code))
        return response.json()

    def load(self, model_path: Path) -> None:
        """``PUT /model``: replace the running model; returns once Rasa has loaded it."""
        if not self.token:
            raise ActivationError("Chưa cấu hình RASA_AUTH_TOKEN nên không thể nạp mô hình vào trợ lý.")
        try:
            response = httpx.put(
                f"{self.url.rstrip('/')}/model",
                params={"token": self.token},
                json={"model_file": str(model_path)},
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:
            raise ActivationError("Không kết nối được máy chủ trợ lý (Rasa). Kiểm tra CONSOLE_RASA_URL.") from exc
        if response.status_code != 204:
            raise ActivationError(_refusal(response.status_code))


def _refusal(status: int) -> str:
    if status in (401, 403):
        return "Máy chủ trợ lý từ chối mã truy cập (RASA_AUTH_TOKEN không khớp)."
    return f"Máy chủ trợ lý không nạp được mô hình (HTTP {status}). Mô hình đang chạy vẫn giữ nguyên."


def live_model_file(api: RasaModelApi) -> str | None:
    """The base name of the model Rasa runs now, or None when Rasa cannot be asked (page hint)."""
    try:
        return str(api.status(timeout=2.0).get("model_file") or "") or None
    except (ActivationError, ValueError):
        return None


def history(session: Session, limit: int = 20) -> list[ModelActivation]:
    """Activations and rollbacks, newest first."""
    query = select(ModelActivation).order_by(ModelActivation.id.desc()).limit(limit)
    return list(session.execute(query).scalars())


def current(session: Session) -> ModelActivation | None:
    """The model the console last put live (None before the first activation)."""
    items = history(session, limit=1)
    return items[0] if items else None


def evaluation_of(session: Session, activation: ModelActivation | None) -> dict[str, Any] | None:
    """Held-out scores of an activated model (from the run that trained it)."""
    if activation is None or activation.run_id is None:
        return None
    run = session.get(TrainingRun, activation.run_id)
    return run.evaluation if run is not None else None


def gate_passed(evaluation: dict[str, Any] | None, gates: dict[str, dict[str, float]]) -> bool:
    """Every threshold of CI's quality gate met (see :mod:`console.services.quality`)."""
    return quality.gate_passed(evaluation, gates)


def _activation_snapshot(activation: ModelActivation) -> dict[str, Any]:
    return {
        "model": Path(activation.model_path).name,
        "run_id": activation.run_id,
        "kind": activation.kind,
        "macro_f1": activation.macro_f1,
    }


def _load_and_record(
    session: Session, api: RasaModelApi, model_path: Path, run: TrainingRun | None, kind: str, user: User | None
) -> ModelActivation:
    if not model_path.is_file():
        raise ActivationError("Không tìm thấy tệp mô hình (có thể đã bị xoá khỏi thư mục models).")
    before = current(session)
    api.load(model_path)
    live = str(api.status().get("model_file") or "")
    if live != model_path.name:
        raise ActivationError(f"Máy chủ trợ lý báo đang chạy “{live}”, không phải mô hình vừa nạp.")
    evaluation = run.evaluation if run is not None else None
    activation = ModelActivation(
        model_path=str(model_path),
        run_id=run.id if run is not None else None,
        kind=kind,
        macro_f1=float(evaluation["macro_f1"]) if evaluation else None,
        activated_by=user.id if user else None,
    )
    session.add(activation)
    session.flush()
    audit.record(
        session,
        user,
        f"model.{kind}",
        "model",
        activation.id,
        _activation_snapshot(before) if before else None,
        _activation_snapshot(activation),
    )
    return activation


def activate(
    session: Session, api: RasaModelApi, run: TrainingRun, gates: dict[str, dict[str, float]], user: User | None
) -> ModelActivation:
    """Put the model of a finished run live, unless it misses any threshold of the quality gate."""
    if run.status != "succeeded" or not run.model_path:
        raise ActivationError("Chỉ kích hoạt được mô hình của lần huấn luyện đã hoàn tất.")
    if run.decision == "discarded":
        raise ActivationError("Mô hình này đã bị loại bỏ.")
    if not gate_passed(run.evaluation, gates):
        missed = quality.failures(run.evaluation, gates)
        after = {"macro_f1": (run.evaluation or {}).get("macro_f1"), "missed": missed}
        audit.record(session, user, "model.activate_refused", "training_run", run.id, after=after)
        raise ActivationError("Không kích hoạt: thấp hơn ngưỡng chất lượng ở " + "; ".join(missed) + ".")
    activation = _load_and_record(session, api, Path(run.model_path), run, "activate", user)
    run.decision, run.decided_by, run.decided_at = "activated", activation.activated_by, utcnow()
    return activation


def rollback(session: Session, api: RasaModelApi, activation_id: int, user: User | None) -> ModelActivation:
    """Re-activate a model from the history (not gated again: it was live before)."""
    previous = session.get(ModelActivation, activation_id)
    if previous is None:
        raise ActivationError("Không tìm thấy mô hình này trong lịch sử.")
    run = session.get(TrainingRun, previous.run_id) if previous.run_id else None
    return _load_and_record(session, api, Path(previous.model_path), run, "rollback", user)


def discard(session: Session, run: TrainingRun, user: User | None) -> None:
    """Mark a trained model as not to be used and delete its file (the log and scores stay)."""
    if run.decision == "activated":
        raise ActivationError("Mô hình đã được kích hoạt; hãy khôi phục một mô hình khác thay vì loại bỏ.")
    if run.status not in ("succeeded", "failed"):
        raise ActivationError("Lần huấn luyện chưa kết thúc.")
    in_history = session.execute(
        select(ModelActivation.id).where(ModelActivation.model_path == (run.model_path or ""))
    ).first()
    if run.model_path and not in_history:
        Path(run.model_path).unlink(missing_ok=True)
    run.decision, run.decided_by, run.decided_at = "discarded", user.id if user else None, utcnow()
    after = {"model": Path(run.model_path or "").name}
    audit.record(session, user, "model.discard", "training_run", run.id, after=after)
