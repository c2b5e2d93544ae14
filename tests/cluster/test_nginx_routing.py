"""The generated nginx configuration routes like the cluster needs, checked on the real nginx.

Small HTTP servers stand in for the Rasa, action and web servers and answer with their own port,
so each test sees where nginx sent a request: one conversation always to the same Rasa server
(REST body, Zalo body, socket.io query, the HTTP API path), another one when it is down, with the
citizen's address in X-Forwarded-For, Rasa's HTTP API never on the public listener, and the action
servers only on their own listener.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from launcher.cluster.nginx import NginxLayout, check_config, nginx_command, render, write_config
from launcher.cluster.settings import ClusterSettings
from launcher.processes import ProcessSpec, free_port, start, stop
from tests.missing import missing


class PortEcho(BaseHTTPRequestHandler):
    """Answers every request with the port it listens on, and the X-Forwarded-For it received."""

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = str(self.server.server_address[1]).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Seen-Forwarded-For", self.headers.get("X-Forwarded-For") or "")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, *_: object) -> None:
        pass


class Backend:
    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), PortEcho)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def nginx_binary() -> str:
    nginx = ClusterSettings().nginx
    if not os.access(nginx, os.X_OK):
        missing(f"no nginx at {nginx} (make nginx installs nginx-light)")
    return nginx


@pytest.fixture(scope="module")
def routed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    nginx = nginx_binary()
    rasa, actions, web = [Backend(), Backend()], [Backend(), Backend()], Backend()
    layout = NginxLayout(
        prefix=tmp_path_factory.mktemp("nginx"),
        public_port=free_port(),
        internal_port=free_port(),
        actions_port=free_port(),
        rasa_ports=[backend.port for backend in rasa],
        action_ports=[backend.port for backend in actions],
        web_port=web.port,
    )
    write_config(layout)
    check_config(nginx, layout)
    process = start(
        ProcessSpec(
            name="nginx",
            command=nginx_command(nginx, layout),
            port=layout.public_port,
            health_url=f"http://127.0.0.1:{layout.internal_port}/nginx-health",
            log_file=layout.prefix / "nginx.log",
            start_timeout=15,
        )
    )
    try:
        yield {
            "public": f"http://127.0.0.1:{layout.public_port}",
            "internal": f"http://127.0.0.1:{layout.internal_port}",
            "actions": f"http://127.0.0.1:{layout.actions_port}",
            "rasa": rasa,
            "action_ports": {str(backend.port) for backend in actions},
            "web": str(web.port),
            "prefix": layout.prefix,
        }
    finally:
        stop([process])
        for backend in [*rasa, *actions, web]:
            backend.close()


def rest(routed: dict, sender: str) -> str:
    response = requests.post(f"{routed['public']}/webhooks/rest/webhook", json={"sender": sender, "message": "x"})
    return response.text


def zalo(routed: dict, sender: str) -> str:
    event = {
        "app_id": "1",
        "sender": {"id": sender},
        "recipient": {"id": "oa"},
        "event_name": "user_send_text",
        "message": {"text": 'he wrote "sender": "someone-else-entirely"', "msg_id": "m"},
        "timestamp": "1700000000000",
    }
    return requests.post(f"{routed['public']}/webhooks/zalo/webhook", data=json.dumps(event)).text


def test_one_conversation_always_reaches_the_same_server_on_every_path(routed: dict) -> None:
    """REST body, Zalo body, socket.io query and the HTTP API URL of one sender map to one server,
    and different senders spread over both servers."""
    chosen = Counter()
    for _ in range(40):
        sender = uuid.uuid4().hex
        server = rest(routed, sender)
        assert {rest(routed, sender) for _ in range(3)} == {server}
        assert zalo(routed, sender) == server
        socketio = requests.get(f"{routed['public']}/socket.io/", params={"EIO": "4", "session_id": sender}).text
        assert socketio == server
        api = requests.get(f"{routed['internal']}/conversations/web:{sender}/tracker", params={"token": "t"})
        assert api.text == server and api.headers["X-Upstream-Addr"].endswith(server)
        chosen[server] += 1
    assert len(chosen) == 2 and min(chosen.values()) >= 8, chosen


def test_conversations_of_a_dead_server_go_to_the_other_one(routed: dict) -> None:
    """With one Rasa server down every request is still answered, by the live server."""
    down, alive = routed["rasa"]
    senders = [uuid.uuid4().hex for _ in range(20)]
    before = {sender: rest(routed, sender) for sender in senders}
    assert str(down.port) in before.values()
    down.close()  # later tests of this module do not use the Rasa servers
    assert {rest(routed, sender) for sender in senders} == {str(alive.port)}


def test_rasa_servers_learn_the_citizens_address(routed: dict) -> None:
    """REST and socket.io requests reach the Rasa server with X-Forwarded-For, the address the
    dossier-lookup throttle keys on (believed from nginx only, CHANNEL_TRUSTED_PROXIES); what the
    client claimed stays to the left of the address nginx saw."""
    sender = uuid.uuid4().hex
    rest_answer = requests.post(f"{routed['public']}/webhooks/rest/webhook", json={"sender": sender, "message": "x"})
    socketio = requests.get(f"{routed['public']}/socket.io/", params={"EIO": "4", "session_id": sender})
    claimed = requests.get(
        f"{routed['public']}/socket.io/", params={"EIO": "4"}, headers={"X-Forwarded-For": "203.0.113.9"}
    )
    assert rest_answer.headers["X-Seen-Forwarded-For"] == "127.0.0.1"
    assert socketio.headers["X-Seen-Forwarded-For"] == "127.0.0.1"
    assert claimed.headers["X-Seen-Forwarded-For"] == "203.0.113.9, 127.0.0.1"


def test_rasa_http_api_is_not_public(routed: dict) -> None:
    """The public listener serves the web page, the webhooks and socket.io, never Rasa's API."""
    for path in ("/model/parse", "/conversations/web:abc/tracker", "/status", "/version", "/model"):
        assert requests.get(f"{routed['public']}{path}").status_code == 404, path
        assert requests.post(f"{routed['public']}{path}", json={}).status_code == 404, path
    assert requests.get(f"{routed['public']}/").text == routed["web"]


