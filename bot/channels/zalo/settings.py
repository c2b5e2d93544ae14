"""Settings of the Zalo OA channel, from Rasa's credentials.yml entry with environment fallbacks.

Why both: credentials.yml is where Rasa configures channels (values may be ``${ENV}``), but Rasa
refuses to start when a ``${VAR}`` is unset; reading secrets from the environment when the entry
leaves them out lets a developer run the assistant without any Zalo account (the webhook then
answers 503 and says why in the log).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from common.conversation import ZALO_NAMESPACE
from common.env import SettingsError

DEFAULT_API_BASE_URL = "https://openapi.zalo.me"
DEFAULT_OAUTH_URL = "https://oauth.zaloapp.com/v4/oa/access_token"

# credentials key -> environment variable used when the key is absent or empty.
ENV_FALLBACKS = {
    "app_id": "ZALO_APP_ID",
    "oa_secret_key": "ZALO_OA_SECRET_KEY",
    "app_secret": "ZALO_APP_SECRET",
    "access_token": "ZALO_ACCESS_TOKEN",
    "refresh_token": "ZALO_REFRESH_TOKEN",
    "api_base_url": "ZALO_API_BASE_URL",
    "oauth_url": "ZALO_OAUTH_URL",
    "token_store_path": "ZALO_TOKEN_STORE",
    "replay_window_seconds": "ZALO_REPLAY_WINDOW_SECONDS",
    "payload_key": "CHANNEL_PAYLOAD_KEY",
    "dedup_redis_url": "ZALO_DEDUP_REDIS_URL",
}


@dataclass(frozen=True)
class ZaloSettings:
    """Everything the Zalo channel needs; secrets are never logged (see ``__repr__``)."""

    app_id: str = ""
    oa_secret_key: str = ""  # OA secret key: signs webhook events
    app_secret: str = ""  # app secret key: the ``secret_key`` header of the token refresh call
    access_token: str = ""  # seed tokens; the token store takes over after the first refresh
    refresh_token: str = ""
    api_base_url: str = DEFAULT_API_BASE_URL
    oauth_url: str = DEFAULT_OAUTH_URL
    token_store_path: str = "var/zalo_tokens.json"
    replay_window_seconds: float = 300.0
    dedup_ttl_seconds: float = 3600.0
    dedup_max_entries: int = 10_000
    connect_timeout: float = 2.0
    request_timeout: float = 5.0
    max_body_bytes: int = 64 * 1024
    max_message_chars: int = 2000
    # Redis that de-duplicates webhook retries across servers (production); empty: in-process memory.
    dedup_redis_url: str = ""
    payload_key: str = ""
    sender_namespace: str = ZALO_NAMESPACE

    def __repr__(self) -> str:
        return f"ZaloSettings(app_id={self.app_id!r}, api_base_url={self.api_base_url!r}, secrets=<hidden>)"

    @property
    def webhook_ready(self) -> bool:
        """Whether events can be authenticated at all."""
        return bool(self.app_id and self.oa_secret_key)

    @property
    def message_url(self) -> str:
        return self.api_base_url.rstrip("/") + "/v3.0/oa/message/cs"

    @classmethod
    def from_credentials(
        cls, credentials: Mapping[str, Any] | None, environ: Mapping[str, str] | None = None
    ) -> ZaloSettings:
        """Build from a credentials.yml entry; absent keys fall back to ``ENV_FALLBACKS``."""
        values: dict[str, Any] = dict(credentials or {})
        env = os.environ if environ is None else environ
        for key, variable in ENV_FALLBACKS.items():
            if values.get(key) in (None, "") and env.get(variable):
                values[key] = env[variable]
        known = {name: values[name] for name in cls.__dataclass_fields__ if values.get(name) not in (None, "")}
        converted: dict[str, Any] = {}
        for name, value in known.items():
            default = cls.__dataclass_fields__[name].default
            try:
                converted[name] = type(default)(value) if isinstance(default, (int, float)) else str(value)
            except ValueError:
                kind = "an integer" if isinstance(default, int) else "a number"
                raise SettingsError(ENV_FALLBACKS.get(name, f"zalo.{name}"), str(value), kind) from None
        return cls(**converted)
