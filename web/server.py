"""Tiny static server for the citizen page and its chat widget.

    python -m web.server --host 127.0.0.1 --port 8080 --rasa-url http://127.0.0.1:5005

Environment defaults: WEB_HOST, WEB_PORT, RASA_PUBLIC_URL (web/settings.py). The Rasa URL is what
the *browser* uses, so it must be reachable from the citizen's machine, not only from here.

Staff replies: Rasa's REST channel answers only the request that carried the citizen's message,
so a message a staff member sends from the console (a bot event appended through Rasa's HTTP API)
cannot be pushed to the browser. ``GET /api/messages?sender=<uuid>&after=<epoch seconds>`` reads
the conversation ``web:<uuid>`` through Rasa's HTTP API *server side* (RASA_INTERNAL_URL, else
http://RASA_HOST:RASA_PORT, with RASA_AUTH_TOKEN, which never reaches the browser) and returns
only staff messages newer than ``after``, plus whether a staff member owns the conversation now.
The widget polls it every few seconds while a handoff is active.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import httpx

from common.conversation import HANDOFF_SLOT, WEB_NAMESPACE, is_staff_message, namespaced_sender
from common.text.log_redaction import install as install_log_redaction
from web.settings import get_settings

log = logging.getLogger("web.server")

STATIC_DIR = Path(__file__).resolve().parent / "static"
INDEX_TEMPLATE = STATIC_DIR / "index.html"
CONFIG_PLACEHOLDER = "{{CHAT_CONFIG_JSON}}"

CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
_STATIC_PATH = re.compile(r"^/static/([A-Za-z0-9_-]+\.[a-z]+)$")
# Characters that could end the <script> element or confuse an HTML/JS parser, as JSON escapes.
_JSON_IN_HTML = {ord(c): f"\\u{ord(c):04x}" for c in "<>&\u2028\u2029"}
_UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
# The relay's own JSON field (read by static/chat.js): whether a staff member owns the conversation.
HANDOFF_FIELD = HANDOFF_SLOT
_SAFE_NETLOC = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def normalize_rasa_url(url: str) -> tuple[str, str]:
    """Return (url without trailing slash, origin) or raise ValueError for anything odd.

    The origin goes into the Content-Security-Policy header, so only plain
    scheme://host[:port] with conservative characters is accepted.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"Rasa URL must start with http:// or https://: {url!r}")
    if not parts.netloc or not _SAFE_NETLOC.match(parts.netloc):
        raise ValueError(f"Rasa URL has an invalid host: {url!r}")
    if parts.query or parts.fragment or re.search(r"[\s\"'<>;,\\]", parts.path):
        raise ValueError(f"Rasa URL must not carry a query, fragment or odd characters: {url!r}")
    origin = f"{parts.scheme}://{parts.netloc}"
    return origin + parts.path.rstrip("/"), origin


def config_json(rasa_url: str) -> str:
    """JSON for the page, safe to place inside a <script type="application/json"> element."""
    text = json.dumps({"rasaUrl": rasa_url}, ensure_ascii=False)
    return text.translate(_JSON_IN_HTML)


def security_headers(rasa_origin: str) -> dict[str, str]:
    csp = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: https:",
            f"connect-src 'self' {rasa_origin}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }


def render_index(rasa_url: str) -> bytes:
    template = INDEX_TEMPLATE.read_text(encoding="utf-8")
    if CONFIG_PLACEHOLDER not in template:
        raise RuntimeError(f"{INDEX_TEMPLATE} lost its {CONFIG_PLACEHOLDER} placeholder")
    return template.replace(CONFIG_PLACEHOLDER, config_json(rasa_url)).encode("utf-8")


def staff_messages(tracker: dict[str, Any], after: float) -> dict[str, Any]:
    """From a Rasa tracker dump: staff-written bot events newer than ``after`` and the handoff state."""
    messages = []
    active = bool((tracker.get("slots") or {}).get(HANDOFF_SLOT))
    for event in tracker.get("events") or []:
        if not isinstance(event, dict):
            continue
        if event.get("event") == "slot" and event.get("name") == HANDOFF_SLOT:
            active = bool(event.get("value"))  # also works when the domain lacks the slot
        stamp = float(event.get("timestamp") or 0.0)
        if event.get("event") == "bot" and is_staff_message(event.get("metadata")) and stamp > after:
            text = event.get("text")
            if isinstance(text, str) and text:
                messages.append({"text": text, "ts": stamp})
    return {"messages": messages, HANDOFF_FIELD: active}


