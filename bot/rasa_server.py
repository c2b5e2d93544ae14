"""``python -m bot.rasa_server <rasa run arguments>``: Rasa's own ``rasa run``, with two guarantees.

* **The HTTP API token never appears in the process list.** ``rasa run`` takes it only as
  ``--auth-token`` on its command line, which every local user can read (``ps``, ``/proc``). Here it
  is read from ``RASA_AUTH_TOKEN`` and handed to Rasa's argument parser inside the process.
* **The configured tracker store is the one in use.** When a custom tracker store class cannot be
  imported or built, Rasa 3.6 logs a warning and keeps conversations in memory, losing them at the
  next restart. Here that is a start-up error with one clear line.

Every log record of the process is redacted (:mod:`common.text.log_redaction`), and with
``DEPLOY_ENV=production`` it refuses to start with a weak secret or with its HTTP API open on a
public interface (:mod:`common.production`).
"""

from __future__ import annotations

import sys
from typing import Any

from bot.settings import AUTH_TOKEN_VARIABLE, BEHIND_ROUTER_VARIABLE, RasaSettings, get_settings
from common.production import interface_of, is_loopback, refuse_unsafe_start, secret_problem
from common.text.log_redaction import install as install_log_redaction


class TrackerStoreLoadError(SystemExit):
    """The endpoints file names a tracker store that cannot be loaded."""


def strict_custom_tracker_store(domain: Any, store: Any, event_broker: Any = None) -> Any:
    """Rasa's loader of a custom tracker store class, failing instead of falling back to memory."""
    import rasa.shared.utils.common

    try:
        store_class = rasa.shared.utils.common.class_from_module_path(store.type)
        return store_class(host=store.url, domain=domain, event_broker=event_broker, **store.kwargs)
    except (AttributeError, ImportError) as error:
        raise TrackerStoreLoadError(
            f"error: tracker store '{store.type}' could not be loaded ({type(error).__name__}: {error}); "
            "refusing to keep conversations in memory"
        ) from None


def rasa_argv(argv: list[str], token: str) -> list[str]:
    """The argument list Rasa's parser gets: ours, plus the token from the environment."""
    if any(arg == "--auth-token" or arg.startswith("--auth-token=") for arg in argv):
        raise SystemExit(f"error: pass the Rasa API token in {AUTH_TOKEN_VARIABLE}, never on the command line")
    return ["rasa", *argv, *(["--auth-token", token] if token else [])]


def production_problems(argv: list[str], settings: RasaSettings) -> list[str | None]:
    """What makes this Rasa server unsafe in production (see :mod:`common.production`)."""
    problems: list[str | None] = [secret_problem("CHANNEL_PAYLOAD_KEY", settings.payload_key)]
    if "--enable-api" in argv:
        problems.append(secret_problem(AUTH_TOKEN_VARIABLE, settings.auth_token))
        interface = interface_of(argv)
        if not is_loopback(interface) and not settings.api_behind_router:
            problems.append(
                f"Rasa's HTTP API (/model, /conversations, /status, /version) would be reachable on {interface}: "
                f"bind --interface 127.0.0.1, or serve it only behind the router that blocks those paths "
                f"(deploy/nginx.conf.template, deploy/kubernetes) and set {BEHIND_ROUTER_VARIABLE}=true"
            )
    return problems


def main() -> None:
    install_log_redaction()
    argv, settings = sys.argv[1:], get_settings()
    refuse_unsafe_start("rasa", production_problems(argv, settings))
    import rasa.core.tracker_store
    from rasa.__main__ import main as rasa_main

    rasa.core.tracker_store._load_from_module_name_in_endpoint_config = strict_custom_tracker_store
    sys.argv = rasa_argv(argv, settings.auth_token)
    rasa_main()


if __name__ == "__main__":
    main()
