"""Settings of the citizen web page's server, read from the environment (:mod:`common.env`).

``WEB_HOST``/``WEB_PORT`` where it listens, ``RASA_PUBLIC_URL`` the Rasa URL the *browser* uses, and
for the staff-reply relay Rasa's HTTP API as this server reaches it (``RASA_INTERNAL_URL``, else
``http://RASA_HOST:RASA_PORT``) with ``RASA_AUTH_TOKEN``, which never reaches the browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from common.env import env_port, env_str


def _rasa_api_url() -> str:
    internal = env_str("RASA_INTERNAL_URL", "")
    if internal:
        return internal.rstrip("/")
    return f"http://{env_str('RASA_HOST', '127.0.0.1')}:{env_port('RASA_PORT', 5005)}"


@dataclass(frozen=True)
class WebSettings:
    """Where the page is served and where its Rasa is, for the browser and for the relay."""

    host: str = field(default_factory=lambda: env_str("WEB_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: env_port("WEB_PORT", 8080))
    rasa_public_url: str = field(default_factory=lambda: env_str("RASA_PUBLIC_URL", "http://127.0.0.1:5005"))
    rasa_api_url: str = field(default_factory=_rasa_api_url)
    rasa_token: str = field(default_factory=lambda: env_str("RASA_AUTH_TOKEN", ""))


def get_settings() -> WebSettings:
    """Fresh settings from the current environment."""
    return WebSettings()
