"""Console configuration, read once from the environment (``CONSOLE_*`` variables).

Every variable has a default that runs the embedded setup (SQLite under ``var/``), except the
secrets: an empty ``CONSOLE_SERVICE_TOKEN`` disables the bot-facing API rather than inventing one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from common.env import env_bool, env_float, env_int, env_port, env_str
from common.production import is_production
from common.quality_gates import GATES  # the table tests/nlu/test_quality_gate.py reads

REPO_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_OFFICE_HOURS = "mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30"


@dataclass(frozen=True)
class ConsoleSettings:
    """Settings of the staff console (``CONSOLE_*`` variables)."""

    database_url: str = field(
        default_factory=lambda: env_str("CONSOLE_DATABASE_URL", f"sqlite:///{REPO_ROOT / 'var' / 'console.db'}")
    )
    host: str = field(default_factory=lambda: env_str("CONSOLE_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: env_port("CONSOLE_PORT", 8200))
    # Bearer token the action server presents on /api/v1; empty disables the API.
    service_token: str = field(default_factory=lambda: env_str("CONSOLE_SERVICE_TOKEN", ""))
    # The first admin's password for ``create-admin`` (else prompted); read by that command only.
    admin_password: str = field(default_factory=lambda: env_str("CONSOLE_ADMIN_PASSWORD", ""), repr=False)
    # Set the Secure flag on the session cookie (true behind HTTPS in production).
    cookie_secure: bool = field(default_factory=lambda: env_bool("CONSOLE_COOKIE_SECURE", False))
    # /openapi.json of the internal API: for developers only (refused in production).
    public_docs: bool = field(default_factory=lambda: env_bool("CONSOLE_PUBLIC_DOCS", not is_production()))
    session_cookie_name: str = field(default_factory=lambda: env_str("CONSOLE_SESSION_COOKIE", "console_session"))
    # A session ends after this many minutes without a request (a desk left unattended).
    session_idle_minutes: int = field(default_factory=lambda: env_int("CONSOLE_SESSION_IDLE_MINUTES", 120))
    # A taken handoff whose owner has not written for this long goes back to the bot (0: never).
    handoff_idle_minutes: int = field(default_factory=lambda: env_int("CONSOLE_HANDOFF_IDLE_MINUTES", 30))
    login_max_failures: int = field(default_factory=lambda: env_int("CONSOLE_LOGIN_MAX_FAILURES", 5))
    login_window_seconds: int = field(default_factory=lambda: env_int("CONSOLE_LOGIN_WINDOW_SECONDS", 900))
    min_password_length: int = field(default_factory=lambda: env_int("CONSOLE_MIN_PASSWORD_LENGTH", 12))
    office_hours: str = field(default_factory=lambda: env_str("CONSOLE_OFFICE_HOURS", DEFAULT_OFFICE_HOURS))
    timezone: str = field(default_factory=lambda: env_str("CONSOLE_TIMEZONE", "Asia/Ho_Chi_Minh"))
    # Rasa training files the FAQs are imported from and exported to.
    faq_nlu_path: Path = field(
        default_factory=lambda: Path(env_str("CONSOLE_FAQ_NLU_PATH", str(REPO_ROOT / "data" / "nlu" / "faq.yml")))
    )
    faq_responses_path: Path = field(
        default_factory=lambda: Path(
            env_str("CONSOLE_FAQ_RESPONSES_PATH", str(REPO_ROOT / "data" / "nlu" / "faq_responses.yml"))
        )
    )
    domain_path: Path = field(
        default_factory=lambda: Path(env_str("CONSOLE_DOMAIN_PATH", str(REPO_ROOT / "domain.yml")))
    )
    # Rasa's HTTP API (rasa run --enable-api --auth-token): the desk sets slots and sends staff replies.
    rasa_url: str = field(default_factory=lambda: env_str("CONSOLE_RASA_URL", "http://127.0.0.1:5005"))
    rasa_token: str = field(default_factory=lambda: env_str("RASA_AUTH_TOKEN", ""))
    # The portal service (procedure catalog): staff correct procedure briefs through its API.
    portal_url: str = field(
        default_factory=lambda: env_str("CONSOLE_PORTAL_URL", env_str("PORTAL_URL", "http://127.0.0.1:8100"))
    )
    portal_token: str = field(default_factory=lambda: env_str("PORTAL_SERVICE_TOKEN", ""))
    # Rasa's SQL tracker store (events table), read for transcripts, analytics and retention.
    tracker_database_url: str = field(
        default_factory=lambda: env_str("CONSOLE_TRACKER_DB_URL", f"sqlite:///{REPO_ROOT / 'var' / 'tracker.db'}")
    )
    # purge-conversations removes conversations idle for longer than this by default.
    retention_days: int = field(default_factory=lambda: env_int("CONSOLE_RETENTION_DAYS", 180))
    # Complaints (an official record) and the answers to them are kept this long (0: forever).
    complaint_retention_days: int = field(default_factory=lambda: env_int("CONSOLE_COMPLAINT_RETENTION_DAYS", 730))
    # Conversation review and retraining (console/services/{review,training,models_registry}.py);
    # they share rasa_url, rasa_token and tracker_database_url above.
    # Project trained by the console (config.yml, domain.yml, data/); models go to models_dir.
    project_dir: Path = field(default_factory=lambda: Path(env_str("CONSOLE_PROJECT_DIR", str(REPO_ROOT))))
    models_dir: Path = field(
        default_factory=lambda: Path(env_str("CONSOLE_MODELS_DIR", str(REPO_ROOT / "models" / "console")))
    )
    corrections_path: Path = field(
        default_factory=lambda: Path(
            env_str("CONSOLE_CORRECTIONS_PATH", str(REPO_ROOT / "data" / "nlu" / "corrections.yml"))
        )
    )
    test_nlu_path: Path = field(
        default_factory=lambda: Path(
            env_str("CONSOLE_TEST_NLU_PATH", str(REPO_ROOT / "tests" / "nlu_data" / "test_nlu.yml"))
        )
    )
    # Unaccented copy of the held-out set (``make nlu-data``): gated like CI does.
    test_nlu_unaccented_path: Path = field(
        default_factory=lambda: Path(
            env_str(
                "CONSOLE_TEST_NLU_UNACCENTED_PATH", str(REPO_ROOT / "tests" / "nlu_data" / "test_nlu_unaccented.yml")
            )
        )
    )
    # Written after tuning, never trained on: corrections and FAQ exports are screened against it too.
    blind_nlu_path: Path = field(
        default_factory=lambda: Path(
            env_str("CONSOLE_BLIND_NLU_PATH", str(REPO_ROOT / "tests" / "nlu_data" / "blind_check.yml"))
        )
    )
    # Activation gate: CI's own table (test set -> metric -> minimum), never a copy; see
    # console/services/quality.py. Tests of the tiny project pass their own.
    quality_gates: dict[str, dict[str, float]] = field(default_factory=lambda: GATES)
    # Review: messages whose intent confidence is below this are "low confidence".
    low_confidence: float = field(default_factory=lambda: env_float("CONSOLE_LOW_CONFIDENCE", 0.7))


def get_settings() -> ConsoleSettings:
    """Fresh settings from the current environment (cheap; tests change the environment)."""
    return ConsoleSettings()
