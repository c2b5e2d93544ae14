"""Training runs, the quality gate, activation into a running Rasa server, history and rollback.

The integration test trains a tiny project for real (``rasa train``), evaluates it with
bot.evaluation on a held-out file, starts a real ``rasa run --enable-api`` and activates the model
through Rasa's HTTP API, checking ``GET /status``.
"""

from __future__ import annotations

import socket
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from console.models import AuditEntry, ModelActivation, TrainingRun, utcnow
from console.routes.training import comparison
from console.services import models_registry, training
from console.services.models_registry import ActivationError, RasaModelApi
from launcher.processes import free_port, stop
from tests.console.conftest import login, make_settings
from tests.console.training_support import TINY_GATES, copy_as, scored, start_rasa, write_tiny_project

RASA_TOKEN = "console-training-test-token"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_tiny_project(tmp_path / "project")


@pytest.fixture
def settings(tmp_path: Path, project: Path):
    return make_settings(
        tmp_path,
        project_dir=project,
        models_dir=tmp_path / "models" / "console",
        test_nlu_path=project / "test_nlu.yml",
        test_nlu_unaccented_path=project / "test_nlu.yml",
        rasa_url=f"http://127.0.0.1:{free_port()}",  # nothing listens until a test starts Rasa there
        rasa_token=RASA_TOKEN,
        quality_gates=TINY_GATES,
    )


def _finished_run(db, evaluation: dict | None, model: Path | None = None) -> int:
    with db() as session:
        run = TrainingRun(status="succeeded", evaluation=evaluation, model_path=str(model) if model else None)
        session.add(run)
        session.flush()
        return run.id


def test_comparison_highlights_changes_and_lists_worst_first():
    """Per-intent F1 of the new model sits next to the live one; changes of 0.01 or more are
    flagged, intents missing on one side show no delta, and the weakest intents come first."""
    new = {"intents": {"greet": {"f1": 0.99}, "ask_fee": {"f1": 0.80}, "inform": {"f1": 0.9}}}
    old = {"intents": {"greet": {"f1": 0.985}, "ask_fee": {"f1": 0.90}}}
    rows = comparison(new, old)
    assert [r["intent"] for r in rows] == ["ask_fee", "inform", "greet"]
    by_intent = {r["intent"]: r for r in rows}
    assert by_intent["ask_fee"]["notable"] and by_intent["ask_fee"]["delta"] == pytest.approx(-0.1)
    assert not by_intent["greet"]["notable"]
    assert by_intent["inform"]["delta"] is None and by_intent["inform"]["old"] is None


def test_one_run_at_a_time_and_restart_fails_only_orphaned_runs(db, users):
    """A second run is refused while one is queued or running. Runs whose console process died
    (or that sat queued for minutes) are marked failed with an explanation instead of staying
    "running" forever; a run of another live process or host is left alone."""
    dead = subprocess.Popen(["true"])
    dead.wait()
    host = socket.gethostname()
    with db() as session:
        first = training.create_run(session, None)
        with pytest.raises(training.TrainingBusyError):
            training.create_run(session, None)
        assert training.fail_interrupted(session) == 0  # just queued: its worker starts it now
        first.status, first.worker = "running", f"{host}:{dead.pid}"
        session.flush()
        assert training.fail_interrupted(session) == 1
        assert first.status == "failed" and "khởi động lại" in first.error

        other_host = training.create_run(session, None)
        other_host.status, other_host.worker = "running", "another-host:1"
        session.flush()
        assert training.fail_interrupted(session) == 0 and other_host.status == "running"
        other_host.status = "failed"
        session.flush()

        old_queued = training.create_run(session, None)
        old_queued.created_at = utcnow() - timedelta(minutes=5)
        session.flush()
        assert training.fail_interrupted(session) == 1 and old_queued.status == "failed"


def test_the_database_refuses_a_second_active_run_even_when_two_clicks_race(db, users, monkeypatch):
    """Two "start training" requests that both passed the "is one running?" check (they raced):
    the database's unique index refuses the second insert and the click gets a clear message, so no
    run is ever left queued behind another forever."""
    with db() as session:
        training.create_run(session, None)
        monkeypatch.setattr(training, "active_run", lambda _session: None)  # the racing request saw none
        with pytest.raises(training.TrainingBusyError, match="vừa được bắt đầu"):
            training.create_run(session, None)
        active = session.execute(select(TrainingRun).where(TrainingRun.status.in_(training.ACTIVE_STATES))).all()
        assert len(active) == 1


