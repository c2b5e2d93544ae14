"""A forged-sender sweep of the dossier lookup through the public REST channel of the real stack.

The attacker knows one real dossier code and guesses its owner's factors, every attempt under a new
sender id, with a forged client key in the message metadata and a forged ``X-Forwarded-For`` from
a peer that is not a trusted proxy. Each network address is a loopback address of its own
(127.x.y.z as the socket's source), so the channel sees the addresses a real botnet would have.

Protected (issue 16, item 2): the per-code phone budget turns the code to "12-digit ID number only"
however many addresses guess; after the per-client failure limit an address is refused whatever
sender id or headers it sends; the owner still gets the status with the ID number; no reply to the
attacker shows the owner's name, ID number or phone digits. The limits are the portal's settings.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, select

from common.conversation import CLIENT_METADATA_KEY
from common.text.patterns import DOSSIER_CODE_PATTERN
from launcher.stack import StackLayout
from portal.models.dossier import Dossier
from portal.settings import PortalSettings, get_settings
from tests.integration.conftest import text_of

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]  # may start the session stack

NOT_MATCHED = "không tìm thấy hồ sơ khớp"
TOO_MANY = "tra cứu quá nhiều lần"
ID_NUMBER_ONLY = "chỉ tra cứu được bằng số định danh cá nhân (12 chữ số)"
PHONE_ENDINGS = 10_000
DAYS = 30


def portal_settings(stack: StackLayout) -> PortalSettings:
    """The settings the stack's portal runs with (its process environment on top of this one's)."""
    with mock.patch.dict(os.environ, stack.process_env()):
        return get_settings()


def owner_name(stack: StackLayout, code: str) -> str:
    """The owner's name as the portal keeps it (masked), read from the stack's portal database."""
    engine = create_engine(stack.env["PORTAL_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            return connection.execute(select(Dossier.owner_name_masked).where(Dossier.code == code)).scalar_one()
    finally:
        engine.dispose()


def loopback_addresses(rng: random.Random) -> Iterator[str]:
    """Distinct loopback addresses, none of them 127.0.0.1 (which the other tests share)."""
    second = rng.randrange(1, 255)
    for third in range(256):
        for fourth in range(1, 255):
            yield f"127.{second}.{third}.{fourth}"


class Sweep:
    """Lookups through ``/webhooks/rest/webhook`` from chosen source addresses, every one under a new
    sender id with forged metadata and ``X-Forwarded-For``; every reply is kept for the leak check."""

    def __init__(self, stack: StackLayout, code: str, rng: random.Random) -> None:
        url = urlsplit(stack.rasa_url)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.code = code
        self.rng = rng
        self.replies: list[str] = []

    def post(self, address: str, sender: str, message: str) -> str:
        """One message from ``address``; the text of the bot's replies."""
        forged_client = f"ip:{self.rng.getrandbits(96):024x}"
        forged_peer = f"203.0.113.{self.rng.randrange(1, 255)}"  # documentation range: only a header
        body = {"sender": sender, "message": message, "metadata": {CLIENT_METADATA_KEY: forged_client}}
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60, source_address=(address, 0))
        try:
            connection.request(
                "POST",
                "/webhooks/rest/webhook",
                body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                headers={"Content-Type": "application/json", "X-Forwarded-For": forged_peer},
            )
            response = connection.getresponse()
            payload = response.read()
        finally:
            connection.close()
        assert response.status == 200, payload
        text = text_of(json.loads(payload))
        self.replies.append(text)
        return text

    def lookup(self, address: str, factor: str) -> str:
        """A whole lookup of the known code under a new sender id; the reply to the factor."""
        sender = str(uuid.uuid4())
        asked = self.post(address, sender, f"tra cứu hồ sơ {self.code}")
        assert "số định danh" in asked, asked  # the form asks for the factor
        return self.post(address, sender, factor)

    def wrong_phone(self, real_last4: str) -> str:
        """Four digits other than the owner's phone ending."""
        return f"{(int(real_last4) + self.rng.randrange(1, PHONE_ENDINGS)) % PHONE_ENDINGS:04d}"

    def wrong_id_number(self, real_id: str) -> str:
        """Twelve digits other than the owner's, with the owner's province, sex and birth year."""
        return real_id[:6] + f"{(int(real_id[6:]) + self.rng.randrange(1, 10**6)) % 10**6:06d}"


