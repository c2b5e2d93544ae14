"""What may reach a log line: no secret in a URL, no citizen text from a query string, no personal
number or e-mail address in any of the shapes citizens type them."""

from __future__ import annotations

import logging

import pytest

from bot.rasa_server import rasa_argv
from common.text.log_redaction import REDACTED, redact, redact_record
from common.text.pii import mask_pii


@pytest.mark.parametrize(
    "text",
    [
        "sdt 0912345670",
        "sdt 0912 345 670",
        "sdt 0912.345.670",
        "sdt 0912,345,670",
        "sdt 0912-345-670",
        "sdt0912345670",
        "số 0912345670nhé",
        "cccd 001099012345",
        "cccd 0010 9901 2345",
        "+84912345670",
    ],
)
def test_personal_numbers_are_masked_whatever_the_separators(text: str) -> None:
    """Digits with spaces, dots, commas or hyphens between them, or glued to letters, are masked."""
    masked = mask_pii(text)
    assert sum(ch.isdigit() for ch in masked) <= 3, masked
    assert "*" in masked


def test_email_addresses_are_masked_but_readable_as_addresses() -> None:
    """The local part goes, the shape stays: staff see that an address was given."""
    assert mask_pii("email: nguyen.van.an@gmail.com nhé") == "email: n***@gmail.com nhé"


def test_dossier_codes_and_short_numbers_stay_readable() -> None:
    """Dossier codes are not personal data (staff need them); amounts and dates are not numbers to hide."""
    text = "hồ sơ 000.00.01.H29-240115-0001 nộp ngày 15/01/2024, lệ phí 135.000 đồng, mã H56.14-240823-0001"
    assert mask_pii(text) == text


def test_sensitive_query_values_are_removed_from_urls() -> None:
    """Rasa's ?token=, a search's ?q= (what the citizen typed) never reach a log line."""
    line = redact(
        "GET /conversations/web:abc/tracker?token=s3cret-token&x=1 and /api/v1/faqs/match?q=con%20toi%20bi%20om"
    )
    assert "s3cret-token" not in line and "con%20toi" not in line
    assert line.count(REDACTED) == 2 and "&x=1" in line


def test_log_record_message_arguments_and_exception_are_redacted() -> None:
    """The formatted message, and an exception whose text embeds the URL, are both redacted."""
    try:
        raise ConnectionError("HTTPConnectionPool: /api/v1/procedures?q=cccd%200912345670 failed")
    except ConnectionError:
        record = logging.LogRecord("x", logging.WARNING, __file__, 1, "call %s", ("?token=abc123",), None)
        import sys

        record.exc_info = sys.exc_info()
    redact_record(record)
    formatted = logging.Formatter().format(record)
    assert "abc123" not in formatted and "0912345670" not in formatted and "cccd%20" not in formatted


def test_uvicorn_access_record_keeps_its_argument_tuple() -> None:
    """uvicorn's access formatter unpacks five arguments: only the path is rewritten."""
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/v1/faqs/match?q=toi%20can%20giup", "1.1", 200), None,
    )  # fmt: skip
    redact_record(record)
    assert record.args[2] == f"/api/v1/faqs/match?q={REDACTED}"
    assert record.getMessage() == f'127.0.0.1:5000 - "GET /api/v1/faqs/match?q={REDACTED} HTTP/1.1" 200'


def test_rasa_gets_the_token_from_the_environment_never_from_our_command_line() -> None:
    """The token is handed to Rasa's parser inside the process; a token on the command line is refused."""
    assert rasa_argv(["run", "--enable-api"], "t0k") == [
        "rasa", "run", "--enable-api", "--auth-token", "t0k",
    ]  # fmt: skip
    with pytest.raises(SystemExit, match="RASA_AUTH_TOKEN"):
        rasa_argv(["run", "--auth-token", "t0k"], "")
