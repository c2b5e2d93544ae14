"""Retention: ``purge-conversations`` removes (or anonymizes) conversations idle for more than N
days from Rasa's events table, clears the related handoff transcripts, and keeps recent ones."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered

from console import cli
from console.db import create_schema, make_engine, session_factory, session_scope
from console.models import Handoff, StaffReply
from console.services import retention
from console.services.rasa_events import tracker_engine
from tests.console.desk_support import write_conversations

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)


def _ago(days: float) -> float:
    return (NOW - timedelta(days=days)).timestamp()


@pytest.fixture
def stores(tmp_path: Path):
    """A tracker DB with an old conversation, a recent one and one that started old but is still
    active; a console DB with a handoff for the old one and a staff reply."""
    tracker = tmp_path / "tracker.db"
    write_conversations(
        tracker,
        {
            "web:old": [
                UserUttered("số điện thoại 0912345678", {"name": "inform"}, timestamp=_ago(200)),
                SlotSet("phone_number", "0912345678", timestamp=_ago(200)),
                BotUttered("Đã ghi nhận.", timestamp=_ago(200)),
            ],
            "web:recent": [UserUttered("xin chào", {"name": "greet"}, timestamp=_ago(3))],
            "zalo:ongoing": [
                UserUttered("câu đầu", {"name": "greet"}, timestamp=_ago(300)),
                UserUttered("câu mới", {"name": "greet"}, timestamp=_ago(1)),
            ],
        },
    )
    console_url = f"sqlite:///{tmp_path / 'console.db'}"
    engine = make_engine(console_url)
    create_schema(engine)
    factory = session_factory(engine)
    with session_scope(factory) as session:
        old = Handoff(
            sender_id="web:old",
            channel="web",
            reason="x",
            contact="0912345678",
            last_messages=[{"role": "user", "text": "xin gặp cán bộ"}],
            created_at=(NOW - timedelta(days=200)).replace(tzinfo=None),
        )
        recent = Handoff(sender_id="web:recent", channel="web", last_messages=[{"role": "user", "text": "chào"}])
        session.add_all([old, recent])
        session.flush()
        session.add(StaffReply(handoff_id=old.id, sender_id="web:old", text="Chào anh", delivered=True))
    return tracker, console_url, factory


def _senders(tracker: Path) -> dict[str, int]:
    rows = sqlite3.connect(tracker).execute("SELECT sender_id, count(*) FROM events GROUP BY sender_id").fetchall()
    return dict(rows)


def test_delete_removes_only_idle_conversations(stores) -> None:
    """Conversations whose last event is older than the cutoff go; recent and still-active ones stay whole."""
    tracker, _url, factory = stores
    with session_scope(factory) as session:
        report = retention.purge(tracker_engine(f"sqlite:///{tracker}"), session, 180, now=NOW)
    assert (report.conversations, report.handoffs, report.staff_replies) == (1, 1, 1)
    assert set(_senders(tracker)) == {"web:recent", "zalo:ongoing"}
    assert _senders(tracker)["zalo:ongoing"] == 2
    with session_scope(factory) as session:
        old = session.query(Handoff).filter_by(sender_id="web:old").one()
        assert old.last_messages == [] and old.contact is None
        assert session.query(Handoff).filter_by(sender_id="web:recent").one().last_messages
        assert session.query(StaffReply).count() == 0


def test_anonymize_keeps_structure_but_no_text(stores) -> None:
    """Anonymizing keeps rows (analytics still count intents) but no text, value or metadata survives."""
    tracker, _url, factory = stores
    with session_scope(factory) as session:
        retention.purge(tracker_engine(f"sqlite:///{tracker}"), session, 180, now=NOW, anonymize=True)
    rows = sqlite3.connect(tracker).execute("SELECT type_name, intent_name, data FROM events WHERE sender_id='web:old'")
    rows = rows.fetchall()
    assert [r[0] for r in rows] == ["user", "slot", "bot"] and rows[0][1] == "inform"
    for _type, _intent, data in rows:
        assert "0912345678" not in data and "Đã ghi nhận" not in data and "số điện thoại" not in data
        json.loads(data)


def test_dry_run_changes_nothing(stores) -> None:
    """--dry-run reports what would go and leaves both databases as they were."""
    tracker, _url, factory = stores
    with session_scope(factory) as session:
        report = retention.purge(tracker_engine(f"sqlite:///{tracker}"), session, 180, now=NOW, dry_run=True)
    assert (report.conversations, report.events) == (1, 3)
    assert set(_senders(tracker)) == {"web:old", "web:recent", "zalo:ongoing"}


def test_command_uses_the_retention_default(stores, monkeypatch, capsys) -> None:
    """``python -m console purge-conversations`` reads CONSOLE_RETENTION_DAYS when no flag is given."""
    tracker, url, _factory = stores
    monkeypatch.setenv("CONSOLE_DATABASE_URL", url)
    monkeypatch.setenv("CONSOLE_TRACKER_DB_URL", f"sqlite:///{tracker}")
    monkeypatch.setenv("CONSOLE_RETENTION_DAYS", "100000")
    assert cli.main(["purge-conversations"]) == 0
    assert "deleted 0 conversation(s)" in capsys.readouterr().out
    monkeypatch.setenv("CONSOLE_RETENTION_DAYS", "30")
    assert cli.main(["purge-conversations"]) == 0
    assert "deleted 1 conversation(s) idle for more than 30 day(s)" in capsys.readouterr().out
    assert set(_senders(tracker)) == {"web:recent", "zalo:ongoing"}


def test_zero_days_is_refused(stores) -> None:
    """A typo like 0 days must not wipe every conversation."""
    tracker, _url, factory = stores
    with session_scope(factory) as session, pytest.raises(ValueError):
        retention.purge(tracker_engine(f"sqlite:///{tracker}"), session, 0, now=NOW)


def test_command_reports_a_missing_tracker_store(tmp_path, monkeypatch, capsys) -> None:
    """A wrong CONSOLE_TRACKER_DB_URL gives a one-line error and exit code 1, not a traceback."""
    monkeypatch.setenv("CONSOLE_DATABASE_URL", f"sqlite:///{tmp_path / 'console.db'}")
    monkeypatch.setenv("CONSOLE_TRACKER_DB_URL", f"sqlite:///{tmp_path / 'missing.db'}")
    assert cli.main(["purge-conversations", "--older-than-days", "30"]) == 1
    assert "CONSOLE_TRACKER_DB_URL" in capsys.readouterr().err


def test_complaints_and_corrections_follow_their_own_retention(stores) -> None:
    """Complaints older than their period go with the staff answers to them (recent ones stay), and
    trainers' corrections made from a purged conversation are deleted with it."""
    from console.models import Complaint, ReviewCorrection

    tracker, _url, factory = stores
    with session_scope(factory) as session:
        old = Complaint(
            reference="PA-OLD",
            sender_id="web:recent",
            channel="web",
            description="Đường ngập",
            created_at=(NOW - timedelta(days=800)).replace(tzinfo=None),
        )
        fresh = Complaint(reference="PA-NEW", sender_id="web:recent", channel="web", description="Đèn hỏng")
        session.add_all([old, fresh])
        session.flush()
        session.add(StaffReply(complaint_id=old.id, sender_id="web:recent", text="Đã xử lý", delivered=True))
        session.add(ReviewCorrection(event_id=1, sender_id="web:old", text="so dien thoai", intent="inform"))
        session.add(ReviewCorrection(event_id=2, sender_id="web:recent", text="xin chao", intent="greet"))
    with session_scope(factory) as session:
        report = retention.purge(tracker_engine(f"sqlite:///{tracker}"), session, 180, now=NOW, complaint_days=730)
    assert (report.complaints, report.corrections) == (1, 1)
    with session_scope(factory) as session:
        assert [c.reference for c in session.query(Complaint)] == ["PA-NEW"]
        assert [c.sender_id for c in session.query(ReviewCorrection)] == ["web:recent"]
        assert session.query(StaffReply).filter(StaffReply.complaint_id.isnot(None)).count() == 0


def test_console_copies_go_before_the_conversations(stores, monkeypatch) -> None:
    """A crash while deleting the tracker's rows leaves no console copy of a conversation that is
    gone: the console's part was committed first, and the conversation is still there for the next run."""
    tracker, _url, factory = stores

    def crash(*_args, **_kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(retention, "_purge_tracker", crash)
    with pytest.raises(RuntimeError), session_scope(factory) as session:
        retention.purge(tracker_engine(f"sqlite:///{tracker}"), session, 180, now=NOW)
    with session_scope(factory) as session:
        assert session.query(Handoff).filter_by(sender_id="web:old").one().last_messages == []
        assert session.query(StaffReply).count() == 0
    assert "web:old" in _senders(tracker)  # still there: the next run deletes it
