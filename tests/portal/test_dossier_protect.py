"""Personal data protection: ID numbers and phone digits are only ever stored as keyed hashes,
names are masked, log helpers reveal nothing usable, and a missing key is an operator error with
a clear message (with a local key file for development)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from portal.dossiers.protect import (
    PiiKeyError,
    ensure_local_pii_key,
    hash_id_number,
    hash_phone_last4,
    mask_id,
    mask_name,
    mask_phone,
    normalize_id_number,
    parse_factor,
    resolve_pii_key,
)
from tests.portal.dossier_support import make_settings

KEY = "k" * 32


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("001203004567", "id", "001203004567"),
        (" 001 203 004 567 ", "id", "001203004567"),
        ("001.203.004.567", "id", "001203004567"),
        ("5678", "phone_last4", "5678"),
        ("0912 345 678", "phone_last4", "5678"),
        ("+84 912 345 678", "phone_last4", "5678"),
    ],
)
def test_factor_is_classified_and_normalized(typed: str, kind: str, value: str) -> None:
    """ID numbers and phone digits are recognized however they are spaced."""
    factor = parse_factor(typed)
    assert factor is not None and (factor.kind, factor.value) == (kind, value)


@pytest.mark.parametrize("typed", ["", "123", "12345", "00120300456", "0012030045678", "abcd", "１２３４５"])
def test_unusable_factors_are_refused(typed: str) -> None:
    """Anything that is neither 12 ID digits nor phone digits is refused."""
    assert parse_factor(typed) is None


def test_hashes_are_keyed_and_separate_ids_from_phones() -> None:
    """Hashes depend on the key and on the kind of identifier."""
    assert hash_id_number("001203004567", KEY) == hash_id_number("001 203 004 567", KEY)
    assert hash_id_number("001203004567", KEY) != hash_id_number("001203004567", "other-key-0123456789")
    assert "001203004567" not in hash_id_number("001203004567", KEY)
    assert hash_phone_last4("0912345678", KEY) == hash_phone_last4("5678", KEY)
    # the same digits as an ID suffix and as phone digits must not hash alike
    assert hash_phone_last4("4567", KEY) != hash_id_number("001203004567", KEY)[:64]


def test_names_are_masked_for_display() -> None:
    """Only the family name is shown in full."""
    assert mask_name("Nguyễn Văn An") == "Nguyễn V. A."
    assert mask_name("  Lê   Thị  Thu   Hà ") == "Lê T. T. H."
    assert mask_name("Mai") == "M."
    assert mask_name("") == ""


def test_log_masks_reveal_neither_id_nor_phone_digits() -> None:
    """Log masks never show the digits that serve as lookup factors."""
    assert mask_id("001203004567") == "001*********"
    assert "4567" not in mask_id("001203004567")
    assert mask_phone("0912345678") == "091*******"
    assert mask_phone("5678") == "****"  # the last four digits are themselves a lookup factor
    assert normalize_id_number(None) is None


def test_missing_key_is_an_operator_error(tmp_path: Path) -> None:
    """No key means a clear message naming PORTAL_PII_KEY, not a crash later."""
    settings = make_settings(tmp_path, pii_key="")
    with pytest.raises(PiiKeyError, match="PORTAL_PII_KEY"):
        resolve_pii_key(settings)


def test_short_key_is_refused(tmp_path: Path) -> None:
    """A weak configured key is refused, never replaced silently."""
    with pytest.raises(PiiKeyError, match="shorter"):
        resolve_pii_key(make_settings(tmp_path, pii_key="short"))
    with pytest.raises(PiiKeyError):
        ensure_local_pii_key(make_settings(tmp_path, pii_key="short"))  # never papered over


def test_development_key_file_is_created_once_and_private(tmp_path: Path) -> None:
    """The dev key file is created once, mode 0600, and the environment wins over it."""
    settings = make_settings(tmp_path, pii_key="", pii_key_file=tmp_path / "var" / "pii.key")
    key, created = ensure_local_pii_key(settings)
    assert created and len(key) >= 32
    assert stat.S_IMODE(settings.pii_key_file.stat().st_mode) == 0o600
    assert ensure_local_pii_key(settings) == (key, False)
    assert resolve_pii_key(settings) == key
    # the environment always wins over the file
    assert resolve_pii_key(make_settings(tmp_path, pii_key=KEY, pii_key_file=settings.pii_key_file)) == KEY
