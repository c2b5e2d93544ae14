"""Normalized view with a character map back to the original, and the shared patterns."""

from __future__ import annotations

import unicodedata

import pytest

from bot.nlu.alignment import normalized_view
from common.text.patterns import canonical_dossier_code, canonical_phone_number, find_protected
from tests.nlu.conftest import HOSTILE_TEXTS


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_view_maps_every_character_back(text):
    """Each normalized character maps to an original span; the maps are monotone and cover the
    original text, so any normalized span converts to an original span without searching."""
    view = normalized_view(text)
    assert len(view.text) == len(view.starts) == len(view.ends)
    assert list(view.starts) == sorted(view.starts)
    assert list(view.ends) == sorted(view.ends)
    if text:
        assert view.starts[0] == 0 and view.ends[-1] == len(text)
    assert unicodedata.is_normalized("NFC", view.text)


def test_nfd_and_modern_tone_placement_normalize_to_one_spelling():
    """NFD "Thanh Hoá" and NFC "Thanh Hóa" give the same normalized text, and a normalized
    span maps back to the NFD original."""
    nfd = unicodedata.normalize("NFD", "ở Thanh Hoá")
    view = normalized_view(nfd)
    assert view.text == "ở Thanh Hóa"
    start, end = view.original_span(2, len(view.text))
    assert nfd[start:end] == unicodedata.normalize("NFD", "Thanh Hoá")


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("000.00.01.H29-240115-0001", "000.00.01.H29-240115-0001"),
        ("000 00 01 h29 - 240115 - 0001", "000.00.01.H29-240115-0001"),
        ("0000001h29-240115-0001", "000.00.01.H29-240115-0001"),
        ("h56.14-240823-0001", "H56.14-240823-0001"),
        ("000.17.22.H56 210531 0001", "000.17.22.H56-210531-0001"),
    ],
)
def test_dossier_codes_are_canonicalized(raw, canonical):
    """Citizens type codes with spaces, lower case or missing dots; lookups need one form."""
    assert canonical_dossier_code(raw) == canonical


@pytest.mark.parametrize("raw", ["0912345678", "0912 345 678", "0912.345.678", "+84 912 345 678", "(+84) 912345678"])
def test_phone_numbers_are_canonicalized(raw):
    """Every spelling of a mobile number becomes the national 0xxxxxxxxx form."""
    assert canonical_phone_number(raw) == "0912345678"


@pytest.mark.parametrize(
    "text",
    [
        "năm 2024",  # a year is not a phone
        "số 0123456789",  # 01x is not a current mobile prefix
        "0912345678901234",  # too long for any protected kind except a number
        "mã 1.004222",  # a procedure code is a number, not a dossier code
        "H29-240115",  # incomplete dossier code
    ],
)
def test_near_misses_are_not_structured(text):
    """Things that only look like a code, ID or phone are not protected as one."""
    kinds = {span.kind for span in find_protected(text)}
    assert not kinds & {"dossier_code", "phone_number", "id_number"}
