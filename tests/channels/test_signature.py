"""Unit tests of the Zalo webhook signature (formula documented in bot/channels/zalo/signature.py)."""

from __future__ import annotations

import hashlib

from bot.channels.zalo.signature import compute_mac, signature_header, verify

APP_ID = "1234567890"
SECRET = "oa-secret"
BODY = '{"event_name":"user_send_text","timestamp":"1700000000000","message":{"text":"hoà"}}'.encode()
TS = "1700000000000"


def test_mac_is_sha256_of_app_id_body_timestamp_secret() -> None:
    """The formula, spelled out independently, so a change to it is a visible decision."""
    expected = hashlib.sha256(APP_ID.encode() + BODY + TS.encode() + SECRET.encode()).hexdigest()
    assert compute_mac(APP_ID, BODY, TS, SECRET) == expected


def test_valid_header_verifies_with_string_or_int_timestamp() -> None:
    """Zalo sends the timestamp as a string; an int of the same value is the same timestamp."""
    header = signature_header(APP_ID, BODY, TS, SECRET)
    assert verify(header, APP_ID, BODY, TS, SECRET)
    assert verify(header, APP_ID, BODY, int(TS), SECRET)
    assert verify(header.upper().replace("MAC=", "mac="), APP_ID, BODY, TS, SECRET)


def test_any_change_breaks_the_signature() -> None:
    """Body, timestamp, secret and app id are all covered by the mac."""
    header = signature_header(APP_ID, BODY, TS, SECRET)
    assert not verify(header, APP_ID, BODY + b" ", TS, SECRET)
    assert not verify(header, APP_ID, BODY, "1700000000001", SECRET)
    assert not verify(header, APP_ID, BODY, TS, "other-secret")
    assert not verify(header, "999", BODY, TS, SECRET)


def test_missing_or_malformed_inputs_fail_closed() -> None:
    """No header, no secret or an unusable timestamp never verifies."""
    header = signature_header(APP_ID, BODY, TS, SECRET)
    assert not verify(None, APP_ID, BODY, TS, SECRET)
    assert not verify("", APP_ID, BODY, TS, SECRET)
    assert not verify(header, APP_ID, BODY, TS, "")
    assert not verify(header, APP_ID, BODY, None, SECRET)
    assert not verify(header, APP_ID, BODY, "17e12", SECRET)
    assert not verify("mac=é", APP_ID, BODY, TS, SECRET)
