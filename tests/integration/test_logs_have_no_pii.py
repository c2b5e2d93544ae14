"""The logs of the running assistant never hold a citizen's ID number, phone digits or e-mail.

A dossier lookup with a 12-digit ID number, a handoff with a phone number and one with an e-mail
go through the REST channel of the session stack; then ``rasa.log``, ``actions.log``,
``portal.log`` and ``console.log`` (written by the same code ``make run`` uses) are searched for
them, in any spacing.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest

from launcher.stack import StackLayout
from tests.integration.conftest import say, say_text

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]  # may start the session stack
LOGS = ("rasa.log", "actions.log", "portal.log", "console.log")
PHONE = "0936 112 358"
EMAIL = "tran.thi.hoa.1985@example.vn"


def digits_pattern(number: str) -> re.Pattern[str]:
    """The digits of ``number`` with any separators between them (as a log might print them)."""
    return re.compile(r"[ .-]?".join(re.escape(d) for d in re.sub(r"\D", "", number)))


def test_logs_hold_no_id_number_phone_or_email(assistant_stack: StackLayout) -> None:
    """After a dossier lookup and two handoffs that left contacts, no log line shows them."""
    demo = json.loads(Path(assistant_stack.env["PORTAL_DEMO_DOSSIERS_PATH"]).read_text(encoding="utf-8"))
    dossier = demo["dossiers"][1]
    sender = str(uuid.uuid4())
    say(assistant_stack, sender, f"tra cứu hồ sơ {dossier['code']}")
    answer = say_text(assistant_stack, sender, f"cccd {dossier['id_number']}")
    assert "Tình trạng" in answer, answer  # the lookup really ran with the ID number
    for contact in (PHONE, EMAIL):
        sender = str(uuid.uuid4())
        say(assistant_stack, sender, "cho tôi gặp cán bộ")
        assert "ghi lại thông tin liên hệ" in say_text(assistant_stack, sender, f"liên hệ mình qua {contact} nhé")

    secrets = {
        "ID number": digits_pattern(dossier["id_number"]),
        "phone number": digits_pattern(PHONE),
        "e-mail": re.compile(re.escape(EMAIL.split("@")[0]), re.IGNORECASE),
    }
    for name in LOGS:
        path = assistant_stack.log_dir / name
        assert path.is_file(), f"no {name} in {assistant_stack.log_dir}"
        text = path.read_text(encoding="utf-8", errors="replace")
        for what, pattern in secrets.items():
            found = pattern.search(text)
            context = text[max(0, found.start() - 80) : found.end()] if found else ""
            assert found is None, f"{name} holds the citizen's {what}: …{context}"