def test_activation_below_the_quality_gate_is_refused_and_audited(client, users, db, tmp_path, settings):
    """A model under the gate cannot be activated (the button is disabled and a forged POST is
    refused); the refusal is in the audit log and Rasa is never called."""
    model = tmp_path / "weak.tar.gz"
    model.write_bytes(b"not loaded")
    run_id = _finished_run(db, scored(0.31), model)
    csrf = login(client, users["trainer"])
    page = client.get(f"/training/runs/{run_id}")
    assert "chưa đạt" in page.text and 'id="activate-model" disabled' in page.text and "0.50" in page.text
    refused = client.post(f"/training/runs/{run_id}/activate", data={"csrf_token": csrf})
    assert refused.status_code == 409 and "thấp hơn ngưỡng chất lượng" in refused.text
    with db() as session:
        assert session.execute(select(ModelActivation)).first() is None
        assert session.execute(select(AuditEntry).where(AuditEntry.action == "model.activate_refused")).first()


def test_activation_gate_is_the_ci_gate_and_refuses_below_any_threshold(client, users, db, tmp_path, settings):
    """The console reads CI's one table of thresholds (never a copy); a model good on accented
    intents but under the unaccented threshold is refused, and the run page shows every gated
    number against its threshold."""
    from common import quality_gates as ci_gates
    from console.settings import ConsoleSettings

    assert ConsoleSettings().quality_gates is ci_gates.GATES
    model = tmp_path / "lopsided.tar.gz"
    model.write_bytes(b"not loaded")
    run_id = _finished_run(db, scored(0.97, unaccented={"intent_macro_f1": 0.42}), model)
    csrf = login(client, users["trainer"])
    home = client.get("/training").text  # CI's answer-quality threshold is shown beside the gate
    assert 'id="answer-gate"' in home and f"<strong>{ci_gates.ANSWER_GATES['min_fact_share']:.2f}</strong>" in home
    page = client.get(f"/training/runs/{run_id}").text
    assert 'id="gate-accented-intent_macro_f1" class="gate-pass"' in page
    assert 'id="gate-unaccented-intent_macro_f1" class="gate-fail"' in page and "0.420" in page
    assert 'id="activate-model" disabled' in page
    refused = client.post(f"/training/runs/{run_id}/activate", data={"csrf_token": csrf})
    assert refused.status_code == 409 and "Câu không dấu: F1 trung bình theo ý định 0.420 &lt; 0.50" in refused.text
    unmeasured = _finished_run(db, {"macro_f1": 0.99, "accuracy": 1, "examples": 6, "intents": {}}, model)
    assert client.post(f"/training/runs/{unmeasured}/activate", data={"csrf_token": csrf}).status_code == 409
    with db() as session:
        assert session.execute(select(ModelActivation)).first() is None


def test_discard_deletes_the_file_and_staff_cannot_train(client, users, db, tmp_path):
    """Discarding keeps the run's record but removes the model file; the training page lists it
    and explains that Rasa cannot be asked; desk staff have no access to training at all."""
    model = tmp_path / "m.tar.gz"
    model.write_bytes(b"x")
    run_id = _finished_run(db, scored(0.99), model)
    csrf = login(client, users["trainer"])
    assert client.post(f"/training/runs/{run_id}/discard", data={"csrf_token": csrf}).status_code == 200
    assert not model.exists()
    with db() as session:
        assert session.get(TrainingRun, run_id).decision == "discarded"
    home = client.get("/training").text  # Rasa is not running: the page says so, without waiting long
    assert 'id="rasa-unreachable"' in home and f'id="run-{run_id}"' in home and "Đã loại bỏ" in home
    client.cookies.clear()
    login(client, users["staff"])
    assert client.get("/training").status_code == 403


