"""Faults between the action server and the portal or console: the citizen always gets a clear
Vietnamese message, and within 5 s (connect/read timeouts, one retry, one shared reply budget)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.console_client import reset_shared_console_client
from actions.dossiers import ActionLookupDossier
from actions.faq import ActionAnswerFaq
from actions.portal_client import ERROR_MESSAGES, reset_shared_portal_client
from actions.procedures import ActionAnswerProcedure
from launcher.processes import free_port
from tests.actions.conftest import make_tracker, texts

REPLY_LIMIT_SECONDS = 5.0
UNAVAILABLE = ERROR_MESSAGES["unavailable"]


class FaultyServer:
    """A local HTTP server that answers every request with the chosen status, body and delay."""

    def __init__(self, status: int = 200, body: bytes = b"{}", delay: float = 0.0) -> None:
        self.status, self.body, self.delay = status, body, delay
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                time.sleep(server.delay)
                try:
                    self.send_response(server.status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(server.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = _answer  # noqa: N815 - http.server's naming

            def log_message(self, *_args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def point_portal_at(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    servers: list[FaultyServer] = []

    def _point(url: str) -> None:
        monkeypatch.setenv("PORTAL_URL", url)
        monkeypatch.setenv("CONSOLE_URL", url)
        reset_shared_portal_client()
        reset_shared_console_client()

    def _serve(**fault: object) -> None:
        server = FaultyServer(**fault)  # type: ignore[arg-type]
        servers.append(server)
        _point(server.url)

    _serve.down = lambda: _point(f"http://127.0.0.1:{free_port()}")  # type: ignore[attr-defined]
    yield _serve
    for server in servers:
        server.close()
    reset_shared_portal_client()
    reset_shared_console_client()


def ask_fee() -> tuple[str, float]:
    dispatcher = CollectingDispatcher()
    started = time.monotonic()
    ActionAnswerProcedure().run(dispatcher, make_tracker(text="lệ phí đăng ký thường trú", intent="ask_fee"), {})
    return texts(dispatcher), time.monotonic() - started


def test_portal_down(point_portal_at) -> None:
    point_portal_at.down()
    text, elapsed = ask_fee()
    assert text == UNAVAILABLE and elapsed < REPLY_LIMIT_SECONDS


def test_portal_slower_than_the_timeout(point_portal_at) -> None:
    """Worst case: a first attempt that times out, a retry in what is left of the budget."""
    point_portal_at(delay=10.0, body=b'{"items": []}')
    text, elapsed = ask_fee()
    assert text == UNAVAILABLE and elapsed < REPLY_LIMIT_SECONDS


def test_portal_server_error(point_portal_at) -> None:
    point_portal_at(status=500, body=b'{"error": {"code": "internal_error"}}')
    text, elapsed = ask_fee()
    assert text == UNAVAILABLE and elapsed < REPLY_LIMIT_SECONDS


def test_portal_malformed_json(point_portal_at) -> None:
    point_portal_at(body=b"<html>not json")
    text, elapsed = ask_fee()
    assert text == ERROR_MESSAGES["bad_response"] and elapsed < REPLY_LIMIT_SECONDS


def test_dossier_lookup_with_a_slow_portal(point_portal_at) -> None:
    point_portal_at(delay=10.0)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"dossier_code": "000.00.01.H29-240115-0001", "verification_factor": "1234"})
    started = time.monotonic()
    ActionLookupDossier().run(dispatcher, tracker, {})
    assert texts(dispatcher) == UNAVAILABLE and time.monotonic() - started < REPLY_LIMIT_SECONDS


def test_faq_with_a_slow_console_uses_the_trained_answer(point_portal_at) -> None:
    point_portal_at(delay=10.0)
    dispatcher = CollectingDispatcher()
    selector = {"faq": {"response": {"intent_response_key": "faq/hotline"}}}
    started = time.monotonic()
    ActionAnswerFaq().run(dispatcher, make_tracker(text="hotline", intent="faq", response_selector=selector), {})
    assert dispatcher.messages[0]["response"] == "utter_faq/hotline"
    assert time.monotonic() - started < REPLY_LIMIT_SECONDS
