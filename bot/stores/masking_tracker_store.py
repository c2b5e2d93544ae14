"""A tracker store that never persists personal data in clear.

Rasa saves a conversation after the turn's actions have run, so the actions still see the ID
number or phone digits the citizen typed, while everything this store writes (and streams to the
event broker) has them masked: user texts, parse data, PII entities and PII slots.

endpoints.yml::

    tracker_store:
      type: bot.stores.masking_tracker_store.MaskingTrackerStore
      wrapped:            # any Rasa tracker store config; in-memory when omitted
        type: bot.stores.sql_tracker_store.CachedSQLTrackerStore   # or sql
        dialect: postgresql
        ...

Events read back from the wrapped store are masked already: only the events a turn adds are masked
on save (they are told apart by a marker set on retrieval), so saving costs the same at turn 60 as
at turn 1. A wrapped store with ``save_events`` (CachedSQLTrackerStore) receives the events
directly, without replaying them into a new tracker.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore, create_tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_patches, tracker_history
from common.text.pii import MASK_CHAR, mask_pii

# Every Rasa server of ours loads this module from its endpoints file: the per-turn fixes to Rasa
# 3.6.21 (bot/rasa_patches.py) are applied here, before the first turn.
rasa_patches.apply()

PII_ENTITIES = frozenset({"id_number", "phone_number", "verification_factor"})
PII_SLOTS = frozenset({"verification_factor", "id_number", "phone_number", "contact"})


def _masked_value(value: Any) -> Any:
    """A PII value as stored: its digits masked, or all of it when it has no long digit run."""
    if not isinstance(value, str) or not value:
        return value
    masked = mask_pii(value)
    return masked if masked != value else MASK_CHAR * len(value)


def _secret_values(events: Iterable[Event]) -> tuple[str, ...]:
    """Values the citizen gave for PII slots/entities: masked wherever they appear in text."""
    values: set[str] = set()
    for event in events:
        if isinstance(event, SlotSet) and event.key in PII_SLOTS and isinstance(event.value, str):
            values.add(event.value)
        if isinstance(event, UserUttered):
            for entity in event.entities or []:
                if entity.get("entity") in PII_ENTITIES and entity.get("value"):
                    values.add(str(entity["value"]))
                    if entity.get("start") is not None and event.text:
                        values.add(event.text[entity["start"] : entity["end"]])
    return tuple(sorted((value for value in values if value), key=len, reverse=True))


def _mask_user_event(event: UserUttered, secrets: tuple[str, ...]) -> UserUttered:
    parse_data = event.parse_data or {}
    entities = list(event.entities or []) + list(parse_data.get("entities") or [])
    if (
        not any(entity.get("entity") in PII_ENTITIES for entity in entities)
        and (not event.text or mask_pii(event.text, secrets) == event.text)
        and (not parse_data.get("text") or mask_pii(parse_data["text"], secrets) == parse_data["text"])
    ):
        # Nothing to mask: the tracker's own event is stored (and cached), so the next turn's
        # tracker holds the very events the state-history memo has seen (bot/rasa_patches.py).
        return event
    masked = copy.deepcopy(event)
    if masked.text:
        masked.text = mask_pii(masked.text, secrets)
    parse_data = masked.parse_data or {}
    if parse_data.get("text"):
        parse_data["text"] = mask_pii(parse_data["text"], secrets)
    for entity in list(masked.entities or []) + list(parse_data.get("entities") or []):
        if entity.get("entity") in PII_ENTITIES:
            entity["value"] = _masked_value(str(entity.get("value", "")))
    return masked


# Set on events read back from the wrapped store: they were masked when they were written.
_STORED = "_masked_in_store"


def mask_events(events: Iterable[Event]) -> list[Event]:
    """Copies of ``events`` with personal data masked; other events, and events read back from the
    store (masked when written), are shared as they are."""
    events = list(events)
    secrets = _secret_values(event for event in events if not getattr(event, _STORED, False))
    masked: list[Event] = []
    for event in events:
        if getattr(event, _STORED, False):
            stored = event
        elif isinstance(event, UserUttered):
            stored = _mask_user_event(event, secrets)
        elif isinstance(event, SlotSet) and event.key in PII_SLOTS:
            stored = SlotSet(event.key, _masked_value(event.value), timestamp=event.timestamp)
        elif isinstance(event, BotUttered) and event.text and secrets:
            stored = copy.deepcopy(event)
            stored.text = mask_pii(stored.text, secrets)
        else:
            stored = event
        if stored is not event:
            # The next turn's tracker holds the copy: the state-history memo knows it stands for
            # the event it has seen (bot/tracker_history.py).
            tracker_history.mark_stand_in(stored, event)
        masked.append(stored)
    return masked


class MaskingTrackerStore(TrackerStore):
    """Wraps another tracker store and masks personal data before it is written."""

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        wrapped: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, event_broker, **kwargs)
        if wrapped:
            self._inner = create_tracker_store(EndpointConfig.from_dict(wrapped), domain, event_broker)
        else:
            self._inner = InMemoryTrackerStore(domain, event_broker)

    @property
    def domain(self) -> Domain:
        return self._inner.domain

    @domain.setter
    def domain(self, domain: Domain | None) -> None:
        self._inner.domain = domain or Domain.empty()

    async def save(self, tracker: DialogueStateTracker) -> None:
        masked = mask_events(tracker.events)
        save_events = getattr(self._inner, "save_events", None)
        if save_events is not None:
            await save_events(tracker.sender_id, masked)
            return
        await self._inner.save(
            DialogueStateTracker.from_events(
                tracker.sender_id, masked, slots=self.domain.slots, max_event_history=self.max_event_history
            )
        )

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return _mark_stored(await self._inner.retrieve(sender_id))

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        return _mark_stored(await self._inner.retrieve_full_tracker(conversation_id))

    async def keys(self) -> Iterable[str]:
        return await self._inner.keys()

    async def exists(self, conversation_id: str) -> bool:
        return await self._inner.exists(conversation_id)


def _mark_stored(tracker: DialogueStateTracker | None) -> DialogueStateTracker | None:
    for event in tracker.events if tracker is not None else ():
        setattr(event, _STORED, True)
    return tracker
