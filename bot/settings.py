"""Settings of the Rasa side: the HTTP API's token and exposure, and the web channels' keys.

Read from the environment (:mod:`common.env`); a channel's credentials.yml entry may still override
the channel keys. Used by ``python -m bot.rasa_server`` and the guarded channels; the Zalo channel's
own settings are in :mod:`bot.channels.zalo.settings`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from common.client_identity import parse_trusted_proxies
from common.env import SettingsError, env_bool, env_str

AUTH_TOKEN_VARIABLE = "RASA_AUTH_TOKEN"
# Set by the operator when Rasa listens beyond loopback behind a router that blocks its API paths.
BEHIND_ROUTER_VARIABLE = "RASA_API_BEHIND_ROUTER"
PAYLOAD_KEY_VARIABLE = "CHANNEL_PAYLOAD_KEY"
TRUSTED_PROXIES_VARIABLE = "CHANNEL_TRUSTED_PROXIES"


@dataclass(frozen=True)
class RasaSettings:
    """What the Rasa server and its channels read from the environment."""

    # Token of Rasa's HTTP API, given to Rasa inside the process (never on its command line).
    auth_token: str = field(default_factory=lambda: env_str(AUTH_TOKEN_VARIABLE, ""))
    api_behind_router: bool = field(default_factory=lambda: env_bool(BEHIND_ROUTER_VARIABLE, False))
    # Signs button payloads (bot.channels.guard); a random per-process key when empty.
    payload_key: str = field(default_factory=lambda: env_str(PAYLOAD_KEY_VARIABLE, ""))
    # Proxies whose X-Forwarded-For the web channel believes (common.client_identity).
    trusted_proxies: str = field(default_factory=lambda: env_str(TRUSTED_PROXIES_VARIABLE, ""))

    def __post_init__(self) -> None:
        try:
            parse_trusted_proxies(self.trusted_proxies)
        except ValueError:
            raise SettingsError(
                TRUSTED_PROXIES_VARIABLE, self.trusted_proxies, "addresses or networks, comma separated"
            ) from None


def get_settings() -> RasaSettings:
    """Fresh settings from the current environment."""
    return RasaSettings()
