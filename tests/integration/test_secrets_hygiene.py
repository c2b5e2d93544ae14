"""Secrets and citizens' words stay out of logs, the process list and other users' reach, on the
real stack: after conversations that exercise the Rasa API token (web relay, console), the service
tokens (actions -> portal, actions -> console) and citizen text in query strings (FAQ match)."""

from __future__ import annotations

import os
import stat
import uuid
from pathlib import Path

import pytest
import requests

from launcher.stack import StackLayout
from tests.integration.conftest import CONSOLE_TOKEN, PORTAL_TOKEN, RASA_TOKEN, say

pytestmark = pytest.mark.slow
CITIZEN_WORDS = "bò nhà hàng xóm ăn mất lúa của tôi"
PHONE = "0912 345 670"
EMAIL = "nguyen.thi.hoa@example.com"


def stack_secrets(stack: StackLayout) -> dict[str, str]:
    return {
        "RASA_AUTH_TOKEN": RASA_TOKEN,
        "PORTAL_SERVICE_TOKEN": PORTAL_TOKEN,
        "CONSOLE_SERVICE_TOKEN": CONSOLE_TOKEN,
        "CHANNEL_PAYLOAD_KEY": stack.env["CHANNEL_PAYLOAD_KEY"],
        "PORTAL_PII_KEY": stack.env["PORTAL_PII_KEY"],
    }


def command_lines() -> list[str]:
    """Every process's command line, as any local user can read it."""
    lines = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                lines.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            except OSError:  # the process ended meanwhile
                continue
    return lines


def test_no_secret_or_citizen_text_in_logs_or_process_list(assistant_stack: StackLayout) -> None:
    """Conversations that use every token: afterwards no log holds a secret, the citizen's words of a
    FAQ match, a phone number or an e-mail address, and no command line holds the Rasa API token."""
    sender = str(uuid.uuid4())  # the widget's sender id: the web relay accepts UUID4s only
    say(assistant_stack, sender, "đăng ký thường trú cần giấy tờ gì")  # actions -> portal (token)
    say(assistant_stack, sender, CITIZEN_WORDS)  # fallback: actions -> console FAQ match ?q=
    say(assistant_stack, sender, f"số điện thoại của tôi là {PHONE}, email {EMAIL}")
    relay = requests.get(
        f"{assistant_stack.url(assistant_stack.web_port)}/api/messages", params={"sender": sender}, timeout=30
    )
    assert relay.status_code == 200  # web -> Rasa tracker with ?token=

    logs = {
        path.name: path.read_text(encoding="utf-8", errors="replace") for path in assistant_stack.log_dir.glob("*.log")
    }
    assert {"rasa.log", "actions.log", "portal.log", "console.log", "web.log"} <= set(logs)
    for name, secret in stack_secrets(assistant_stack).items():
        leaking = [log for log, text in logs.items() if secret in text]
        assert not leaking, f"{name} appears in {leaking}"
    for needle in (CITIZEN_WORDS, "b%C3%B2 nh%C3%A0", "bò+nhà", PHONE.replace(" ", ""), PHONE, EMAIL):
        leaking = [log for log, text in logs.items() if needle in text]
        assert not leaking, f"{needle!r} appears in {leaking}"
    assert not [line for line in command_lines() if RASA_TOKEN in line]


def test_logs_and_databases_are_readable_by_their_owner_only(assistant_stack: StackLayout) -> None:
    """Every file the stack created (logs, SQLite databases) has no group or other permission."""
    files = [path for path in assistant_stack.log_dir.iterdir() if path.is_file() and path.suffix in {".log", ".db"}]
    assert any(path.suffix == ".db" for path in files) and any(path.suffix == ".log" for path in files)
    loose = {path.name: oct(stat.S_IMODE(os.stat(path).st_mode)) for path in files if os.stat(path).st_mode & 0o077}
    assert not loose
