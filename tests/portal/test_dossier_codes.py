"""Dossier code normalization: what citizens type must map to the one canonical national code,
and anything ambiguous or impossible must be refused rather than guessed (a guess would look up
somebody else's dossier)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.dossiers.codes import code_received_date, parse_dossier_code

CANONICAL = [
    ("000.00.01.H29-240115-0001", "000.00.01.H29-240115-0001"),
    ("000.17.22.H56-210531-0001", "000.17.22.H56-210531-0001"),
    ("H56.14-240823-0001", "H56.14-240823-0001"),
    # lower case, spaces instead of dots/dashes, surrounding blanks
    ("  000.00.01.h29-240115-0001 ", "000.00.01.H29-240115-0001"),
    ("000 00 01 H29 240115 0001", "000.00.01.H29-240115-0001"),
    ("000.00.01.H29 - 240115 - 0001", "000.00.01.H29-240115-0001"),
    # dots and dashes left out where the standard layout makes it unambiguous
    ("0000001H29-240115-0001", "000.00.01.H29-240115-0001"),
    ("0000001h292401150001", "000.00.01.H29-240115-0001"),
    ("000.00.01.H29-2401150001", "000.00.01.H29-240115-0001"),
    ("h56.14 240823 0001", "H56.14-240823-0001"),
    ("H56142408230001", "H56.14-240823-0001"),
    ("H55.242-250101-0042", "H55.242-250101-0042"),
    # full-width digits from some phone keyboards, other dash characters
    ("０００.００.０１.Ｈ２９-２４０１１５-０００１", "000.00.01.H29-240115-0001"),
    ("000.00.01.H29–240115–0001", "000.00.01.H29-240115-0001"),
    # a non-standard unit layout is kept when the citizen typed its separators
    ("G01.05.3-240101-0002", "G01.05.3-240101-0002"),
]

REFUSED = [
    "",
    "   ",
    "abc",
    "000.00.01.H29",  # no date or sequence
    "000.00.01.H29-240230-0001",  # 30 February
    "000.00.01.H29-241301-0001",  # month 13
    "000.00.01.H29-240115-0000",  # sequences start at 0001
    "000.00.01.H29-240115-001",  # 3-digit sequence
    "000.00.01.H29-24011-50001",  # separators inside the date: garbled
    "XYZ.1-240101-0001",  # no level-1 unit (Gxx/Hxx)
    "00001H29240115",  # too short
    "000.00.01.H29-240115-0001; DROP TABLE dossiers",
    "000.00.01.H29-240115-0001" * 5,  # longer than any code
    "🙂000.00.01.H29-240115-0001",
    "000.00.01.Ḥ29-240115-0001",
]


@pytest.mark.parametrize(("typed", "expected"), CANONICAL)
def test_typed_codes_normalize_to_canonical(typed: str, expected: str) -> None:
    """Citizens' spellings of a code (case, spaces, missing dots) reach the one stored form."""
    assert parse_dossier_code(typed) == expected


@pytest.mark.parametrize("typed", REFUSED)
def test_invalid_codes_are_refused(typed: str) -> None:
    """Impossible dates, garbled separators and junk are refused instead of guessed."""
    assert parse_dossier_code(typed) is None


def test_canonical_codes_are_fixed_points() -> None:
    """Normalizing an already canonical code changes nothing."""
    for _, expected in CANONICAL:
        assert parse_dossier_code(expected) == expected


def test_received_date_is_read_from_the_code() -> None:
    """The YYMMDD part is the received date."""
    assert code_received_date("000.00.01.H29-240115-0001") == date(2024, 1, 15)
