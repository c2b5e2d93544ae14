"""Fixtures for the web page tests: the page server and a fake Rasa REST channel."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from web.server import WebServer

BUTTONS = [
    {"title": "Cấp thẻ căn cước", "payload": '/chon_thu_tuc{"ma":"CC01"}'},
    {"title": "Đăng ký khai sinh", "payload": '/chon_thu_tuc{"ma":"KS01"}'},
]
LINK_BUTTONS = [
    {"title": "Trường hợp khác: trẻ em bị bỏ rơi", "payload": '/inform{"procedure_case":"0"}'},
    {
        "title": "Xem đầy đủ trên Cổng",
        "type": "web_url",
        "url": "https://dichvucong.example.vn/khai-sinh",
        "payload": "https://dichvucong.example.vn/khai-sinh",
    },
    {"title": "Liên kết lạ", "type": "web_url", "url": "javascript:alert(1)", "payload": "javascript:alert(1)"},
]
XSS_TEXT = '<img src=x onerror="window.__xss=1"> và <script>window.__xss=2</script>'


def canned_reply(message: str) -> list[dict]:
    """What the fake Rasa answers, by the message it received."""
    if message.startswith('/chon_thu_tuc{"ma":"CC01"}'):
        return [{"recipient_id": "x", "text": "Bạn đã chọn thủ tục **cấp thẻ căn cước**."}]
    if message == "liên kết":
        return [{"recipient_id": "x", "text": "Nguồn: Cổng Dịch vụ công quốc gia.", "buttons": LINK_BUTTONS}]
    if message == "xss":
        return [{"recipient_id": "x", "text": XSS_TEXT}]
    if message == "im lặng":
        return []
    if "căn cước" in message.lower():
        return [
            {
                "recipient_id": "x",
                "text": "Hồ sơ gồm **tờ khai CC01**.\nXem hướng dẫn tại https://dichvucong.example.vn/can-cuoc.",
            },
            {"recipient_id": "x", "text": "Bạn muốn làm thủ tục nào?", "buttons": BUTTONS},
        ]
    return [{"recipient_id": "x", "text": f"Bạn vừa hỏi: {message}"}]


class FakeRasa(ThreadingHTTPServer):
    """A stand-in for Rasa's REST channel that records every request body."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _FakeRasaHandler)
        self.received: list[dict] = []
        self.slow_once: dict[str, float] = {}  # message -> seconds to wait the first time
        self.fail_status: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def messages(self) -> list[str]:
        return [body.get("message") for body in self.received]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received


class _FakeRasaHandler(BaseHTTPRequestHandler):
    server: FakeRasa

    def _cors(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type")

    def do_OPTIONS(self) -> None:
        self.send_response(204)
        self._cors()
        self.end_headers()

    def do_POST(self) -> None:
        if self.path != "/webhooks/rest/webhook":
            self.send_error(404)
            return
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        self.server.received.append(body)
        message = str(body.get("message", ""))
        delay = self.server.slow_once.pop(message, 0.0)
        if delay:
            time.sleep(delay)
        status = self.server.fail_status or 200
        data = json.dumps(canned_reply(message) if status == 200 else {"error": "boom"}).encode()
        self.send_response(status)
        self._cors()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(server: ThreadingHTTPServer) -> Iterator[ThreadingHTTPServer]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    yield from _serve(FakeRasa())


@pytest.fixture
def make_web_server():
    """Factory: start web.server on a free localhost port for a given Rasa URL."""
    started: list[WebServer] = []

    def start(rasa_url: str = "http://127.0.0.1:5005") -> str:
        server = WebServer(("127.0.0.1", 0), rasa_url)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in started:
        server.shutdown()
        server.server_close()
