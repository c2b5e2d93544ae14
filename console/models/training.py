"""Trainer work: corrections of citizen messages, training runs, and which model was live when.

A correction is the trainer's verdict on one user message of the tracker store (the intent and
entity spans it *should* have had); exported, it becomes a training example. A training run is
one background ``rasa train`` plus its evaluation on the held-out set. A model activation is one
line of the model history: what was loaded into the running Rasa server, by whom, and its scores,
so a rollback can name the model that was live before.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Float, ForeignKey, Integer, String, Text

from console.models.base import Base, utcnow

RUN_STATES = ("queued", "running", "succeeded", "failed")
RUN_DECISIONS = ("", "activated", "discarded")


class ReviewCorrection(Base):
    """The intent and entities a trainer says one user message should have had."""

    __tablename__ = "console_review_corrections"

    id = Column(Integer, primary_key=True)
    # Row id of the user event in the tracker store's ``events`` table (one correction per message).
    event_id = Column(Integer, unique=True, nullable=False)
    sender_id = Column(String(255), nullable=False, index=True)
    # The message as the console showed it: masked and NFC-normalized; spans index into it.
    text = Column(Text, nullable=False)
    predicted_intent = Column(String(128), nullable=False, default="")
    predicted_confidence = Column(Float, nullable=True)
    intent = Column(String(128), nullable=False)
    # [{"start": int, "end": int, "entity": str}], sorted, non-overlapping, on word boundaries.
    entities = Column(JSON, nullable=False, default=list)
    created_by = Column(Integer, ForeignKey("console_users.id"), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow)
    # Set when the correction was written into the corrections training file.
    exported_at = Column(DateTime, nullable=True)


class TrainingRun(Base):
    """One background training job and, once trained, its held-out evaluation."""

    __tablename__ = "console_training_runs"

    id = Column(Integer, primary_key=True)
    status = Column(String(16), nullable=False, default="queued", index=True)
    # What a running job is doing: "training" then "evaluating".
    phase = Column(String(16), nullable=False, default="")
    started_by = Column(Integer, ForeignKey("console_users.id"), nullable=True)
    # "<host>:<pid>" of the console process running it: a restart only fails its own orphans.
    worker = Column(String(128), nullable=False, default="")
    created_at = Column(DateTime, nullable=False, default=utcnow)
    started_at = Column(DateTime, nullable=True)
    finished_at = Column(DateTime, nullable=True)
    model_path = Column(Text, nullable=True)
    log_path = Column(Text, nullable=True)
    error = Column(Text, nullable=False, default="")
    # {"macro_f1": float, "accuracy": float, "intents": {name: {"f1": float, "support": int}}}
    evaluation = Column(JSON, nullable=True)
    # Evaluation of the model that was active when this run ended (the comparison column).
    baseline_model = Column(Text, nullable=True)
    baseline_evaluation = Column(JSON, nullable=True)
    decision = Column(String(16), nullable=False, default="")
    decided_by = Column(Integer, ForeignKey("console_users.id"), nullable=True)
    decided_at = Column(DateTime, nullable=True)


# At most one run queued or running, enforced by the database: 1 for an active run, NULL otherwise, and
# NULLs do not collide in a unique index (SQLite and PostgreSQL alike). Two "start training" clicks
# racing each other cannot both queue a run.
# Plain DDL, run by console.db.create_schema on new and existing databases alike (create_all adds no
# index to an existing table, and SQLite cannot reflect expression indexes to check for it).
ONE_ACTIVE_RUN_INDEX = (
    "CREATE UNIQUE INDEX IF NOT EXISTS uq_console_training_one_active ON console_training_runs "
    "((CASE WHEN status IN ('queued', 'running') THEN 1 END))"
)


class ModelActivation(Base):
    """One model loaded into the running Rasa server (activation or rollback)."""

    __tablename__ = "console_model_activations"

    id = Column(Integer, primary_key=True)
    model_path = Column(Text, nullable=False)
    run_id = Column(Integer, ForeignKey("console_training_runs.id"), nullable=True)
    kind = Column(String(16), nullable=False, default="activate")  # "activate" or "rollback"
    macro_f1 = Column(Float, nullable=True)
    activated_by = Column(Integer, ForeignKey("console_users.id"), nullable=True)
    activated_at = Column(DateTime, nullable=False, default=utcnow)
