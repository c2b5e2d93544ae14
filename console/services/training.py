"""Background training runs: ``rasa train`` in a child process, then the held-out evaluation.

One run at a time: training takes minutes of both CPU cores, and two runs would only slow each
other down. A run is a row (queued → running → succeeded/failed) that a worker thread of the
console advances; the page polls ``/training/runs/{id}/status`` for phase, elapsed time and the
tail of the log. The model file is named ``assistant-<fingerprint>-r<run id>.tar.gz`` in its own
folder, so a run never overwrites the model Rasa is running (``bot.train`` names models by
fingerprint only, which is right for ``make run`` but would overwrite the live file here).
A console restart cannot resume a child process: runs left queued/running are marked failed.
Each run first writes the published FAQs and the review corrections into the project
(:mod:`console.services.training_data`), so what staff and trainers changed is trained.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from common.model_inputs import fingerprint, train_command
from common.sql import session_scope
from console.models import TrainingRun, User, utcnow
from console.services import audit, model_eval, models_registry, quality, training_data
from console.settings import ConsoleSettings

logger = logging.getLogger("console.training")
ACTIVE_STATES = ("queued", "running")
TRAIN_TIMEOUT_SECONDS = 3600
STALE_QUEUED_SECONDS = 60
LOG_TAIL_LINES = 30
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # Rasa colours its messages
INTERRUPTED = "Bị gián đoạn vì bảng điều khiển khởi động lại. Hãy bắt đầu lần huấn luyện mới."


class TrainingBusyError(RuntimeError):
    """Another run is queued or running."""


def active_run(session: Session) -> TrainingRun | None:
    query = select(TrainingRun).where(TrainingRun.status.in_(ACTIVE_STATES)).order_by(TrainingRun.id)
    return session.execute(query).scalars().first()


def recent_runs(session: Session, limit: int = 20) -> list[TrainingRun]:
    return list(session.execute(select(TrainingRun).order_by(TrainingRun.id.desc()).limit(limit)).scalars())


def create_run(session: Session, user: User | None) -> TrainingRun:
    """Queue a run (refused while another is queued or running); audited."""
    busy = active_run(session)
    if busy is not None:
        raise TrainingBusyError(f"Lần huấn luyện #{busy.id} đang chạy. Hãy đợi nó kết thúc.")
    run = TrainingRun(status="queued", started_by=user.id if user else None)
    try:
        with session.begin_nested():  # a racing click lost: only this insert is undone
            session.add(run)
            session.flush()
    except IntegrityError:
        raise TrainingBusyError("Một lần huấn luyện khác vừa được bắt đầu. Hãy đợi nó kết thúc.") from None
    audit.record(session, user, "training.start", "training_run", run.id, after={"status": "queued"})
    return run


def worker_id() -> str:
    """This console process, as stored on the runs it executes."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _orphaned(run: TrainingRun, now: datetime) -> bool:
    """True when no live console process can still finish ``run``.

    A queued run is picked up within a second, so one queued for a minute was lost; a running
    run is orphaned when its process is gone from this host. Runs of other hosts are left alone
    (their own console cleans them up when it restarts)."""
    if not run.worker:
        return run.status == "queued" and (now - run.created_at).total_seconds() > STALE_QUEUED_SECONDS
    host, _, pid = run.worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def fail_interrupted(session: Session) -> int:
    """Mark runs whose console process died (restart, crash) as failed; returns how many."""
    now = utcnow()
    stale = [
        run
        for run in session.execute(select(TrainingRun).where(TrainingRun.status.in_(ACTIVE_STATES))).scalars()
        if _orphaned(run, now)
    ]
    for run in stale:
        run.status, run.phase, run.error, run.finished_at = "failed", "", INTERRUPTED, now
    return len(stale)


def log_tail(run: TrainingRun, lines: int = LOG_TAIL_LINES) -> str:
    """The last lines of the run's log (Rasa's progress bars collapsed to their last state)."""
    if not run.log_path:
        return ""
    try:
        text = Path(run.log_path).read_bytes()[-200_000:].decode("utf-8", errors="replace")  # keeps \r
    except OSError:
        return ""
    text = _ANSI_ESCAPE.sub("", text)
    cleaned = [line.rsplit("\r", 1)[-1].rstrip() for line in text.split("\n")]
    return "\n".join([line for line in cleaned if line.strip()][-lines:])


def elapsed_seconds(run: TrainingRun, now: datetime | None = None) -> int:
    if run.started_at is None:
        return 0
    end = run.finished_at or now or utcnow()
    return max(0, int((end - run.started_at).total_seconds()))


def status_payload(run: TrainingRun) -> dict[str, Any]:
    """What the training page polls (JSON)."""
    return {
        "id": run.id,
        "status": run.status,
        "phase": run.phase,
        "elapsed_seconds": elapsed_seconds(run),
        "finished": run.status not in ACTIVE_STATES,
        "error": run.error,
        "macro_f1": (run.evaluation or {}).get("macro_f1"),
        "log_tail": log_tail(run),
    }


