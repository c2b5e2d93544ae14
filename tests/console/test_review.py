"""Conversation review: reading Rasa's tracker store, filters, masking, corrections and their export.

The tracker database is written by Rasa's own SQLTrackerStore wrapped in our MaskingTrackerStore
(the configuration endpoints.yml uses), so the console reads the real schema and JSON.
"""

from __future__ import annotations

import asyncio
import json
import unicodedata
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from sqlalchemy import select

from bot.stores.masking_tracker_store import MaskingTrackerStore
from common.conversation import HANDOFF_SLOT
from console.models import AuditEntry, ReviewCorrection
from console.services import review
from console.services.rasa_events import tracker_engine
from tests.console.conftest import login, make_settings

ID_NUMBER = "079123456789"
FEE_TEXT = "làm hộ chiếu hết bao nhiêu tiền vậy ad"
DOMAIN = Domain.from_dict({"slots": {HANDOFF_SLOT: {"type": "bool", "mappings": [{"type": "custom"}]}}})


def _user(text: str, intent: str, confidence: float, entities: list | None = None) -> UserUttered:
    parse = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities or []}
    return UserUttered(text, parse["intent"], entities or [], parse_data=parse)


def write_tracker(path: Path) -> None:
    """Four conversations: a confident question, a low-confidence one with an ID number, a
    fallback (nlu_fallback + action_default_fallback), and a handoff (slot handoff_active)."""
    store = MaskingTrackerStore(DOMAIN, wrapped={"type": "sql", "dialect": "sqlite", "db": str(path)})
    conversations = {
        "c-fee": [
            ActionExecuted("action_listen"),
            _user(FEE_TEXT, "ask_fee", 0.97, [{"entity": "procedure", "start": 0, "end": 12, "value": "làm hộ chiếu"}]),
            BotUttered("Lệ phí hộ chiếu là 200.000 đồng."),
        ],
        "c-low": [
            ActionExecuted("action_listen"),
            _user(f"cccd {ID_NUMBER} của tôi bị mất thì sao", "inform", 0.41),
        ],
        "c-fallback": [
            ActionExecuted("action_listen"),
            _user("cái con mèo nhà tôi đi lạc", "nlu_fallback", 0.3),
            ActionExecuted("action_default_fallback"),
        ],
        "c-handoff": [
            ActionExecuted("action_listen"),
            _user("cho tôi nói chuyện với cán bộ", "request_human", 0.95),
            SlotSet(HANDOFF_SLOT, True),
        ],
    }

    async def save_all() -> None:
        for sender, events in conversations.items():
            await store.save(DialogueStateTracker.from_events(sender, events, slots=DOMAIN.slots))

    asyncio.run(save_all())