class Handler(BaseHTTPRequestHandler):
    server: WebServer
    server_version = "citizen-web"
    sys_version = ""

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _not_allowed(self) -> None:
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"Method not allowed\n", "text/plain; charset=utf-8", True)

    def do_POST(self) -> None:
        self._not_allowed()

    def do_PUT(self) -> None:
        self._not_allowed()

    def do_DELETE(self) -> None:
        self._not_allowed()

    def do_OPTIONS(self) -> None:
        self._not_allowed()

    def _respond(self, send_body: bool) -> None:
        path = urlsplit(self.path).path
        if path in ("/", "/index.html"):
            self._send(HTTPStatus.OK, self.server.index_html, "text/html; charset=utf-8", send_body, cache=False)
            return
        if path == "/health":
            self._send(HTTPStatus.OK, b'{"status":"ok"}', "application/json", send_body, cache=False)
            return
        if path == "/api/messages":
            status, answer = self._staff_messages()
            body = json.dumps(answer, ensure_ascii=False).encode("utf-8")
            self._send(status, body, "application/json; charset=utf-8", send_body, cache=False)
            return
        match = _STATIC_PATH.match(path)
        if match:
            file = STATIC_DIR / match.group(1)
            content_type = CONTENT_TYPES.get(file.suffix)
            if content_type and file.is_file():
                self._send(HTTPStatus.OK, file.read_bytes(), content_type, send_body)
                return
        body = "Không tìm thấy trang yêu cầu (404).\n".encode()
        self._send(HTTPStatus.NOT_FOUND, body, "text/plain; charset=utf-8", send_body, cache=False)

    def _staff_messages(self) -> tuple[HTTPStatus, dict[str, Any]]:
        query = parse_qs(urlsplit(self.path).query)
        sender = (query.get("sender") or [""])[0]
        try:
            after = max(0.0, float((query.get("after") or ["0"])[0]))
        except ValueError:
            after = -1.0
        if not _UUID4.match(sender) or after < 0 or after != after:
            return HTTPStatus.BAD_REQUEST, {"error": "invalid_request"}
        server = self.server
        if not server.rasa_token:
            # No token configured (a page-only deployment): nothing to relay, and not an error
            # the citizen's browser should report.
            return HTTPStatus.OK, {"messages": [], HANDOFF_FIELD: False, "configured": False}
        conversation = quote(namespaced_sender(WEB_NAMESPACE, sender), safe=":")
        url = f"{server.rasa_api_url}/conversations/{conversation}/tracker?" + urlencode({"token": server.rasa_token})
        try:
            response = httpx.get(url, timeout=5.0)
        except httpx.HTTPError as error:
            log.warning("rasa tracker unreachable: %s", type(error).__name__)
            return HTTPStatus.BAD_GATEWAY, {"error": "rasa_unreachable"}
        if response.status_code != 200:
            log.warning("rasa tracker refused: HTTP %s", response.status_code)
            return HTTPStatus.BAD_GATEWAY, {"error": "rasa_unreachable"}
        try:
            tracker = response.json()
        except ValueError:
            return HTTPStatus.BAD_GATEWAY, {"error": "rasa_unreachable"}
        return HTTPStatus.OK, staff_messages(tracker if isinstance(tracker, dict) else {}, after)

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, send_body: bool, cache: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "public, max-age=300" if cache else "no-cache")
        for name, value in self.server.response_headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        log.info("%s %s", self.address_string(), format % args)


class WebServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        rasa_url: str,
        rasa_api_url: str | None = None,
        rasa_token: str | None = None,
    ) -> None:
        self.rasa_url, origin = normalize_rasa_url(rasa_url)
        settings = get_settings()
        self.rasa_api_url = (rasa_api_url or settings.rasa_api_url).rstrip("/")
        self.rasa_token = settings.rasa_token if rasa_token is None else rasa_token
        self.index_html = render_index(self.rasa_url)
        self.response_headers = security_headers(origin)
        super().__init__(address, Handler)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    settings = get_settings()
    parser = argparse.ArgumentParser(description="Serve the citizen page with the chat widget.")
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.port)
    parser.add_argument(
        "--rasa-url",
        default=settings.rasa_public_url,
        help="Rasa server URL as seen from the browser (REST channel at /webhooks/rest/webhook).",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    install_log_redaction()  # the relay's requests to Rasa carry ?token=
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        server = WebServer((args.host, args.port), args.rasa_url)
    except ValueError as error:
        raise SystemExit(f"web.server: {error}") from error
    host, port = server.server_address[:2]
    log.info("Serving http://%s:%s/ (Rasa at %s)", host, port, server.rasa_url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
