"""Rasa SDK custom actions: the assistant's hands on the portal service.

The Rasa SDK imports this package once at start: every log record of the action server is redacted
from then on (search and FAQ URLs carry the citizen's text in ``?q=``), every synchronous action runs
off the event loop (actions/off_loop.py), what the console could not take is retried
(actions/outbox.py), and with ``DEPLOY_ENV=production`` it refuses to start with
weak service tokens (common/production.py).
"""

from actions.off_loop import install as _run_actions_off_loop
from actions.outbox import resume_pending as _resume_outbox
from actions.settings import get_settings as _get_settings
from common.production import refuse_unsafe_start as _refuse_unsafe_start
from common.production import secret_problem as _secret_problem
from common.text.log_redaction import install as _install_log_redaction

_install_log_redaction()
_run_actions_off_loop()
_resume_outbox()  # complaints and handoff requests a previous run kept for the console
_settings = _get_settings()
_refuse_unsafe_start(
    "actions",
    [
        _secret_problem("PORTAL_SERVICE_TOKEN", _settings.portal_token),
        _secret_problem("CONSOLE_SERVICE_TOKEN", _settings.console_token),
    ],
)
