"""Personal data never reaches the tracker store in clear (issue: dossier lookup privacy)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.stores.masking_tracker_store import MaskingTrackerStore, mask_events
from common.text.pii import mask_pii

ID_NUMBER = "079123456789"
DOMAIN = Domain.from_dict(
    {
        "slots": {
            "verification_factor": {"type": "text", "mappings": [{"type": "custom"}]},
            "dossier_code": {"type": "text", "mappings": [{"type": "custom"}]},
        }
    }
)


def conversation() -> list:
    return [
        ActionExecuted("action_listen"),
        UserUttered(
            f"số cccd của tôi là {ID_NUMBER}",
            {"name": "inform", "confidence": 0.9},
            [{"entity": "id_number", "value": ID_NUMBER, "start": 19, "end": 31}],
            parse_data={"text": f"số cccd của tôi là {ID_NUMBER}", "intent": {"name": "inform"}, "entities": []},
        ),
        SlotSet("verification_factor", ID_NUMBER),
        ActionExecuted("action_listen"),
        UserUttered("4321", {"name": "inform", "confidence": 0.9}, []),
        SlotSet("verification_factor", "4321"),
        SlotSet("dossier_code", "000.00.01.H29-240115-0001"),
        BotUttered("Hồ sơ 000.00.01.H29-240115-0001 đang được xử lý."),
    ]


def test_mask_pii_keeps_shape() -> None:
    """ID and phone numbers keep their first digits and length so staff see a number was given."""
    assert mask_pii(f"cccd {ID_NUMBER}") == "cccd 07**********"
    assert mask_pii("sđt 0912 345 678 nhé") == "sđt 09** *** *** nhé"
    assert mask_pii("mã 000.00.01.H29-240115-0001") == "mã 000.00.01.H29-240115-0001"  # not personal


def test_contact_slot_is_masked() -> None:
    """The after-hours contact (slot ``contact``) is a PII slot: its value and the text typed are masked."""
    events = [UserUttered("mail mình: lan@example.vn"), SlotSet("contact", "lan@example.vn")]
    dumped = repr([event.as_dict() for event in mask_events(events)])
    assert "lan@" not in dumped and "l***@example.vn" in dumped


def test_events_are_masked_but_dossier_codes_kept() -> None:
    """User text, entities and PII slots are masked, including a bare 4-digit phone factor."""
    masked = mask_events(conversation())
    dumped = repr([event.as_dict() for event in masked])
    assert ID_NUMBER not in dumped
    assert "4321" not in dumped
    assert "000.00.01.H29-240115-0001" in dumped
    assert masked[1].text == "số cccd của tôi là 07**********"
    assert masked[2].value == "07**********"


def test_saved_tracker_is_masked_in_the_sql_file(tmp_path: Path) -> None:
    """Through a real SQL tracker store: the database file holds no digits of the ID."""
    db_file = tmp_path / "tracker.db"
    store = MaskingTrackerStore(DOMAIN, wrapped={"type": "sql", "dialect": "sqlite", "db": str(db_file)})
    tracker = DialogueStateTracker.from_events("citizen-1", conversation(), slots=DOMAIN.slots)

    async def roundtrip() -> DialogueStateTracker | None:
        await store.save(tracker)
        return await store.retrieve("citizen-1")

    restored = asyncio.run(roundtrip())
    assert restored is not None
    assert restored.get_slot("verification_factor") == "****"
    assert restored.get_slot("dossier_code") == "000.00.01.H29-240115-0001"
    raw = db_file.read_bytes()
    assert ID_NUMBER.encode() not in raw
    assert b"4321" not in raw
