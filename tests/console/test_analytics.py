"""Analytics computed from Rasa's events: per-day counts, understood share, handoff rate, top
intents and procedures, dossier lookups, channel split, the page and the CSV export."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from console.services import analytics
from console.services.rasa_events import TrackerUnavailableError, tracker_engine
from tests.console.conftest import login, make_settings
from tests.console.desk_support import DAY1, DAY2, SCRIPTED_FIGURES, TZ, scripted_conversations, write_conversations
from tests.missing import missing


@pytest.fixture
def tracker_db(tmp_path: Path) -> Path:
    path = tmp_path / "tracker.db"
    write_conversations(path, scripted_conversations())
    return path


@pytest.fixture
def settings(tmp_path: Path):
    return make_settings(tmp_path, tracker_database_url=f"sqlite:///{tmp_path / 'tracker.db'}")


def test_figures_match_the_scripted_conversations(tracker_db: Path) -> None:
    """Every definition on the page, checked against conversations whose numbers are known by hand."""
    report = analytics.compute(tracker_engine(f"sqlite:///{tracker_db}"), DAY1, DAY2, TZ)
    assert {d.day: (d.conversations, d.messages, d.understood) for d in report.days} == SCRIPTED_FIGURES["days"]
    assert report.conversations == SCRIPTED_FIGURES["conversations"]
    assert report.messages == SCRIPTED_FIGURES["messages"]
    assert report.understood == SCRIPTED_FIGURES["understood"]
    assert report.handoff_conversations == SCRIPTED_FIGURES["handoff_conversations"]
    assert report.procedures == SCRIPTED_FIGURES["procedures"]
    assert report.lookups == SCRIPTED_FIGURES["lookups"]
    assert report.channels == SCRIPTED_FIGURES["channels"]
    assert report.intents[0] == ("check_dossier_status", 3)
    assert round(report.understood_share * 100) == 78 and round(report.handoff_rate * 100) == 33


def test_procedures_are_named_never_bare_codes(tmp_path: Path) -> None:
    """The actions set ``procedure_code`` and ``procedure_name`` together: a conversation counts
    once, under the name; a code typed as the entity takes the same name; a code whose name never
    appeared is labelled as unnamed rather than shown bare."""
    from rasa.shared.core.events import SlotSet

    from tests.console.desk_support import _at, _user

    name = "Đăng ký thường trú"
    conversations = {
        "web:p": [
            _user("thường trú cần gì", "ask_documents", _at(DAY1, 0), "rest"),
            SlotSet("procedure_code", "1.004222", timestamp=_at(DAY1, 1)),
            SlotSet("procedure_name", name, timestamp=_at(DAY1, 1)),
            _user("còn lệ phí", "ask_fee", _at(DAY1, 2), "rest"),
            SlotSet("procedure_code", "1.004222", timestamp=_at(DAY1, 3)),
            SlotSet("procedure_name", name, timestamp=_at(DAY1, 3)),
        ],
        "web:q": [_user("thủ tục 1.004222", "ask_procedure", _at(DAY1, 5), "rest", "1.004222")],
        "web:r": [
            _user("hỏi thủ tục", "ask_procedure", _at(DAY1, 6), "rest"),
            SlotSet("procedure_code", "2.000815", timestamp=_at(DAY1, 7)),
        ],
    }
    path = tmp_path / "tracker.db"
    write_conversations(path, conversations)
    report = analytics.compute(tracker_engine(f"sqlite:///{path}"), DAY1, DAY1, TZ)
    assert report.procedures == [(name, 2), (analytics.unnamed_procedure("2.000815"), 1)]
    assert not any(analytics.CATALOG_CODE.fullmatch(label) for label, _ in report.procedures)


def test_days_follow_the_desk_timezone(tracker_db: Path) -> None:
    """A one-day period counts only that local day's messages (Hà Nội time, not UTC)."""
    report = analytics.compute(tracker_engine(f"sqlite:///{tracker_db}"), DAY2, DAY2, TZ)
    assert (report.messages, report.conversations) == (4, 2)
    assert report.lookups["found"] == 0 and report.lookups["throttled"] == 1


