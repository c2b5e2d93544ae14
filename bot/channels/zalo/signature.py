"""Zalo OA webhook signature: the one place that knows the formula.

Zalo sends ``X-ZEvent-Signature: mac=<hex>`` with every webhook event. The formula implemented here
(the formula several public Zalo integrations use; it is not confirmed
against Zalo's own documentation, so treat it as *to verify* on the first live event)::

    mac = sha256_hex(app_id + raw_body + timestamp + oa_secret_key)

where ``raw_body`` is the request body exactly as received (bytes, never re-serialised JSON) and
``timestamp`` is the event's ``timestamp`` field as it appears in the body (milliseconds). It is a
plain SHA-256 over a secret-suffixed string, not an HMAC: that is Zalo's choice, not ours.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-ZEvent-Signature"


def timestamp_text(timestamp: object) -> str | None:
    """The event timestamp as it enters the formula ("1700000000000"), or None if unusable."""
    if isinstance(timestamp, bool):
        return None
    if isinstance(timestamp, int):
        return str(timestamp)
    if isinstance(timestamp, str) and timestamp.isdigit():
        return timestamp
    return None


def compute_mac(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """Hex SHA-256 of app id + raw body + timestamp + OA secret key (see module docstring)."""
    digest = hashlib.sha256()
    digest.update(app_id.encode("utf-8"))
    digest.update(raw_body)
    digest.update(timestamp.encode("utf-8"))
    digest.update(oa_secret_key.encode("utf-8"))
    return digest.hexdigest()


def signature_header(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The header value Zalo would send (used by tests and local tools that replay events)."""
    return f"mac={compute_mac(app_id, raw_body, timestamp, oa_secret_key)}"


def verify(header_value: str | None, app_id: str, raw_body: bytes, timestamp: object, oa_secret_key: str) -> bool:
    """True when ``header_value`` carries the right mac for this body; constant-time comparison."""
    if not header_value or not app_id or not oa_secret_key:
        return False
    stamp = timestamp_text(timestamp)
    if stamp is None:
        return False
    value = header_value.strip()
    received = value[4:] if value.lower().startswith("mac=") else value
    expected = compute_mac(app_id, raw_body, stamp, oa_secret_key)
    return hmac.compare_digest(received.strip().lower().encode("ascii", "replace"), expected.encode("ascii"))
