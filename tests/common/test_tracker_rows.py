"""Reading a row of Rasa's SQL tracker store outside Rasa (console transcripts, review, retention,
our tracker store's incremental reads)."""

from __future__ import annotations

from common.tracker_rows import decode_event


def test_a_row_decodes_to_its_event_and_an_unreadable_one_to_nothing() -> None:
    """A JSON object is the event; a missing value, broken JSON or a JSON list reads as an empty
    event, so one damaged row never breaks a transcript or a review queue."""
    assert decode_event('{"event": "user", "text": "xin chào"}') == {"event": "user", "text": "xin chào"}
    assert decode_event(None) == {}
    assert decode_event('{"event": "us') == {}
    assert decode_event("[1, 2]") == {}
