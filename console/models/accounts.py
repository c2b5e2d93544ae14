"""People and their sign-in state: users, server-side sessions, failed logins, audit log."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Text

from console.models.base import Base, utcnow

ROLES = ("admin", "staff", "trainer")


class User(Base):
    """A console account. Never deleted (the audit log points at it); disabled instead."""

    __tablename__ = "console_users"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), unique=True, nullable=False)
    display_name = Column(String(120), nullable=False, default="")
    role = Column(String(16), nullable=False)
    # "scrypt$n$r$p$salt_hex$hash_hex": parameters travel with the hash so they can be raised later.
    password_hash = Column(String(255), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_login_at = Column(DateTime, nullable=True)


class WebSession(Base):
    """A signed-in browser. Only the SHA-256 of the cookie value is stored, so a database leak
    does not hand out live sessions."""

    __tablename__ = "console_sessions"

    id_hash = Column(String(64), primary_key=True)
    user_id = Column(Integer, ForeignKey("console_users.id"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_seen_at = Column(DateTime, nullable=False, default=utcnow)


class LoginFailure(Base):
    """One failed sign-in, counted per (username, client address) for throttling."""

    __tablename__ = "console_login_failures"
    __table_args__ = (Index("ix_console_login_failures_key", "username", "client", "at"),)

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False)
    client = Column(String(64), nullable=False)
    at = Column(DateTime, nullable=False, default=utcnow)


class AuditEntry(Base):
    """Who changed what and when, with the record before and after (JSON, no password hashes)."""

    __tablename__ = "console_audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    actor_id = Column(Integer, ForeignKey("console_users.id"), nullable=True)
    # Copied so the entry stays readable even if the account is renamed; "system" for CLI commands.
    actor_name = Column(String(64), nullable=False)
    action = Column(String(64), nullable=False)
    entity_type = Column(String(32), nullable=False)
    entity_id = Column(String(64), nullable=False, default="")
    before = Column(JSON, nullable=True)
    after = Column(JSON, nullable=True)
    note = Column(Text, nullable=False, default="")
