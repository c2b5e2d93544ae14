"""Typed environment reads (common/env.py): defaults for unset or blank variables, one clear error
line naming the variable and the value for a bad one."""

from __future__ import annotations

import pytest

from common.env import SettingsError, env_bool, env_float, env_int, env_port, env_str


def test_unset_or_blank_means_the_default() -> None:
    """A variable left empty (``PORTAL_PORT=`` in a compose file) is the documented default, not an error."""
    environ = {"BLANK": "  "}
    assert env_str("BLANK", "d", environ) == "d"
    assert env_str("UNSET", "d", environ) == "d"
    assert env_int("BLANK", 3, environ) == 3
    assert env_float("UNSET", 1.5, environ) == 1.5
    assert env_bool("BLANK", True, environ) is True


def test_values_are_parsed() -> None:
    """Numbers, ports and yes/no words are read as such; strings keep their spaces (a password may have some)."""
    environ = {"N": " 42 ", "F": "0.25", "P": "8100", "B": "Yes", "OFF": "0", "S": " a b "}
    assert env_int("N", 0, environ) == 42
    assert env_float("F", 0.0, environ) == 0.25
    assert env_port("P", 1, environ) == 8100
    assert env_bool("B", False, environ) is True
    assert env_bool("OFF", True, environ) is False
    assert env_str("S", "", environ) == " a b "


@pytest.mark.parametrize(
    ("read", "value", "expected"),
    [
        (lambda environ: env_int("X", 1, environ), "abc", "error: X must be an integer, got 'abc'"),
        (
            lambda environ: env_int("X", 1, environ, minimum=1),
            "0",
            "error: X must be an integer of at least 1, got '0'",
        ),
        (
            lambda environ: env_port("X", 1, environ),
            "99999",
            "error: X must be an integer from 1 to 65535, got '99999'",
        ),
        (
            lambda environ: env_port("X", 1, environ),
            "http",
            "error: X must be an integer from 1 to 65535, got 'http'",
        ),
        (lambda environ: env_float("X", 1.0, environ), "soon", "error: X must be a number of at least 0.0, got 'soon'"),
        (lambda environ: env_float("X", 1.0, environ), "-2", "error: X must be a number of at least 0.0, got '-2'"),
        (lambda environ: env_float("X", 1.0, environ), "nan", "error: X must be a number of at least 0.0, got 'nan'"),
        (lambda environ: env_bool("X", False, environ), "maybe", "error: X must be true or false, got 'maybe'"),
    ],
)
def test_a_bad_value_is_one_line_naming_variable_and_value(read, value: str, expected: str) -> None:
    """The message is what the operator reads in the log: the variable, what it must be, what it is."""
    with pytest.raises(SettingsError) as raised:
        read({"X": value})
    assert str(raised.value) == expected
    assert raised.value.code == expected  # a SystemExit: the process ends with this line, exit code 1
