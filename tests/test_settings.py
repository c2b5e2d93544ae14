"""Every service's settings are validated at start: a bad value stops it with one line naming the
variable and the value, before it serves anything (issue 17: settings read in settings modules only)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest

from actions.settings import AssistantSettings
from bot.channels.zalo.settings import ZaloSettings
from bot.settings import RasaSettings
from common.env import SettingsError
from console.settings import ConsoleSettings
from launcher.cluster.settings import ClusterSettings
from launcher.settings import LauncherSettings
from portal.settings import PortalSettings
from tests.imports import REPO_ROOT
from web.settings import WebSettings


def zalo_settings() -> ZaloSettings:
    """The Zalo channel's settings when credentials.yml leaves everything to the environment."""
    return ZaloSettings.from_credentials({})


CASES = [
    (AssistantSettings, "PORTAL_READ_TIMEOUT", "soon"),
    (AssistantSettings, "CONSOLE_FAILURE_THRESHOLD", "0"),
    (PortalSettings, "PORTAL_PORT", "http"),
    (PortalSettings, "PORTAL_PUBLIC_DOCS", "maybe"),
    (ConsoleSettings, "CONSOLE_SESSION_IDLE_MINUTES", "two hours"),
    (ConsoleSettings, "CONSOLE_COOKIE_SECURE", "sometimes"),
    (WebSettings, "WEB_PORT", "80a"),
    (WebSettings, "RASA_PORT", "0"),
    (LauncherSettings, "RASA_PORT", "99999"),
    (ClusterSettings, "CLUSTER_RASA_SERVERS", "0"),
    (RasaSettings, "CHANNEL_TRUSTED_PROXIES", "10.0.0.0/8, nginx"),
    (RasaSettings, "RASA_API_BEHIND_ROUTER", "perhaps"),
    (zalo_settings, "ZALO_REPLAY_WINDOW_SECONDS", "five minutes"),
]


@pytest.mark.parametrize(("settings", "variable", "value"), CASES, ids=[f"{c[0].__name__}-{c[1]}" for c in CASES])
def test_a_bad_value_names_the_variable_and_the_value(
    monkeypatch: pytest.MonkeyPatch, settings: Callable[[], object], variable: str, value: str
) -> None:
    """Building the settings object (what each service does at start) refuses the value."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        settings()
    message = str(raised.value)
    assert message.startswith(f"error: {variable} must be ") and message.endswith(repr(value))
    assert "\n" not in message


@pytest.mark.parametrize(
    ("command", "variable", "value"),
    [(["-m", "web.server"], "WEB_PORT", "eighty"), (["-m", "launcher"], "RASA_PORT", "5005x")],
    ids=["web", "launcher"],
)
def test_a_service_started_with_a_bad_value_exits_with_one_line(command: list[str], variable: str, value: str) -> None:
    """The operator sees one line on stderr and exit code 1, no traceback, and nothing is started."""
    result = subprocess.run(
        [sys.executable, *command],
        cwd=REPO_ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT), variable: value},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {variable} must be an integer from 1 to 65535, got {value!r}"
    ]


def test_make_run_starts_each_service_on_its_own_default_port(monkeypatch: pytest.MonkeyPatch) -> None:
    """The launcher reads the ports from the environment itself (it never imports the services); with
    nothing set it must pick the ports each service defaults to when started alone."""
    for variable in ("PORTAL_PORT", "CONSOLE_PORT", "WEB_PORT", "RASA_PORT", "RASA_HOST", "RASA_INTERNAL_URL"):
        monkeypatch.delenv(variable, raising=False)
    launcher = LauncherSettings()
    assert launcher.portal_port == PortalSettings().port
    assert launcher.console_port == ConsoleSettings().port
    assert launcher.web_port == WebSettings().port
    assert WebSettings().rasa_api_url == f"http://{launcher.host}:{launcher.rasa_port}"