def id_claim(id_number: str) -> str:
    """How a citizen gives an ID number (as in the other end-to-end lookups)."""
    return f"số cccd của tôi là {id_number}"


def demo_dossier(stack: StackLayout) -> dict[str, Any]:
    """The last seeded demo dossier: the other end-to-end tests look up the first ones."""
    return json.loads(Path(stack.env["PORTAL_DEMO_DOSSIERS_PATH"]).read_text(encoding="utf-8"))["dossiers"][-1]


def test_phone_budget_arithmetic_keeps_a_known_code_safe_for_30_days() -> None:
    """With the configured per-code phone budget, an attacker who knows a code (from any number of
    addresses) has under 1% chance of hitting the 4-digit phone ending within 30 days."""
    budget = PortalSettings().lookup_phone_failures_per_code_per_day
    assert budget >= 1
    assert budget * DAYS / PHONE_ENDINGS < 0.01


def test_forged_sender_sweep_of_the_dossier_lookup(assistant_stack: StackLayout) -> None:
    """Guesses from many addresses spend the code's phone budget, then the code takes only the ID
    number; one address guessing ID numbers is refused after the per-client limit whatever its
    sender id, metadata or X-Forwarded-For; no reply to the attacker shows the owner's data; the
    owner, refused with the right phone ending, gives the ID number asked for and sees the status."""
    settings = portal_settings(assistant_stack)
    dossier = demo_dossier(assistant_stack)
    rng = random.Random()
    sweep = Sweep(assistant_stack, dossier["code"], rng)
    addresses = loopback_addresses(rng)

    # A botnet: every phone guess from a fresh address, so the per-client limit never applies.
    for _ in range(settings.lookup_phone_failures_per_code_per_day):
        reply = sweep.lookup(next(addresses), sweep.wrong_phone(dossier["phone_last4"]))
        assert NOT_MATCHED in reply, reply
    reply = sweep.lookup(next(addresses), sweep.wrong_phone(dossier["phone_last4"]))
    assert ID_NUMBER_ONLY in reply, reply

    # One address guessing ID numbers (not limited per code): refused after the per-client limit,
    # the owner's real ID number included.
    attacker = next(addresses)
    for _ in range(settings.lookup_max_failures):
        reply = sweep.lookup(attacker, id_claim(sweep.wrong_id_number(dossier["id_number"])))
        assert NOT_MATCHED in reply, reply
    for id_number in (sweep.wrong_id_number(dossier["id_number"]), dossier["id_number"]):
        reply = sweep.lookup(attacker, id_claim(id_number))
        assert TOO_MANY in reply and "Tình trạng" not in reply, reply

    attacker_replies = "\n".join(sweep.replies)
    name = owner_name(assistant_stack, dossier["code"])
    without_codes = re.sub(DOSSIER_CODE_PATTERN, " ", attacker_replies, flags=re.IGNORECASE)
    assert name not in attacker_replies
    assert re.search(r"[ .-]?".join(dossier["id_number"]), attacker_replies) is None
    assert re.search(rf"(?<!\d){dossier['phone_last4']}(?!\d)", without_codes) is None

    # The owner, from their own address: even the right phone ending is refused now, and the ID
    # number the bot then asks for, typed in the same conversation, shows the status.
    owner, sender = next(addresses), str(uuid.uuid4())
    sweep.post(owner, sender, f"tra cứu hồ sơ {dossier['code']}")
    reply = sweep.post(owner, sender, dossier["phone_last4"])
    assert ID_NUMBER_ONLY in reply and "Tình trạng" not in reply, reply
    status = sweep.post(owner, sender, id_claim(dossier["id_number"]))
    assert f"Tình trạng: {dossier['status_name']}" in status, status