def test_unreachable_rasa_is_a_clear_error(settings, db, tmp_path):
    """When Rasa is down the trainer reads why (and the live model is unchanged), not a trace."""
    model = tmp_path / "ok.tar.gz"
    model.write_bytes(b"x")
    run_id = _finished_run(db, scored(0.99), model)
    with db() as session, pytest.raises(ActivationError, match="Không kết nối được"):
        api = RasaModelApi(settings.rasa_url, RASA_TOKEN, timeout=2)
        models_registry.activate(session, api, session.get(TrainingRun, run_id), TINY_GATES, None)


@pytest.mark.slow
@pytest.mark.timeout(900)  # trains, evaluates on every gated set, starts Rasa: minutes on a busy machine
def test_real_training_evaluation_activation_and_rollback(app, settings, db, users, tmp_path):
    """End to end without fakes: a queued run trains the tiny project with ``rasa train`` in the
    background (status running → succeeded, log kept), is scored on the held-out file, and its
    activation loads it into a running Rasa server (``GET /status`` names the new file); a
    rollback then puts the previous model back. Every step is audited."""
    from console.routes.training import runner

    worker = runner(app)
    with db() as session:
        run_id = training.create_run(session, None).id
    started = time.monotonic()
    worker.submit(run_id)
    seen = set()
    while time.monotonic() - started < 480:
        with db() as session:
            run = session.get(TrainingRun, run_id)
            seen.add(run.status)
            if run.status in ("succeeded", "failed"):
                break
        time.sleep(0.5)
    worker.wait(30)
    with db() as session:
        run = session.get(TrainingRun, run_id)
        assert run.status == "succeeded", f"{run.error}\n{training.log_tail(run)}"
        assert "running" in seen and Path(run.model_path).is_file()
        assert set(run.evaluation["intents"]) == {"greet", "ask_fee", "check_dossier_status"}
        assert 0.0 <= run.evaluation["macro_f1"] <= 1.0 and run.evaluation["examples"] == 6
        assert set(run.evaluation["gates"]) == set(TINY_GATES)  # every gated test set was scored
        assert "trained" in Path(run.log_path).read_text(encoding="utf-8")
        new_model = Path(run.model_path)
    print(f"training + evaluation: {time.monotonic() - started:.1f}s")

    previous = copy_as(new_model, "previous-model.tar.gz")
    port = int(settings.rasa_url.rsplit(":", 1)[1])
    rasa = start_rasa(previous, tmp_path, RASA_TOKEN, port)
    try:
        api = RasaModelApi(settings.rasa_url, RASA_TOKEN)
        assert api.status()["model_file"] == "previous-model.tar.gz"
        with db() as session:
            session.add(ModelActivation(model_path=str(previous), kind="activate"))
        with db() as session:
            models_registry.activate(session, api, session.get(TrainingRun, run_id), settings.quality_gates, None)
        assert api.status()["model_file"] == new_model.name
        with db() as session:
            history = models_registry.history(session)
            assert [h.kind for h in history] == ["activate", "activate"]
            models_registry.rollback(session, api, history[1].id, None)
        assert api.status()["model_file"] == "previous-model.tar.gz"
        with db() as session:
            actions = [a.action for a in session.execute(select(AuditEntry)).scalars()]
            assert {"training.start", "training.succeeded", "model.activate", "model.rollback"} <= set(actions)
    finally:
        stop([rasa])


def test_status_endpoint_reports_progress_and_a_readable_log_tail(client, users, db, tmp_path):
    """The JSON the training page polls carries status, phase, elapsed time and the last log
    lines with terminal colours and progress-bar redraws removed."""
    log = tmp_path / "train.log"
    log.write_text("start\n\x1b[92mEpochs: 10%\rEpochs: 100%\x1b[0m\n\n", encoding="utf-8")
    with db() as session:
        run = TrainingRun(status="running", phase="training", log_path=str(log), started_at=utcnow())
        session.add(run)
        session.flush()
        run_id = run.id
    login(client, users["trainer"])
    status = client.get(f"/training/runs/{run_id}/status").json()
    assert status["status"] == "running" and status["phase"] == "training" and not status["finished"]
    assert status["elapsed_seconds"] >= 0 and status["log_tail"] == "start\nEpochs: 100%"
