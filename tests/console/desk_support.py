"""Helpers for the desk, complaint, analytics and retention tests.

* :class:`FakeRasaApi` stands in for Rasa's HTTP API (a real HTTP server, so the console's client
  code, query parameters and token are exercised) and records every appended event.
* :func:`write_conversations` writes events with Rasa's own ``SQLTrackerStore`` so the ``events``
  table has exactly the schema and JSON Rasa produces.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterable
from datetime import date, datetime, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from common.conversation import HANDOFF_SLOT

RASA_TOKEN = "rasa-test-token"


class FakeRasaApi(ThreadingHTTPServer):
    """``POST /conversations/<id>/tracker/events``: records (sender, events, query) and answers 200."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.calls: list[tuple[str, list[dict[str, Any]], dict[str, str]]] = []
        self.fail = False
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def events_for(self, sender_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [e for sender, events, _ in self.calls if sender == sender_id for e in events]

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: FakeRasaApi

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        prefix, suffix = "/conversations/", "/tracker/events"
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"[]")
        ok = parts.path.startswith(prefix) and parts.path.endswith(suffix) and query.get("token") == RASA_TOKEN
        if ok and not self.server.fail:
            # Like Rasa (Sanic), the path parameter is taken as is, without percent-decoding.
            sender = parts.path[len(prefix) : -len(suffix)]
            with self.server.lock:
                self.server.calls.append((sender, body if isinstance(body, list) else [body], query))
            status, answer = 200, b"{}"
        else:
            status, answer = (401 if not ok else 500), b'{"error": "no"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:
        pass


def write_conversations(db_path: Path, conversations: dict[str, Iterable[Event]]) -> None:
    """Save each sender's events through Rasa's SQLTrackerStore into the SQLite file ``db_path``."""
    domain = Domain.empty()
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(db_path))

    async def save_all() -> None:
        for sender_id, events in conversations.items():
            tracker = await store.retrieve(sender_id) or DialogueStateTracker(sender_id, domain.slots)
            for event in events:
                tracker.update(event)
            await store.save(tracker)

    # A thread of its own: callers may already run an event loop (Playwright's sync API does).
    worker = threading.Thread(target=asyncio.run, args=(save_all(),))
    worker.start()
    worker.join()
    store.engine.dispose()


# ----- a scripted set of conversations with known figures (analytics unit and browser tests) -----

DAY1, DAY2 = date(2026, 11, 20), date(2026, 11, 21)
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _at(day: date, minute: int) -> float:
    return datetime.combine(day, time(9, minute), tzinfo=TZ).timestamp()


def _user(text: str, intent: str, ts: float, channel: str, procedure: str | None = None) -> UserUttered:
    entities = [{"entity": "procedure", "value": procedure, "start": 0, "end": 1}] if procedure else []
    return UserUttered(text, {"name": intent, "confidence": 0.9}, entities, timestamp=ts, input_channel=channel)


def scripted_conversations() -> dict[str, list[Event]]:
    """Three citizens over two local days; :data:`SCRIPTED_FIGURES` are the numbers they must give."""
    return {
        "web:a": [
            _user("xin chào", "greet", _at(DAY1, 0), "rest"),
            BotUttered("Xin chào!", timestamp=_at(DAY1, 1)),
            _user("làm căn cước cần gì", "ask_documents", _at(DAY1, 2), "rest", "cấp căn cước"),
            ActionExecuted("action_answer_procedure", timestamp=_at(DAY1, 3)),
            _user("asdfgh", "nlu_fallback", _at(DAY1, 4), "rest"),
            ActionExecuted("action_default_fallback", timestamp=_at(DAY1, 5)),
            _user("lệ phí căn cước", "ask_fee", _at(DAY2, 30), "rest", "cấp căn cước"),
        ],
        "web:b": [
            _user("tra cứu hồ sơ", "check_dossier_status", _at(DAY1, 10), "rest"),
            SlotSet("dossier_lookup_result", "found", timestamp=_at(DAY1, 11)),
            _user("tra cứu hồ sơ khác", "check_dossier_status", _at(DAY1, 12), "rest"),
            SlotSet("dossier_lookup_result", "not_found", timestamp=_at(DAY1, 13)),
        ],
        "zalo:c": [
            _user("cho tôi gặp cán bộ", "request_human", _at(DAY2, 0), "zalo"),
            SlotSet(HANDOFF_SLOT, True, timestamp=_at(DAY2, 1)),
            _user("lệ phí khai sinh", "ask_fee", _at(DAY2, 2), "zalo", "đăng ký khai sinh"),
            ActionExecuted("action_default_fallback", timestamp=_at(DAY2, 3)),
            _user("tra cứu hồ sơ", "check_dossier_status", _at(DAY2, 4), "zalo"),
            SlotSet("dossier_lookup_result", "throttled", timestamp=_at(DAY2, 5)),
        ],
    }


SCRIPTED_FIGURES = {
    "days": {DAY1: (2, 5, 4), DAY2: (2, 4, 3)},  # conversations, messages, understood
    "conversations": 3,
    "messages": 9,
    "understood": 7,  # 78 %
    "handoff_conversations": 1,  # 33 %
    "procedures": [("cấp căn cước", 2), ("đăng ký khai sinh", 1)],
    "lookups": {"found": 1, "not_found": 1, "throttled": 1, "other": 0},
    "channels": [("rest", 2, 6), ("zalo", 1, 3)],
}
