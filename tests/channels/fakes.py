"""Test doubles for the channel tests: a fake Zalo OA API server and a real Sanic server harness.

The fake API is a real HTTP server on a free port (a thread), so the channel's aiohttp client, its
timeouts and headers are exercised exactly as against Zalo. It checks the shape of what it receives,
records it, rotates tokens on refresh (refresh tokens single use) and can declare the current
access token expired, refuse messages with a given error code, or refuse button messages.

The message schema follows Zalo's SDKs and public integrations for the v3 ``/message/cs``
endpoint: a template attachment names its ``template_type`` and carries at most five buttons whose
titles are at most 100 characters; query buttons carry a string payload, URL buttons a ``url``.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sanic import Blueprint, Sanic

from bot.channels.zalo.signature import signature_header

APP_ID = "1234567890"
OA_SECRET = "oa-secret-for-tests"
APP_SECRET = "app-secret-for-tests"
QUERY_TYPES = {"oa.query.show", "oa.query.hide"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class FakeZaloState:
    access_token: str = "access-1"
    refresh_token: str = "refresh-1"
    sent: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # shape violations, by reason
    expired_answers: int = 0
    # Error codes to answer for the next message sends, one per send (e.g. -230: outside reply window).
    fail_codes: list[int] = field(default_factory=list)
    refuse_buttons: bool = False  # answer -201 to every message that has buttons
    expires_in: str = "90000"
    refresh_calls: int = 0
    refresh_delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: itertools.count = field(default_factory=lambda: itertools.count(2))

    def expire_access_token(self) -> None:
        """The token the channel holds stops working (as after ~25 h); the refresh token still works."""
        with self.lock:
            self.access_token = f"access-{next(self.counter)}-unknown-to-client"

    def texts(self) -> list[str]:
        return [entry["message"].get("text", "") for entry in self.sent]


def shape_problem(body: Any) -> str | None:
    """Why a customer-service message body is malformed, or None."""
    if not isinstance(body, dict) or set(body) != {"recipient", "message"}:
        return "top-level keys"
    if not isinstance(body["recipient"], dict) or not isinstance(body["recipient"].get("user_id"), str):
        return "recipient.user_id"
    message = body["message"]
    if not isinstance(message, dict) or not isinstance(message.get("text"), str) or not message["text"]:
        return "message.text"
    if len(message["text"]) > 2000:
        return "message.text too long"
    if "attachment" in message:
        attachment = message["attachment"]
        payload = attachment.get("payload", {}) if isinstance(attachment, dict) else {}
        buttons = payload.get("buttons")
        if attachment.get("type") != "template" or not isinstance(buttons, list) or not buttons:
            return "attachment template"
        if not isinstance(payload.get("template_type"), str) or not payload["template_type"]:
            return "template_type"
        if len(buttons) > 5:
            return "too many buttons"
        for button in buttons:
            if len(str(button.get("title") or "")) > 100:
                return "button title too long"
            if button.get("type") in QUERY_TYPES and isinstance(button.get("payload"), str) and button.get("title"):
                continue
            if button.get("type") == "oa.open.url" and isinstance(button.get("payload", {}).get("url"), str):
                continue
            return "button"
    return None


def make_handler(state: FakeZaloState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def _answer(self, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == "/v3.0/oa/message/cs":
                self._message(raw)
            elif self.path == "/v4/oa/access_token":
                self._refresh(raw)
            else:
                self.send_error(404)

        def _message(self, raw: bytes) -> None:
            with state.lock:
                if self.headers.get("access_token") != state.access_token:
                    state.expired_answers += 1
                    self._answer({"error": -216, "message": "Access token is invalid"})
                    return
                body = json.loads(raw)
                if state.fail_codes:
                    self._answer({"error": state.fail_codes.pop(0), "message": "Not delivered"})
                    return
                if state.refuse_buttons and "attachment" in body.get("message", {}):
                    state.rejected.append("buttons refused")
                    self._answer({"error": -201, "message": "Parameters are invalid"})
                    return
                problem = shape_problem(body)
                if problem:
                    state.rejected.append(problem)
                    self._answer({"error": -201, "message": "Parameters are invalid"})
                    return
                state.sent.append(body)
            self._answer({"error": 0, "message": "Success", "data": {"message_id": f"m{len(state.sent)}"}})

        def _refresh(self, raw: bytes) -> None:
            form = dict(urllib.parse.parse_qsl(raw.decode()))
            time.sleep(state.refresh_delay)  # widens the window in which racing senders could refresh twice
            with state.lock:
                state.refresh_calls += 1
                valid = (
                    self.headers.get("secret_key") == APP_SECRET
                    and form.get("app_id") == APP_ID
                    and form.get("grant_type") == "refresh_token"
                    and form.get("refresh_token") == state.refresh_token
                )
                if not valid:
                    self._answer({"error_name": "Invalid refresh token", "error": -14014})
                    return
                number = next(state.counter)
                state.access_token, state.refresh_token = f"access-{number}", f"refresh-{number}"
                pair = {"access_token": state.access_token, "refresh_token": state.refresh_token}
            self._answer({**pair, "expires_in": state.expires_in})

    return Handler


class FakeZaloServer:
    def __init__(self) -> None:
        self.state = FakeZaloState()
        self.port = free_port()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), make_handler(self.state))
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FakeZaloServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def zalo_event(
    text: str | None = "xin chào",
    *,
    event_name: str = "user_send_text",
    user_id: str = "84900001",
    msg_id: str = "msg-1",
    timestamp_ms: int | None = None,
    **extra: Any,
) -> bytes:
    """The raw body of a webhook event, shaped like Zalo's."""
    event: dict[str, Any] = {
        "app_id": APP_ID,
        "user_id_by_app": "55500001",
        "event_name": event_name,
        "timestamp": str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)),
        "sender": {"id": user_id},
        "recipient": {"id": "oa-42"},
        "message": {"msg_id": msg_id, **({"text": text} if text is not None else {})},
        **extra,
    }
    return json.dumps(event, ensure_ascii=False).encode("utf-8")


def signed_headers(raw: bytes, secret: str = OA_SECRET) -> dict[str, str]:
    timestamp = json.loads(raw)["timestamp"]
    return {"X-ZEvent-Signature": signature_header(APP_ID, raw, timestamp, secret), "Content-Type": "application/json"}


_app_numbers = itertools.count()


@asynccontextmanager
async def serve_blueprint(blueprint: Blueprint, url_prefix: str) -> AsyncIterator[str]:
    """Run ``blueprint`` in a real Sanic server on a free port; yields the base URL."""
    # Test mode lets several apps start in one process (Sanic 21.12 rewrites shared methods at startup
    # and fails the second time otherwise); it is what sanic-testing does too.
    Sanic.test_mode = True
    app = Sanic(f"channel_test_{next(_app_numbers)}")
    app.blueprint(blueprint, url_prefix=url_prefix)
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    assert server is not None  # create_server already awaited it: the socket is listening
    await server.startup()  # finalise routes
    try:
        yield f"http://127.0.0.1:{port}{url_prefix}"
    finally:
        server.close()
        await server.wait_closed()


Echo = Callable[..., Any]