def test_missing_tracker_store_is_reported_not_crashed(tmp_path: Path) -> None:
    """An unconfigured or empty tracker database raises the error the page turns into a notice."""
    with pytest.raises(TrackerUnavailableError):
        analytics.compute(tracker_engine(f"sqlite:///{tmp_path / 'none.db'}"), DAY1, DAY2, TZ)


def test_bars_scale_to_the_largest_value() -> None:
    """The SVG bars are proportional and the tallest fills the chart."""
    bars = analytics.bars([("a", 5), ("b", 10), ("c", 0)], width=300, height=100)
    assert [round(b.height) for b in bars] == [50, 100, 0] and bars[1].y == 0


def test_page_and_csv_show_the_same_numbers(client, users, tracker_db: Path) -> None:
    """The page shows the KPIs and charts; the CSV (Excel-friendly BOM) has the same figures."""
    login(client, users["staff"])
    page = client.get(f"/analytics?start={DAY1}&end={DAY2}")
    assert page.status_code == 200
    assert 'id="kpi-conversations">3<' in page.text and 'id="kpi-messages">9<' in page.text
    assert 'id="kpi-understood">78%<' in page.text and 'id="kpi-handoff">33%<' in page.text
    assert page.text.count('data-value="') == 4  # two charts, two days each
    export = client.get(f"/analytics.csv?start={DAY1}&end={DAY2}")
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert rows[1] == [DAY1.isoformat(), "2", "5", "4", "0.8000"]
    assert ["tong_tin_nhan", "9"] in rows and ["tra_cuu_ho_so_throttled", "1"] in rows
    assert ["thu_tuc:cấp căn cước", "2"] in rows


def test_page_without_tracker_store_explains(client, users) -> None:
    """Before Rasa has written anything the page says so in Vietnamese instead of failing."""
    login(client, users["admin"])
    page = client.get("/analytics")
    assert page.status_code == 200 and "Chưa đọc được dữ liệu hội thoại" in page.text


def test_trainer_cannot_read_analytics(client, users) -> None:
    """Analytics are for staff and admins (permission analytics.read)."""
    login(client, users["trainer"])
    assert client.get("/analytics").status_code == 403


def test_bad_dates_fall_back_to_the_last_30_days(client, users, tracker_db: Path) -> None:
    """A mistyped date does not break the page; the notice explains what is shown instead."""
    login(client, users["staff"])
    page = client.get("/analytics?start=2026-13-45")
    assert page.status_code == 200 and "Ngày không hợp lệ" in page.text


@pytest.mark.postgres
def test_figures_on_postgresql(tracker_db: Path) -> None:
    """Production keeps the tracker store in PostgreSQL: the same rows give the same figures there."""
    import secrets
    import sqlite3

    import psycopg2
    from sqlalchemy import insert

    from console.services.rasa_events import events, metadata
    from tests.console.test_postgres import DATABASE, HOST, PORT, _server_user

    user = _server_user()
    if user is None:
        missing("no PostgreSQL on 127.0.0.1:5432/test")
    schema = f"analytics_{secrets.token_hex(4)}"
    admin = psycopg2.connect(host=HOST, port=PORT, dbname=DATABASE, user=user)
    admin.autocommit = True
    admin.cursor().execute(f"CREATE SCHEMA {schema}")
    url = f"postgresql+psycopg2://{user}@{HOST}:{PORT}/{DATABASE}?options=-csearch_path%3D{schema}"
    try:
        engine = tracker_engine(url)
        metadata.create_all(engine)
        columns = ["id", "sender_id", "type_name", "timestamp", "intent_name", "action_name", "data"]
        rows = sqlite3.connect(tracker_db).execute(f"SELECT {', '.join(columns)} FROM events").fetchall()
        with engine.begin() as connection:
            connection.execute(insert(events), [dict(zip(columns, row, strict=True)) for row in rows])
        report = analytics.compute(engine, DAY1, DAY2, TZ)
        assert (report.conversations, report.messages, report.understood) == (3, 9, 7)
        assert report.lookups == SCRIPTED_FIGURES["lookups"] and report.channels == SCRIPTED_FIGURES["channels"]
        engine.dispose()
    finally:
        admin.cursor().execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()
