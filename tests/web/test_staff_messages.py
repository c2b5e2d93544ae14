"""Staff replies reach the web widget: ``GET /api/messages`` on web/server.py and the widget's polling.

A fake Rasa serves both the REST channel (the widget's POST) and the HTTP API's tracker dump (the
page server's GET with the token), so the whole path browser -> page server -> Rasa API is real HTTP.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from urllib.request import urlopen

import pytest

from common.conversation import HANDOFF_SLOT, STAFF_METADATA
from tests.browser import launch_context
from web.server import HANDOFF_FIELD, STATIC_DIR, WebServer, staff_messages

TOKEN = "web-test-token"
SENDER = "0b6f1c2e-8d3a-4f5b-9c7d-1e2f3a4b5c6d"


class FakeRasaWithApi(ThreadingHTTPServer):
    """REST webhook + ``GET /conversations/<id>/tracker?token=``; ``events`` is per conversation."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.events: dict[str, list[dict]] = {}
        self.tracker_requests: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeRasaWithApi

    def _json(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_OPTIONS(self) -> None:
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type")
        self.end_headers()

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        if "cán bộ" in str(body.get("message", "")):
            self._json(
                200, [{"recipient_id": "x", "text": "Mình đã chuyển cho cán bộ."}, {"custom": {"handoff": True}}]
            )
        else:
            self._json(200, [])  # the bot is silent while a person owns the conversation

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parse_qs(parts.query).get("token") != [TOKEN]:
            self._json(401, {"error": "unauthorized"})
            return
        # Like Rasa (Sanic), the path parameter is taken as is, without percent-decoding.
        sender = parts.path.removeprefix("/conversations/").removesuffix("/tracker")
        self.server.tracker_requests.append(sender)
        self._json(200, {"sender_id": sender, "slots": {}, "events": self.server.events.get(sender, [])})

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def rasa() -> Iterator[FakeRasaWithApi]:
    server = FakeRasaWithApi()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def page_server(rasa) -> Iterator[str]:
    server = WebServer(("127.0.0.1", 0), rasa.url, rasa_api_url=rasa.url, rasa_token=TOKEN)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def staff_event(text: str, ts: float) -> dict:
    return {"event": "bot", "text": text, "timestamp": ts, "metadata": dict(STAFF_METADATA)}


def get(url: str) -> tuple[int, dict]:
    try:
        with urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except Exception as error:  # HTTPError carries the status and body
        return error.code, json.loads(error.read())  # type: ignore[attr-defined]


def test_only_staff_messages_after_the_cursor_are_returned() -> None:
    """Bot answers already came back through REST; only staff messages newer than ``after`` are relayed."""
    tracker = {
        "slots": {},
        "events": [
            {"event": "bot", "text": "trả lời tự động", "timestamp": 10.0, "metadata": {}},
            staff_event("cũ", 11.0),
            {"event": "slot", "name": HANDOFF_SLOT, "value": True, "timestamp": 11.5},
            staff_event("mới", 12.0),
        ],
    }
    assert staff_messages(tracker, 11.0) == {"messages": [{"text": "mới", "ts": 12.0}], HANDOFF_FIELD: True}


def test_widget_reads_the_handoff_field_the_relay_writes() -> None:
    """chat.js spells the relay's JSON field itself: renaming the field (or the slot it comes from)
    without the widget would leave the citizen's page blind to handoffs."""
    widget = (STATIC_DIR / "chat.js").read_text(encoding="utf-8")
    assert f"data.{HANDOFF_FIELD} ===" in widget


def test_endpoint_reads_the_web_namespaced_conversation_with_the_token(rasa, page_server) -> None:
    """The page server asks Rasa for ``web:<uuid>`` with its token; the browser never sees the token."""
    rasa.events[f"web:{SENDER}"] = [staff_event("Chào bạn, tôi là cán bộ.", 100.0)]
    status, body = get(f"{page_server}/api/messages?sender={SENDER}&after=0")
    assert status == 200 and body["messages"] == [{"text": "Chào bạn, tôi là cán bộ.", "ts": 100.0}]
    assert rasa.tracker_requests == [f"web:{SENDER}"]


@pytest.mark.parametrize("query", ["sender=zalo:123", "sender=../../x", f"sender={SENDER}&after=abc", "sender="])
def test_endpoint_refuses_odd_input(page_server, query) -> None:
    """Only a UUID v4 sender and a numeric cursor are accepted (no other namespace, no path tricks)."""
    status, body = get(f"{page_server}/api/messages?{query}")
    assert status == 400 and body == {"error": "invalid_request"}


def test_without_token_nothing_is_relayed(rasa) -> None:
    """A page server without RASA_AUTH_TOKEN answers an empty list (not an error in the citizen's console)."""
    server = WebServer(("127.0.0.1", 0), rasa.url, rasa_api_url=rasa.url, rasa_token="")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        status, body = get(f"http://127.0.0.1:{server.server_address[1]}/api/messages?sender={SENDER}")
        assert status == 200 and body["messages"] == [] and rasa.tracker_requests == []
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
@pytest.mark.usefixtures("chromium")
def test_widget_shows_staff_replies_during_a_handoff(rasa, page_server, tmp_path) -> None:
    """After the bot's handoff answer the widget polls and shows the staff message labelled "Cán bộ";
    the bot's silence meanwhile is not shown as "not understood"; polling stops once released."""
    from tests.web.test_widget_browser import playwright_api

    expect = playwright_api.expect
    with playwright_api.sync_playwright() as pw:
        context = launch_context(pw, tmp_path / "profile")
        page = context.pages[0] if context.pages else context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(page_server + "/")
        page.get_by_role("button", name="Hỏi trợ lý ảo", exact=True).click()
        box = page.get_by_label("Câu hỏi của bạn")
        box.fill("cho tôi gặp cán bộ")
        box.press("Enter")
        log = page.get_by_role("log")
        expect(log).to_contain_text("Mình đã chuyển cho cán bộ.")
        sender = page.evaluate("JSON.parse(localStorage.getItem('citizen-chat:v1')).senderId")
        conversation = f"web:{sender}"
        rasa.events[conversation] = [
            {"event": "slot", "name": HANDOFF_SLOT, "value": True, "timestamp": time.time()},
            staff_event("Chào bạn, tôi là cán bộ Lan. Bạn cần hỗ trợ gì?", time.time()),
        ]
        staff = page.locator(".chat-msg-staff")
        expect(staff).to_have_count(1, timeout=10000)
        expect(staff).to_contain_text("Cán bộ")
        expect(staff).to_contain_text("tôi là cán bộ Lan")
        box.fill("tôi muốn hỏi về hồ sơ đất")
        box.press("Enter")
        expect(log).to_contain_text("tôi muốn hỏi về hồ sơ đất")
        page.wait_for_timeout(500)
        expect(log).not_to_contain_text("chưa có câu trả lời")
        rasa.events[conversation].append(
            {"event": "slot", "name": HANDOFF_SLOT, "value": False, "timestamp": time.time()}
        )
        deadline = time.monotonic() + 10
        while page.evaluate("JSON.parse(localStorage.getItem('citizen-chat:v1')).handoff") is not None:
            assert time.monotonic() < deadline, "the widget did not notice the handoff ended"
            page.wait_for_timeout(200)
        requests = len(rasa.tracker_requests)
        page.wait_for_timeout(3500)
        assert len(rasa.tracker_requests) == requests, "the widget kept polling after the handoff ended"
        expect(staff).to_have_count(1)
        page.reload()
        expect(page.locator(".chat-msg-staff")).to_have_count(1)
        assert not errors, errors
        context.close()


@pytest.mark.browser
@pytest.mark.usefixtures("chromium")
def test_widget_notices_a_handoff_from_the_bots_silence(rasa, page_server, tmp_path) -> None:
    """Even without the handoff flag, a silent bot makes the widget ask once; if a staff member owns
    the conversation it starts polling (and shows no "not understood" apology)."""
    from tests.web.test_widget_browser import playwright_api

    expect = playwright_api.expect
    with playwright_api.sync_playwright() as pw:
        context = launch_context(pw, tmp_path / "profile")
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(page_server + "/")
        page.get_by_role("button", name="Hỏi trợ lý ảo", exact=True).click()
        sender = page.evaluate("JSON.parse(localStorage.getItem('citizen-chat:v1')).senderId")
        rasa.events[f"web:{sender}"] = [
            {"event": "slot", "name": HANDOFF_SLOT, "value": True, "timestamp": time.time()},
        ]
        box = page.get_by_label("Câu hỏi của bạn")
        box.fill("alo có ai không")
        box.press("Enter")
        expect(page.get_by_role("log")).to_contain_text("alo có ai không")
        rasa.events[f"web:{sender}"].append(staff_event("Có, tôi là cán bộ trực.", time.time()))
        expect(page.locator(".chat-msg-staff")).to_contain_text("tôi là cán bộ trực", timeout=10000)
        expect(page.get_by_role("log")).not_to_contain_text("chưa có câu trả lời")
        context.close()