def test_action_servers_only_on_their_listener_round_robin(routed: dict) -> None:
    """The action servers share one internal listener, alternately, large trackers included; the
    public listener never reaches them."""
    answers = {requests.post(f"{routed['actions']}/webhook", json={}).text for _ in range(6)}
    assert answers == routed["action_ports"]
    # A long conversation's tracker is larger than nginx's memory buffer: it goes through a temp file.
    tracker = {"events": [{"event": "user", "text": "x" * 200} for _ in range(1000)]}
    assert requests.post(f"{routed['actions']}/webhook", json=tracker).status_code == 200
    assert requests.post(f"{routed['public']}/webhook", json={}).text == routed["web"]


def test_access_log_has_no_query_strings(routed: dict) -> None:
    """Tokens travel in Rasa's query string: nginx logs the path only."""
    requests.get(f"{routed['internal']}/conversations/web:abcdefabcdefabcd/tracker", params={"token": "sekrit-token"})
    log = Path(routed["prefix"], "logs", "access.log").read_text(encoding="utf-8")
    assert "/conversations/web:abcdefabcdefabcd/tracker" in log
    assert "sekrit-token" not in log


def test_render_fills_every_placeholder(tmp_path: Path) -> None:
    """Every server of the layout is in the configuration, in each of the three Rasa upstreams."""
    layout = NginxLayout(tmp_path, 1, 2, 3, rasa_ports=[11, 12, 13], action_ports=[21], web_port=31)
    text = render(layout)
    assert "{{" not in text
    assert text.count("server 127.0.0.1:13 ") == 3 and text.count("server 127.0.0.1:21 ") == 1
