"""Password storage: scrypt with a per-user salt, constant-time verification, weak passwords refused."""

from __future__ import annotations

import pytest

from console.services.passwords import WeakPasswordError, check_strength, hash_password, verify_password


def test_hash_verifies_and_rejects_wrong_password() -> None:
    """The right password matches; a wrong one (even one character off) does not."""
    stored = hash_password("một mật khẩu đủ dài")
    assert verify_password("một mật khẩu đủ dài", stored)
    assert not verify_password("một mật khẩu đủ dàI", stored)


def test_same_password_gets_a_different_salt_each_time() -> None:
    """Per-user salt: two accounts with the same password do not share a hash."""
    first, second = hash_password("same password 123"), hash_password("same password 123")
    assert first != second
    assert first.startswith("scrypt$") and "same password" not in first


def test_production_cost_parameters(monkeypatch) -> None:
    """scrypt at n=2**14, r=8, p=1 (the interactive-login recommendation); tests lower it only in fixtures."""
    from console.services import passwords

    monkeypatch.undo()  # the autouse fixture lowered it
    assert (passwords.SCRYPT_N, passwords.SCRYPT_R, passwords.SCRYPT_P) == (2**14, 8, 1)


@pytest.mark.parametrize("stored", ["", "plain", "scrypt$1$2$3$zz$zz", "md5$a$b$c$d$e", "scrypt$16384$8$1$00$"])
def test_malformed_stored_hash_never_matches(stored: str) -> None:
    """A corrupted or foreign hash is a refusal, not a crash."""
    assert not verify_password("anything at all", stored)


@pytest.mark.parametrize(
    ("password", "fragment"),
    [("short", "ít nhất 12"), ("aaaaaaaaaaaaaaaa", "quá đơn giản"), ("xx-admin1-long-pass", "tên đăng nhập")],
)
def test_weak_passwords_refused_in_vietnamese(password: str, fragment: str) -> None:
    """Fewer than 12 characters, trivial repetition, or containing the username are refused."""
    with pytest.raises(WeakPasswordError, match=fragment):
        check_strength(password, "admin1")


def test_strong_password_accepted() -> None:
    """A long passphrase with Vietnamese letters is fine."""
    check_strength("ngay mai trời nắng 2026", "admin1")
