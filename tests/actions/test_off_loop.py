"""Actions never block each other: the real action server (``python -m rasa_sdk --actions actions``)
runs five dossier lookups at once against a portal that answers only when all five are waiting on it
together. Were the actions run one after the other on the server's event loop, the first would
wait alone until the portal gave up, and every lookup would fail."""

from __future__ import annotations

import json
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from actions.dossiers import NOT_MATCHED_MESSAGE
from launcher.processes import ProcessSpec, free_port, start, stop

CONCURRENT = 5
REPO_ROOT = Path(__file__).resolve().parents[2]


def barrier_portal(barrier: threading.Barrier) -> ThreadingHTTPServer:
    """A portal whose lookup answers "no such dossier" once ``barrier`` is full, 503 if it breaks."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                barrier.wait()
                status, body = 404, {"error": {"code": "dossier_not_found", "message": "not found"}}
            except threading.BrokenBarrierError:
                status, body = 503, {"error": {"code": "busy", "message": "gave up"}}
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)


def lookup_call(number: int) -> dict[str, Any]:
    """What Rasa sends the action server to run the dossier lookup after the form filled its slots."""
    return {
        "next_action": "action_lookup_dossier",
        "sender_id": f"web:{number:032d}",
        "tracker": {
            "sender_id": f"web:{number:032d}",
            "slots": {"dossier_code": "000.00.01.H29-240115-0001", "verification_factor": "1234"},
            "latest_message": {"text": "1234", "intent": {"name": "inform"}, "entities": []},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "dossier_form",
        },
        "domain": {},
        "version": "3.6.21",
    }


def test_five_slow_lookups_run_at_the_same_time(tmp_path: Path) -> None:
    barrier = threading.Barrier(CONCURRENT, timeout=1.5)  # within the client's 2 s read timeout
    portal = barrier_portal(barrier)
    threading.Thread(target=portal.serve_forever, daemon=True).start()
    port = free_port()
    spec = ProcessSpec(
        name="actions",
        command=[sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        port=port,
        health_url=f"http://127.0.0.1:{port}/health",
        log_file=tmp_path / "actions.log",
        env={
            "PORTAL_URL": f"http://127.0.0.1:{portal.server_address[1]}",
            "PORTAL_SERVICE_TOKEN": "token",
            "PORTAL_FAILURE_THRESHOLD": "100",
            "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]),
        },
        cwd=REPO_ROOT,
        start_timeout=120.0,
    )
    server = start(spec)
    try:
        with ThreadPoolExecutor(CONCURRENT) as pool:
            answers = list(
                pool.map(
                    lambda n: requests.post(f"http://127.0.0.1:{port}/webhook", json=lookup_call(n), timeout=30),
                    range(CONCURRENT),
                )
            )
    finally:
        stop([server])
        portal.shutdown()
    texts = [[reply.get("text") for reply in answer.json()["responses"]] for answer in answers]
    assert all(answer.status_code == 200 for answer in answers)
    assert texts == [[NOT_MATCHED_MESSAGE]] * CONCURRENT