class TrainingRunner:
    """Advances queued runs in a worker thread of the console process (one at a time)."""

    def __init__(
        self,
        settings: ConsoleSettings,
        factory: sessionmaker,
        rasa: models_registry.RasaModelApi | None = None,
        on_finish: Callable[[int], None] | None = None,
    ) -> None:
        self.settings = settings
        self.factory = factory
        self.rasa = rasa or models_registry.RasaModelApi(settings.rasa_url, settings.rasa_token)
        self.on_finish = on_finish
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, run_id: int) -> None:
        """Start the worker for ``run_id`` (the row must be committed)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                raise TrainingBusyError("Đang có lần huấn luyện khác chạy.")
            worker = threading.Thread(target=self._execute, args=(run_id,), name=f"training-{run_id}", daemon=True)
            self._thread = worker
            self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the current worker ends (tests, shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _update(self, run_id: int, **values: Any) -> None:
        with session_scope(self.factory) as session:
            run = session.get(TrainingRun, run_id)
            for name, value in values.items():
                setattr(run, name, value)

    def _execute(self, run_id: int) -> None:
        try:
            self._train_and_evaluate(run_id)
        except Exception as exc:  # the run must end in a state, whatever happened
            logger.exception("training run %s crashed", run_id)
            self._update(run_id, status="failed", phase="", error=f"Lỗi không mong đợi: {type(exc).__name__}.")
            self._update(run_id, finished_at=utcnow())
        finally:
            self._audit_end(run_id)
            if self.on_finish is not None:
                self.on_finish(run_id)

    def _audit_end(self, run_id: int) -> None:
        """The end of a run is in the audit log too (actor "system": no person clicked)."""
        with session_scope(self.factory) as session:
            run = session.get(TrainingRun, run_id)
            after = {"status": run.status, "model": Path(run.model_path or "").name or None, "error": run.error}
            after["macro_f1"] = (run.evaluation or {}).get("macro_f1")
            audit.record(session, None, f"training.{run.status}", "training_run", run_id, after=after)

    def _train_and_evaluate(self, run_id: int) -> None:
        settings = self.settings
        run_dir = settings.models_dir.resolve() / f"run-{run_id}"  # Rasa gets an absolute path
        run_dir.mkdir(parents=True, exist_ok=True)
        log_path = run_dir / "train.log"
        started = {"started_at": utcnow(), "worker": worker_id(), "log_path": str(log_path)}
        self._update(run_id, status="running", phase="preparing", **started)
        with log_path.open("w", encoding="utf-8") as log:
            try:
                with session_scope(self.factory) as session:
                    training_data.prepare(session, settings, log)
            except training_data.PreparationError as exc:
                self._update(run_id, status="failed", phase="", error=str(exc), finished_at=utcnow())
                return
            self._update(run_id, phase="training")
            model_name = f"assistant-{fingerprint(settings.project_dir)}-r{run_id}"  # of the prepared data
            try:
                result = subprocess.run(
                    train_command(run_dir, model_name),
                    cwd=settings.project_dir,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    timeout=TRAIN_TIMEOUT_SECONDS,
                    check=False,
                )
                code = result.returncode
            except subprocess.TimeoutExpired:
                code = -1
        model = run_dir / f"{model_name}.tar.gz"
        if code != 0 or not model.is_file():
            reason = "quá thời gian cho phép" if code == -1 else f"mã lỗi {code}"
            error = f"Huấn luyện thất bại ({reason}). Xem nhật ký bên dưới; thường do lỗi trong dữ liệu huấn luyện."
            self._update(run_id, status="failed", phase="", error=error, finished_at=utcnow())
            return
        self._update(run_id, phase="evaluating", model_path=str(model))
        try:
            files = quality.gate_files(settings)
            evaluation = model_eval.evaluate(model, files, run_dir / "evaluation.json", log_path)
        except model_eval.EvaluationError as exc:
            self._update(run_id, status="failed", phase="", error=str(exc), finished_at=utcnow())
            return
        baseline_model, baseline = self._baseline(run_dir, log_path)
        self._update(
            run_id,
            status="succeeded",
            phase="",
            evaluation=evaluation,
            baseline_model=baseline_model,
            baseline_evaluation=baseline,
            finished_at=utcnow(),
        )

    def _baseline(self, run_dir: Path, log_path: Path) -> tuple[str | None, dict[str, Any] | None]:
        """Scores of the model live now, for the comparison column: from the console's history,
        else by evaluating the file Rasa reports (a model ``make run`` started with)."""
        with session_scope(self.factory) as session:
            live = models_registry.current(session)
            if live is not None:
                return live.model_path, models_registry.evaluation_of(session, live)
        try:
            name = str(self.rasa.status().get("model_file") or "")
        except models_registry.ActivationError:
            return None, None
        candidates = list(self.settings.models_dir.parent.rglob(name)) if name else []
        if not candidates:
            return name or None, None
        try:
            files = quality.gate_files(self.settings)
            scores = model_eval.evaluate(candidates[0], files, run_dir / "baseline.json", log_path)
        except model_eval.EvaluationError:
            return str(candidates[0]), None
        return str(candidates[0]), scores
