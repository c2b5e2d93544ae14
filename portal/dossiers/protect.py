"""Personal data protection for dossier owners.

The registry never stores an owner's ID number (số định danh cá nhân / CCCD) or phone in clear:
it stores an HMAC-SHA256 keyed with ``PORTAL_PII_KEY``, so a stolen database file cannot be
reversed without the key (a plain hash of a 12-digit ID, and certainly of 4 phone digits, could be
brute-forced in seconds). Names are stored masked for display ("Nguyễn V. A."), and anything that
ends up in logs goes through :func:`mask_id` / :func:`mask_phone`.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from portal.settings import PortalSettings

MIN_KEY_LENGTH = 16
_NON_DIGITS = re.compile(r"[\s.\-_/()]+")

FactorKind = Literal["id", "phone_last4"]


class PiiKeyError(RuntimeError):
    """The PII key is missing or too weak; the message tells the operator what to do."""


@dataclass(frozen=True)
class Factor:
    """A verification factor typed by the citizen, normalized."""

    kind: FactorKind
    value: str


def normalize_id_number(text: str | None) -> str | None:
    """The 12-digit ID number in ``text`` (spaces, dots and dashes ignored), or ``None``."""
    if not text:
        return None
    digits = _NON_DIGITS.sub("", unicodedata.normalize("NFKC", text))
    return digits if len(digits) == 12 and digits.isascii() and digits.isdigit() else None


def normalize_phone_last4(text: str | None) -> str | None:
    """The last four phone digits: either exactly four digits, or taken from a full phone number."""
    if not text:
        return None
    digits = _NON_DIGITS.sub("", unicodedata.normalize("NFKC", text)).removeprefix("+")
    if not (digits.isascii() and digits.isdigit()):
        return None
    if len(digits) == 4:
        return digits
    is_local = len(digits) == 10 and digits.startswith("0")
    is_international = len(digits) == 11 and digits.startswith("84")
    return digits[-4:] if is_local or is_international else None


def parse_factor(text: str | None) -> Factor | None:
    """Classify what the citizen typed as an ID number or phone digits; ``None`` if neither."""
    id_number = normalize_id_number(text)
    if id_number:
        return Factor("id", id_number)
    last4 = normalize_phone_last4(text)
    return Factor("phone_last4", last4) if last4 else None


def keyed_hash(kind: str, value: str, key: str) -> str:
    """HMAC-SHA256 hex of ``kind:value``; the kind separates ID hashes from phone hashes."""
    return hmac.new(key.encode("utf-8"), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def hash_id_number(id_number: str, key: str) -> str:
    normalized = normalize_id_number(id_number)
    if normalized is None:
        raise ValueError("not a 12-digit ID number")
    return keyed_hash("id", normalized, key)


def hash_phone_last4(phone: str, key: str) -> str:
    last4 = normalize_phone_last4(phone)
    if last4 is None:
        raise ValueError("not a phone number or its last 4 digits")
    return keyed_hash("phone_last4", last4, key)


def hash_client_key(raw: str, key: str) -> str:
    """A stable pseudonym for a caller (IP address or chat sender) used by the throttle."""
    return keyed_hash("client", raw, key)[:40]


def mask_name(full_name: str) -> str:
    """Family name in full, other names as initials: "Nguyễn Văn An" -> "Nguyễn V. A."."""
    words = unicodedata.normalize("NFC", full_name).split()
    if not words:
        return ""
    if len(words) == 1:
        return f"{words[0][0].upper()}."
    return " ".join([words[0], *(f"{w[0].upper()}." for w in words[1:])])


def mask_id(id_number: str | None) -> str:
    """For logs: keep the 3-digit province-of-birth prefix only."""
    normalized = normalize_id_number(id_number) if id_number else None
    return f"{normalized[:3]}*********" if normalized else "***"


def mask_phone(phone: str | None) -> str:
    """For logs: never the last four digits, which are themselves a lookup factor."""
    digits = _NON_DIGITS.sub("", phone or "")
    return f"{digits[:3]}*******" if len(digits) >= 10 else "****"


def resolve_pii_key(settings: PortalSettings) -> str:
    """The PII key from ``PORTAL_PII_KEY`` or the local key file; refuse clearly when absent."""
    key = settings.pii_key.strip()
    source = "PORTAL_PII_KEY"
    if not key and settings.pii_key_file.is_file():
        key = settings.pii_key_file.read_text(encoding="utf-8").strip()
        source = str(settings.pii_key_file)
    if not key:
        raise PiiKeyError(
            "No PII key configured: set PORTAL_PII_KEY to a long random secret (for example "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`), or, on a development machine, "
            f"run `python -m portal init`, which creates {settings.pii_key_file}. "
            "Changing the key makes every stored ID/phone hash unusable: keep it with the database backups."
        )
    if len(key) < MIN_KEY_LENGTH:
        raise PiiKeyError(
            f"The PII key from {source} is shorter than {MIN_KEY_LENGTH} characters; use a long random secret."
        )
    return key


def ensure_local_pii_key(settings: PortalSettings) -> tuple[str, bool]:
    """Return the PII key, creating a development key file under ``var/`` when none is configured.

    Returns ``(key, created)``. The file is created with mode 0600 and is git-ignored (``var/``).
    """
    try:
        return resolve_pii_key(settings), False
    except PiiKeyError:
        if settings.pii_key.strip():
            raise  # a configured but weak key is an operator error, not something to paper over
    path: Path = settings.pii_key_file
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key, True
