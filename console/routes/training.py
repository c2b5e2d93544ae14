"""Training pages (trainers): start a run, follow it, compare its scores, activate, discard, roll back.

Handlers stay thin: jobs live in :mod:`console.services.training`, activation and the quality
gate in :mod:`console.services.models_registry`.
"""

# No "from __future__ import annotations": FastAPI evaluates the Annotated dependency aliases.

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from console.models import TrainingRun
from console.routes.deps import Ctx, require, require_post
from console.routes.errors import PageError
from console.services import models_registry, quality, training
from console.services.models_registry import ActivationError, RasaModelApi

router = APIRouter(prefix="/training")
Trainer = Annotated[Ctx, Depends(require("training.run"))]
TrainerForm = Annotated[Ctx, Depends(require_post("training.run"))]
STATUS_LABELS = {"queued": "Đang chờ", "running": "Đang chạy", "succeeded": "Hoàn tất", "failed": "Thất bại"}
PHASE_LABELS = {
    "preparing": "Đang ghi câu hỏi thường gặp đã công bố và nhãn đã sửa vào dữ liệu huấn luyện",
    "training": "Đang huấn luyện",
    "evaluating": "Đang đánh giá trên bộ kiểm thử",
}
DECISION_LABELS = {"": "Chưa quyết định", "activated": "Đã kích hoạt", "discarded": "Đã loại bỏ"}
NOTICES = {
    "activated": "Đã kích hoạt: trợ lý đang dùng mô hình mới.",
    "rolled_back": "Đã khôi phục mô hình trước đó: trợ lý đang dùng lại mô hình này.",
    "discarded": "Đã loại bỏ mô hình này. Mô hình đang chạy không thay đổi.",
}
# A per-intent change at least this large is highlighted.
NOTABLE_DELTA = 0.01


def runner(app: FastAPI) -> training.TrainingRunner:
    """The app's training runner, created on first use (runs a restart left behind fail then)."""
    existing = getattr(app.state, "training_runner", None)
    if existing is not None:
        return existing
    from common.sql import session_scope

    with session_scope(app.state.session_factory) as session:
        training.fail_interrupted(session)
    app.state.training_runner = training.TrainingRunner(app.state.settings, app.state.session_factory)
    return app.state.training_runner


def rasa_models(request: Request) -> RasaModelApi:
    settings = request.app.state.settings
    return RasaModelApi(settings.rasa_url, settings.rasa_token)


def _run_or_404(ctx: Ctx, run_id: int) -> TrainingRun:
    run = ctx.db.get(TrainingRun, run_id)
    if run is None:
        raise PageError(404, "Không tìm thấy lần huấn luyện này.")
    return run


def comparison(new: dict[str, Any] | None, old: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Per-intent rows ``{intent, new, old, delta, notable}``, worst new score first."""
    new_scores = (new or {}).get("intents", {})
    old_scores = (old or {}).get("intents", {})
    rows = []
    for intent in sorted(set(new_scores) | set(old_scores)):
        a = new_scores.get(intent, {}).get("f1")
        b = old_scores.get(intent, {}).get("f1")
        delta = a - b if a is not None and b is not None else None
        rows.append(
            {
                "intent": intent,
                "new": a,
                "old": b,
                "delta": delta,
                "notable": delta is not None and abs(delta) >= NOTABLE_DELTA,
            }
        )
    return sorted(rows, key=lambda r: (r["new"] if r["new"] is not None else 2.0, r["intent"]))


def _render(ctx: Ctx, template: str, status_code: int = 200, **values: Any) -> Response:
    settings = ctx.request.app.state.settings
    return ctx.render(
        template,
        status_code=status_code,
        gates=settings.quality_gates,
        gate_passed=quality.gate_passed,
        answer_gates=quality.answer_gates(),
        gate_label=lambda test_set, metric: quality.GateRow(test_set, metric, None, 0.0).label,
        status_labels=STATUS_LABELS,
        phase_labels=PHASE_LABELS,
        decision_labels=DECISION_LABELS,
        elapsed=training.elapsed_seconds,
        basename=lambda p: Path(p).name if p else "—",
        **values,
    )


def _home(ctx: Ctx, status_code: int = 200, notice: str = "", error: str = "") -> Response:
    return _render(
        ctx,
        "training/index.html",
        status_code=status_code,
        active=training.active_run(ctx.db),
        runs=training.recent_runs(ctx.db),
        live=models_registry.current(ctx.db),
        rasa_model=models_registry.live_model_file(rasa_models(ctx.request)),
        history=models_registry.history(ctx.db),
        notice=notice,
        error=error,
    )


def _run_page(ctx: Ctx, run: TrainingRun, status_code: int = 200, notice: str = "", error: str = "") -> Response:
    gates = ctx.request.app.state.settings.quality_gates
    return _render(
        ctx,
        "training/run.html",
        status_code=status_code,
        run=run,
        rows=comparison(run.evaluation, run.baseline_evaluation),
        gate_rows=quality.gate_rows(run.evaluation, gates),
        baseline_gates=(run.baseline_evaluation or {}).get("gates") or {},
        passed=models_registry.gate_passed(run.evaluation, gates),
        log=training.log_tail(run),
        notice=notice,
        error=error,
    )


@router.get("")
def training_home(request: Request, ctx: Trainer, notice: str = "") -> Response:
    runner(request.app)
    return _home(ctx, notice=NOTICES.get(notice, ""))


@router.post("/runs")
def start_run(request: Request, ctx: TrainerForm) -> Response:
    worker = runner(request.app)
    try:
        run = training.create_run(ctx.db, ctx.user)
    except training.TrainingBusyError as exc:
        return _home(ctx, 409, error=str(exc))
    ctx.db.commit()  # the worker reads the row from its own session
    worker.submit(run.id)
    return RedirectResponse(f"/training/runs/{run.id}", status_code=303)


@router.get("/runs/{run_id}")
def show_run(run_id: int, ctx: Trainer, notice: str = "") -> Response:
    return _run_page(ctx, _run_or_404(ctx, run_id), notice=NOTICES.get(notice, ""))


@router.get("/runs/{run_id}/status")
def run_status(run_id: int, ctx: Trainer) -> Response:
    return JSONResponse(training.status_payload(_run_or_404(ctx, run_id)))


@router.post("/runs/{run_id}/activate")
def activate(run_id: int, request: Request, ctx: TrainerForm) -> Response:
    run = _run_or_404(ctx, run_id)
    gates = request.app.state.settings.quality_gates
    try:
        models_registry.activate(ctx.db, rasa_models(request), run, gates, ctx.user)
    except ActivationError as exc:
        return _run_page(ctx, run, 409, error=str(exc))  # the audit entry of a refusal commits too
    return RedirectResponse(f"/training/runs/{run_id}?notice=activated", status_code=303)


@router.post("/runs/{run_id}/discard")
def discard(run_id: int, ctx: TrainerForm) -> Response:
    run = _run_or_404(ctx, run_id)
    try:
        models_registry.discard(ctx.db, run, ctx.user)
    except ActivationError as exc:
        return _run_page(ctx, run, 409, error=str(exc))
    return RedirectResponse(f"/training/runs/{run_id}?notice=discarded", status_code=303)


@router.post("/models/{activation_id}/rollback")
def rollback(activation_id: int, request: Request, ctx: TrainerForm) -> Response:
    try:
        models_registry.rollback(ctx.db, rasa_models(request), activation_id, ctx.user)
    except ActivationError as exc:
        return _home(ctx, 409, error=str(exc))
    return RedirectResponse("/training?notice=rolled_back", status_code=303)
