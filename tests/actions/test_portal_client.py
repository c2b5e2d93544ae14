"""The portal client never makes a citizen wait: timeouts, one retry, fail-fast circuit breaker."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from actions.portal_client import PortalClient, PortalError
from actions.settings import AssistantSettings
from launcher.processes import free_port


class MisbehavingPortal:
    """A local HTTP server whose answer the test chooses: status, body and delay."""

    def __init__(self) -> None:
        self.status, self.body, self.delay, self.requests = 200, b'{"items": [], "total": 0}', 0.0, []
        portal = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                portal.requests.append((self.command, self.path, dict(self.headers)))
                time.sleep(portal.delay)
                self.send_response(portal.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(portal.body)

            do_GET = do_POST = _answer  # noqa: N815 - http.server's naming

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def portal() -> Iterator[MisbehavingPortal]:
    server = MisbehavingPortal()
    yield server
    server.close()


def client_for(url: str, **overrides: object) -> PortalClient:
    settings = AssistantSettings(
        portal_url=url, portal_token="secret-token", portal_read_timeout=0.5, portal_connect_timeout=0.5, **overrides
    )
    return PortalClient(settings)


def test_search_sends_the_token_and_returns_items(portal: MisbehavingPortal) -> None:
    """The action server authenticates with the service token and gets the ranked items."""
    portal.body = json.dumps({"items": [{"code": "1.014061", "name": "Cấp thẻ căn cước"}], "total": 1}).encode()
    items = client_for(portal.url).search_procedures("căn cước")
    assert items == [{"code": "1.014061", "name": "Cấp thẻ căn cước"}]
    assert portal.requests[0][2]["Authorization"] == "Bearer secret-token"


def test_portal_down_is_unavailable_quickly() -> None:
    """Nothing listening: the citizen gets the 'unavailable' message well within 5 s."""
    started = time.monotonic()
    with pytest.raises(PortalError) as error:
        client_for(f"http://127.0.0.1:{free_port()}").search_procedures("x")
    assert error.value.kind == "unavailable"
    assert time.monotonic() - started < 5


def test_slow_portal_times_out_and_retries_once(portal: MisbehavingPortal) -> None:
    """A portal slower than the read timeout: one retry, then 'unavailable', under 5 s in all."""
    portal.delay = 1.5
    started = time.monotonic()
    with pytest.raises(PortalError) as error:
        client_for(portal.url).search_procedures("x")
    assert error.value.kind == "unavailable"
    assert time.monotonic() - started < 5
    assert len(portal.requests) == 2


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (500, b'{"error": {}}', "unavailable"),
        (200, b"<html>not json</html>", "bad_response"),
        (200, b'{"unexpected": true}', "bad_response"),
        (404, b'{"error": {}}', "not_found"),
        (429, b'{"error": {}}', "throttled"),
        (422, b'{"error": {}}', "invalid"),
    ],
)
def test_bad_answers_map_to_error_kinds(portal: MisbehavingPortal, status: int, body: bytes, kind: str) -> None:
    """Every portal failure becomes one error kind that the actions translate for the citizen."""
    portal.status, portal.body = status, body
    with pytest.raises(PortalError) as error:
        client_for(portal.url).search_procedures("x")
    assert error.value.kind == kind


def test_dossier_lookup_is_not_retried(portal: MisbehavingPortal) -> None:
    """A lookup counts towards the portal's throttling, so a failed one is not sent twice."""
    portal.status = 500
    with pytest.raises(PortalError):
        client_for(portal.url).lookup_dossier("000.00.01.H29-240115-0001", "1234", client_id="sender-1")
    assert len(portal.requests) == 1
    assert "sender-1" not in json.dumps(portal.requests[0][2])  # the client id is hashed


def test_circuit_opens_after_repeated_failures(portal: MisbehavingPortal) -> None:
    """After repeated errors the client fails fast instead of waiting on a broken portal."""
    portal.status = 500
    client = client_for(portal.url, portal_failure_threshold=2, portal_cooldown=60.0)
    with pytest.raises(PortalError):
        client.search_procedures("x")  # two failed attempts open the circuit
    sent = len(portal.requests)
    with pytest.raises(PortalError) as error:
        client.search_procedures("x")
    assert error.value.kind == "unavailable"
    assert len(portal.requests) == sent  # nothing sent while open


def test_default_timeouts_and_retry_fit_the_reply_budget(portal: MisbehavingPortal) -> None:
    """With the shipped settings (1 s connect, 2 s read, one retry = up to 6 s alone), the shared
    3.5 s budget cuts the retry short: the citizen still has an answer well under 5 s."""
    portal.delay = 10.0
    client = PortalClient(AssistantSettings(portal_url=portal.url))
    assert client.settings.portal_connect_timeout <= 3 and client.settings.portal_read_timeout <= 3
    started = time.monotonic()
    with pytest.raises(PortalError) as error:
        client.search_procedures("x")
    elapsed = time.monotonic() - started
    assert error.value.kind == "unavailable"
    assert elapsed < client.settings.reply_budget + 0.5 < 5
    assert len(portal.requests) == 2


def test_calls_of_one_action_share_one_deadline(portal: MisbehavingPortal) -> None:
    """A search and a detail call after it: the second only gets what is left."""
    portal.delay = 10.0
    client = PortalClient(AssistantSettings(portal_url=portal.url))
    deadline = client.deadline()
    started = time.monotonic()
    for call in (
        lambda: client.search_procedures("x", deadline=deadline),
        lambda: client.get_procedure("1", deadline=deadline),
    ):
        with pytest.raises(PortalError):
            call()
    assert time.monotonic() - started < client.settings.reply_budget + 0.5


def test_console_client_has_the_same_circuit_breaker(portal: MisbehavingPortal) -> None:
    """A console that keeps failing is not waited for on every turn: after the threshold the client
    fails at once (complaints and handoffs go to the outbox, FAQ answers use the trained ones)."""
    from actions.console_client import ConsoleClient, ConsoleError

    portal.status = 503
    client = ConsoleClient(
        AssistantSettings(console_url=portal.url, console_token="t", console_failure_threshold=2, console_cooldown=60.0)
    )
    for _ in range(2):
        with pytest.raises(ConsoleError):
            client.match_faq("giờ làm việc")
    sent = len(portal.requests)
    with pytest.raises(ConsoleError, match="circuit open"):
        client.match_faq("giờ làm việc")
    assert len(portal.requests) == sent  # nothing sent while open
