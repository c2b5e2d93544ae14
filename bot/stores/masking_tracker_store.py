"""A tracker store that never persists personal data in clear.

Rasa saves a conversation after the turn's actions have run, so the actions still see the ID
number or phone digits the citizen typed, while everything this store writes (and streams to the
event broker) has them masked: user texts, parse data, PII entities and PII slots.

endpoints.yml::

    tracker_store:
      type: bot.stores.masking_tracker_store.MaskingTrackerStore
      wrapped:            # any Rasa tracker store config; in-memory when omitted
        type: sql
        dialect: postgresql
        ...
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

from bot.text.pii import MASK_CHAR, mask_pii

PII_ENTITIES = frozenset({"id_number", "phone_number", "verification_factor"})
PII_SLOTS = frozenset({"verification_factor", "id_number", "phone_number"})


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


def mask_events(events: Iterable[Event]) -> list[Event]:
    """Copies of ``events`` with personal data masked; other events are shared as they are."""
    events = list(events)
    secrets = _secret_values(events)
    masked: list[Event] = []
    for event in events:
        if isinstance(event, UserUttered):
            masked.append(_mask_user_event(event, secrets))
        elif isinstance(event, SlotSet) and event.key in PII_SLOTS:
            masked.append(SlotSet(event.key, _masked_value(event.value), timestamp=event.timestamp))
        elif isinstance(event, BotUttered) and event.text and secrets:
            bot_event = copy.deepcopy(event)
            bot_event.text = mask_pii(bot_event.text, secrets)
            masked.append(bot_event)
        else:
            masked.append(event)
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
        masked = DialogueStateTracker.from_events(
            tracker.sender_id,
            mask_events(tracker.events),
            slots=self.domain.slots,
            max_event_history=self.max_event_history,
        )
        await self._inner.save(masked)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return await self._inner.retrieve(sender_id)

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        return await self._inner.retrieve_full_tracker(conversation_id)

    async def keys(self) -> Iterable[str]:
        return await self._inner.keys()

    async def exists(self, conversation_id: str) -> bool:
        return await self._inner.exists(conversation_id)