@pytest.fixture(scope="module")
def tracker_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Written once per module: the console only reads it."""
    path = tmp_path_factory.mktemp("tracker") / "tracker.db"
    write_tracker(path)
    return path


@pytest.fixture
def settings(tmp_path: Path, tracker_db: Path):
    tracker = tracker_db
    return make_settings(
        tmp_path,
        tracker_database_url=f"sqlite:///{tracker}",
        corrections_path=tmp_path / "corrections.yml",
    )


def _event_id(settings, sender: str) -> int:
    from console.services.rasa_events import events

    with tracker_engine(settings.tracker_database_url).connect() as connection:
        query = select(events.c.id).where(events.c.sender_id == sender, events.c.type_name == "user")
        return connection.execute(query).scalar_one()


def test_list_shows_masked_messages_with_prediction_and_filters(client, users, settings):
    """Trainers see recent citizen messages with intent and confidence, personal numbers masked,
    and each filter (low confidence, fallback, handoff) keeps exactly the matching message."""
    login(client, users["trainer"])
    page = client.get("/review")
    assert page.status_code == 200
    assert FEE_TEXT in page.text and "ask_fee" in page.text and "97%" in page.text
    assert ID_NUMBER not in page.text and "07**********" in page.text
    senders = ("c-fee", "c-low", "c-fallback", "c-handoff")
    # nlu_fallback carries FallbackClassifier's low confidence, so it is in both lists.
    expected = {"low": {"c-low", "c-fallback"}, "fallback": {"c-fallback"}, "handoff": {"c-handoff"}}
    for kind, wanted in expected.items():
        html = client.get(f"/review?kind={kind}").text
        shown = {s for s in senders if f'id="message-{_event_id(settings, s)}"' in html}
        assert shown == wanted, kind


def test_staff_cannot_review_and_missing_tracker_is_explained(client, users, app, tmp_path):
    """Only trainers and admins review; when the tracker database cannot be read the page says
    which setting to check instead of failing, and the console does not create the file."""
    login(client, users["staff"])
    assert client.get("/review").status_code == 403
    client.cookies.clear()
    login(client, users["trainer"])
    missing = tmp_path / "not-yet" / "tracker.db"
    app.state.settings = make_settings(tmp_path, tracker_database_url=f"sqlite:///{missing}")
    page = client.get("/review")
    assert page.status_code == 200 and "CONSOLE_TRACKER_DB_URL" in page.text
    assert not missing.parent.exists()  # read-only: reading never creates Rasa's database


def test_correction_is_saved_audited_and_exported_as_valid_rasa_data(client, users, settings, db):
    """A trainer corrects intent and an entity span of a masked message; the correction is
    audited, and the export writes NFC Rasa YAML that Rasa's reader loads with that entity."""
    csrf = login(client, users["trainer"])
    event_id = _event_id(settings, "c-low")
    form = client.get(f"/review/messages/{event_id}")
    assert form.status_code == 200 and "07**********" in form.text
    text = "cccd 07********** của tôi bị mất thì sao"
    start = text.index("cccd")
    spans = [{"start": start, "end": start + 4, "entity": "procedure"}]
    response = client.post(
        f"/review/messages/{event_id}",
        data={"csrf_token": csrf, "intent": "ask_procedure", "entities": json.dumps(spans)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    with db() as session:
        correction = session.execute(select(ReviewCorrection)).scalar_one()
        assert (correction.intent, correction.predicted_intent, correction.text) == ("ask_procedure", "inform", text)
        audit = session.execute(select(AuditEntry).where(AuditEntry.action == "review.correct")).scalar_one()
        assert audit.after["entities"] == spans

    exported = client.post("/review/export", data={"csrf_token": csrf}, follow_redirects=True)
    assert "Đã ghi 1 câu" in exported.text
    content = settings.corrections_path.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", content) and ID_NUMBER not in content
    data = RasaYAMLReader().reads(content)
    [example] = data.nlu_examples
    assert example.get("intent") == "ask_procedure"
    assert [(e["entity"], e["value"]) for e in example.get("entities")] == [("procedure", "cccd")]


@pytest.mark.parametrize(
    ("intent", "spans", "message"),
    [
        ("no_such_intent", [], "ý định"),
        ("ask_fee", [{"start": 1, "end": 12, "entity": "procedure"}], "trọn từ"),  # cuts "làm"
        ("ask_fee", [{"start": 0, "end": 13, "entity": "procedure"}], "dấu cách"),  # trailing space
        ("ask_fee", [{"start": 0, "end": 12, "entity": "bogus"}], "bogus"),
        (
            "ask_fee",
            [{"start": 0, "end": 6, "entity": "procedure"}, {"start": 4, "end": 12, "entity": "location"}],
            "chồng",
        ),
        ("ask_fee", [{"start": 0, "end": 999, "entity": "procedure"}], "ngoài câu"),
    ],
)
def test_invalid_corrections_are_refused_with_a_reason(client, users, settings, db, intent, spans, message):
    """Unknown intents or entity types, half-word, padded, overlapping or out-of-range spans are
    refused with a Vietnamese explanation (DIET would silently drop misaligned spans)."""
    csrf = login(client, users["trainer"])
    event_id = _event_id(settings, "c-fee")
    response = client.post(
        f"/review/messages/{event_id}",
        data={"csrf_token": csrf, "intent": intent, "entities": json.dumps(spans)},
    )
    assert response.status_code == 400 and message in response.text
    with db() as session:
        assert session.execute(select(ReviewCorrection)).first() is None


def test_export_skips_existing_and_held_out_examples_and_is_stable(client, users, settings, db, tmp_path):
    """An example already in data/ (compared accent-insensitively) or in the held-out test set is
    not exported; two exports of the same corrections give identical bytes."""
    held_out = tmp_path / "held_out.yml"
    held_out.write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - cho toi noi chuyen voi can bo\n')
    client.app.state.settings = make_settings(
        tmp_path,
        tracker_database_url=settings.tracker_database_url,
        corrections_path=settings.corrections_path,
        test_nlu_path=held_out,
    )
    message = review.Message(0, "s", None, "xin chào", "greet", 0.9, [])  # type: ignore[arg-type]
    vocab = review.vocabulary(settings.project_dir)
    with db() as session:
        for event, text, intent in [(1, "xin chào", "greet"), (2, "cho tôi nói chuyện với cán bộ", "request_human")]:
            message.event_id, message.text = event, text
            review.save_correction(session, message, intent, [], vocab, None)
            message.correction = None
        message.event_id, message.text = 3, "con mèo nhà tôi đi lạc rồi phải báo ai"
        review.save_correction(session, message, "out_of_scope", [], vocab, None)
    csrf = login(client, users["trainer"])
    page = client.post("/review/export", data={"csrf_token": csrf}, follow_redirects=True).text
    assert "Đã ghi 1 câu" in page and "Bỏ qua 1 câu đã có sẵn" in page and "Bỏ qua 1 câu trùng bộ kiểm thử" in page
    first = settings.corrections_path.read_bytes()
    assert b"out_of_scope" in first and "xin chào".encode() not in first
    client.post("/review/export", data={"csrf_token": csrf})
    assert settings.corrections_path.read_bytes() == first


def test_repeated_messages_are_one_row_with_a_count_and_the_intents_they_got(client, users, db, tmp_path):
    """Fifty citizens typing the same question are one problem for a trainer: messages with the
    same normalised text (case, spacing, end punctuation, masked numbers aside) are one row with
    their count and every intent they were given; different texts stay apart."""
    path = tmp_path / "repeated.db"
    store = MaskingTrackerStore(DOMAIN, wrapped={"type": "sql", "dialect": "sqlite", "db": str(path)})
    typed = [
        ("Làm căn cước ở đâu?", "ask_agency", 0.9),
        ("làm căn cước  ở đâu", "ask_agency", 0.8),
        ("LÀM CĂN CƯỚC Ở ĐÂU", "ask_documents", 0.5),
        ("làm căn cước ở đâu ?", "nlu_fallback", 0.3),
        (f"cccd {ID_NUMBER} mất rồi", "inform", 0.4),
        ("cccd 031234567890 mất rồi", "inform", 0.45),
        ("đổi bằng lái xe ở đâu", "ask_agency", 0.9),
    ]

    async def save_all() -> None:
        for number, (text, intent, confidence) in enumerate(typed):
            events = [ActionExecuted("action_listen"), _user(text, intent, confidence)]
            await store.save(DialogueStateTracker.from_events(f"r-{number}", events, slots=DOMAIN.slots))

    asyncio.run(save_all())
    with db() as session:
        groups, total, messages = review.recent_groups(tracker_engine(f"sqlite:///{path}"), session)
    assert (total, messages) == (3, 7)
    assert [group.count for group in groups] == [4, 2, 1]
    assert groups[0].intents == [("ask_agency", 2), ("ask_documents", 1), ("nlu_fallback", 1)]
    assert groups[0].latest.text == "làm căn cước ở đâu ?"  # the newest of the four
    assert {"low", "fallback"} <= set(groups[0].flags)

    client.app.state.settings = make_settings(tmp_path, tracker_database_url=f"sqlite:///{path}")
    login(client, users["trainer"])
    page = client.get("/review").text
    assert page.count('class="message-group"') == 3
    assert "3 nội dung khác nhau trong 7 tin nhắn" in page
    assert 'data-count="4"' in page and "<code>ask_documents</code> (1)" in page
    assert ID_NUMBER not in page
