"""Password hashing with scrypt (memory-hard, in the standard library) and a per-user salt.

The stored form carries its parameters (``scrypt$n$r$p$salt$hash``) so they can be raised later
without invalidating existing accounts; comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
KEY_BYTES = 32
SALT_BYTES = 16


class WeakPasswordError(ValueError):
    """The password is refused; the message is Vietnamese and shown to the person choosing it."""


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=KEY_BYTES, maxmem=64 * 1024**2)


def hash_password(password: str) -> str:
    """Hash with a fresh random salt; two calls on the same password give different strings."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _derive(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored``; malformed stored values never match."""
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = bytes.fromhex(digest_hex)
        actual = _derive(password, bytes.fromhex(salt_hex), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# A timing-equaliser: unknown usernames still pay for one scrypt, so timing does not reveal accounts.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def burn_time(password: str) -> None:
    """Spend the same work as a real verification (for unknown or disabled accounts)."""
    verify_password(password, _DUMMY_HASH)


def check_strength(password: str, username: str = "", min_length: int = 12) -> None:
    """Refuse passwords that are short, trivially repetitive or contain the username."""
    if len(password) < min_length:
        raise WeakPasswordError(f"Mật khẩu phải có ít nhất {min_length} ký tự.")
    if len(set(password)) < 4:
        raise WeakPasswordError("Mật khẩu quá đơn giản (lặp lại quá ít ký tự khác nhau).")
    if username and username.lower() in password.lower():
        raise WeakPasswordError("Mật khẩu không được chứa tên đăng nhập.")
