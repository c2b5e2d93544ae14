"""Rasa SDK custom actions: the assistant's hands on the portal service.

The Rasa SDK imports this package once at start: every log record of the action server is redacted
from then on (search and FAQ URLs carry the citizen's text in ``?q=``).
"""

from bot.text.log_redaction import install as _install_log_redaction

_install_log_redaction()
