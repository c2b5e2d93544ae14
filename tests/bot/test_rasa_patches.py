"""Rasa 3.6.21's per-turn fixes (bot/rasa_patches.py) keep Rasa's behaviour: an invalid
action-server response is still rejected, a valid one still runs, and a form's validation action
is still asked whenever its answer could differ; and a tracker store that fails fails the turn."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import jsonschema
import pytest
from aiohttp import web
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.actions.forms import FormAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_patches
from common.conversation import SERVICE_UNAVAILABLE_TEXT
from launcher.processes import free_port

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [check_dossier_status, inform]
entities: [dossier_code]
slots:
  dossier_code:
    type: text
    mappings:
      - type: from_entity
        entity: dossier_code
forms:
  dossier_form:
    required_slots: [dossier_code]
actions: [validate_dossier_form, action_lookup]
responses:
  utter_ask_dossier_code:
    - text: "Bạn cho mình mã hồ sơ nhé."
"""
)


@asynccontextmanager
async def action_server(
    answer: Callable[[dict[str, Any]], dict[str, Any]],
    status: int = 200,
    raw: list[tuple[bytes, dict[str, str]]] | None = None,
) -> AsyncIterator[list[dict]]:
    """A real HTTP action server on a free port that answers every call with ``answer(request)``
    and ``status``; yields the requests it received (their bytes and headers also go to ``raw``)."""
    received: list[dict[str, Any]] = []

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        received.append(body)
        if raw is not None:
            raw.append((await request.read(), dict(request.headers)))
        return web.json_response(answer(body), status=status)

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    rasa_patches.apply()
    try:
        yield received, EndpointConfig(f"http://127.0.0.1:{port}/webhook")
    finally:
        await runner.cleanup()


def listening_tracker(*events: Any) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("citizen", [ActionExecuted("action_listen"), *events], slots=DOMAIN.slots)


async def run_action(action: Any, tracker: DialogueStateTracker) -> list:
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    return await action.run(CollectingOutputChannel(), nlg, tracker, DOMAIN)


def test_patches_apply_on_the_pinned_rasa() -> None:
    """On rasa 3.6.21 the fourteen fixes are applied, once, whatever the number of calls."""
    applied = rasa_patches.apply()
    assert applied == rasa_patches.apply()
    assert [name.split(":")[0] for name in applied] == [
        "RemoteAction._validate_action_result",
        "FormAction.validate_slots",
        "Event.resolve_by_type",
        "Domain.states_for_tracker_history",
        "DialogueStateTracker.copy, .applied_events",
        "RemoteAction._action_call_format",
        "FailSafeTrackerStore",
        "TicketLock.is_locked",
        "RemoteAction.run",
        "Features._combine_sparse_features",
        "RulePolicy._get_possible_keys",
        "RulePolicy.format_tracker_states",
        "EndpointConfig.session",
        "Agent.load_model",
    ]


class BrokenStore(InMemoryTrackerStore):
    """A tracker store whose database is away."""

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        raise ConnectionError("database away")

    async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        raise ConnectionError("database away")

    async def save(self, tracker: DialogueStateTracker) -> None:
        raise ConnectionError("database away")


def test_a_failing_tracker_store_fails_the_turn() -> None:
    """Rasa's agent wraps every store in FailSafeTrackerStore: its errors reach the caller instead
    of a fresh tracker (lost context) or a save to memory only (a lost message)."""
    rasa_patches.apply()
    store = FailSafeTrackerStore(BrokenStore(DOMAIN))
    tracker = DialogueStateTracker.from_events("web:x", [UserUttered("xin chào")])
    for call in (store.retrieve("web:x"), store.retrieve_full_tracker("web:x"), store.save(tracker)):
        with pytest.raises(ConnectionError):
            asyncio.run(call)
    assert asyncio.run(store.fallback_tracker_store.retrieve("web:x")) is None


def test_event_types_resolve_as_before() -> None:
    """Known type names give their classes (also the second time), an unknown one still raises
    Rasa's error or gives the default."""
    rasa_patches.apply()
    for _ in range(2):
        assert Event.resolve_by_type("user") is UserUttered
        assert Event.resolve_by_type("slot") is SlotSet
        assert Event.resolve_by_type("active_loop") is ActiveLoop
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    assert Event.from_parameters({"event": "slot", "name": "a", "value": 1}) == SlotSet("a", 1)


def _long_tracker(turns: int) -> DialogueStateTracker:
    events: list[Any] = []
    for turn in range(turns):
        events += [
            UserUttered(f"câu hỏi {turn}", {"name": "inform", "confidence": 0.9}),
            SlotSet("dossier_code", f"X-{turn}"),
            ActionExecuted("action_lookup"),
            ActionExecuted("action_listen"),
        ]
    return listening_tracker(*events)


@pytest.mark.parametrize("turns", [3, 60])
def test_the_action_server_gets_rasas_state_with_the_last_events(turns: int) -> None:
    """The body of an action call is Rasa's (same state, same domain), except that only the last
    ACTION_SERVER_EVENTS events are sent: a short conversation is sent whole, a long one is cut."""
    rasa_patches.apply()
    tracker = _long_tracker(turns)
    action = RemoteAction("action_lookup", EndpointConfig("http://127.0.0.1:1/webhook"))
    body = action._action_call_format(tracker, DOMAIN)
    reference = rasa_patches.ORIGINALS["_action_call_format"](action, tracker, DOMAIN)
    all_events = reference["tracker"].pop("events")
    sent = body["tracker"].pop("events")
    assert body == reference
    assert sent == all_events[-rasa_patches.ACTION_SERVER_EVENTS :]
    assert len(sent) == min(len(all_events), rasa_patches.ACTION_SERVER_EVENTS)
    assert (len(all_events) > rasa_patches.ACTION_SERVER_EVENTS) == (turns == 60)


INVALID_RESPONSES = [
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": "slot", "responses": []},
    {"events": [], "responses": ["a text instead of an object"]},
    [],
]


@pytest.mark.parametrize("body", INVALID_RESPONSES, ids=["unknown-event", "events-not-a-list", "bad-response", "list"])
def test_an_invalid_action_server_response_is_rejected(body: Any) -> None:
    """A response that breaks Rasa's schema raises jsonschema's ValidationError, with the message
    ``jsonschema.validate`` gives and Rasa's hint, exactly as unpatched Rasa does."""

    async def scenario() -> None:
        async with action_server(lambda _request: body) as (received, endpoint):
            with pytest.raises(jsonschema.ValidationError) as raised:
                await run_action(RemoteAction("action_lookup", endpoint), listening_tracker())
            assert len(received) == 1
        with pytest.raises(jsonschema.ValidationError) as reference:
            jsonschema.validate(body, RemoteAction.action_response_format_spec())
        assert raised.value.message.startswith(reference.value.message + ". Failed to validate Action server")
        assert "custom-actions" in raised.value.message

    asyncio.run(scenario())


def test_a_valid_action_server_response_is_applied() -> None:
    """A valid response still becomes Rasa events and bot messages."""
    body = {"events": [{"event": "slot", "name": "dossier_code", "value": "X-1"}], "responses": [{"text": "Đã tìm."}]}

    async def scenario() -> list:
        async with action_server(lambda _request: body) as (_received, endpoint):
            return await run_action(RemoteAction("action_lookup", endpoint), listening_tracker())

    events = asyncio.run(scenario())
    assert SlotSet("dossier_code", "X-1") in events
    assert [event.text for event in events if hasattr(event, "text")] == ["Đã tìm."]


def test_form_activation_with_nothing_to_validate_asks_the_validation_action_once() -> None:
    """Activated with no slot filled, the form asks its validation action once (Rasa asks twice
    with the same request) and then asks for the first slot as before."""
    user = UserUttered("tra cứu hồ sơ", {"name": "check_dossier_status", "confidence": 1.0})

    async def scenario() -> tuple[list, list]:
        async with action_server(lambda _request: {"events": [], "responses": []}) as (received, endpoint):
            events = await run_action(FormAction("dossier_form", endpoint), listening_tracker(user))
            return events, received

    events, received = asyncio.run(scenario())
    assert len(received) == 1
    assert received[0]["next_action"] == "validate_dossier_form"
    assert events[0] == ActiveLoop("dossier_form")
    assert SlotSet("requested_slot", "dossier_code") in events
    assert [event.text for event in events if hasattr(event, "text")] == ["Bạn cho mình mã hồ sơ nhé."]


def test_a_form_answer_with_a_slot_candidate_is_always_validated() -> None:
    """Inside an active form, a turn that fills the slot still reaches the validation action, and
    its answer (here: the code rejected) is what the form applies."""
    user = UserUttered(
        "mã x-1",
        {"name": "inform", "confidence": 1.0},
        [{"entity": "dossier_code", "value": "x-1", "start": 3, "end": 6}],
    )
    tracker = listening_tracker(
        ActiveLoop("dossier_form"),
        SlotSet("requested_slot", "dossier_code"),
        ActionExecuted("action_listen"),
        user,
        SlotSet("dossier_code", "x-1"),
    )
    rejected = {"events": [{"event": "slot", "name": "dossier_code", "value": None}], "responses": []}

    async def scenario() -> tuple[list, list]:
        async with action_server(lambda _request: rejected) as (received, endpoint):
            events = await run_action(FormAction("dossier_form", endpoint), tracker)
            return events, received

    events, received = asyncio.run(scenario())
    assert len(received) == 1
    assert SlotSet("dossier_code", None) in events


def _lock(*tickets: tuple[int, float]) -> TicketLock:
    """A conversation lock holding tickets ``(number, seconds until expiry)``."""
    return TicketLock("citizen", deque(Ticket(number, time.time() + ttl) for number, ttl in tickets))


def test_ticket_lock_keeps_rasas_order() -> None:
    """A ticket waits while an earlier unexpired ticket exists and is served when it is first."""
    rasa_patches.apply()
    lock = _lock((1, 30), (2, 30), (3, 30))
    assert not lock.is_locked(1)
    assert lock.is_locked(2) and lock.is_locked(3)
    lock.remove_ticket_for(1)
    assert not lock.is_locked(2) and lock.is_locked(3)


def test_a_queue_emptied_by_expiry_opens_for_the_waiting_turn() -> None:
    """A killed server's ticket and the resent turn's ticket expired between two polls: the
    waiting turn gets the lock (Rasa's check kept it locked forever: first ticket "0" != 2)."""
    rasa_patches.apply()
    lock = _lock((1, -1), (2, -0.5))
    assert not lock.is_locked(2)
    assert _lock((1, -1), (2, 30)).is_locked(2) is False
    assert _lock((1, 30), (2, -0.5)).is_locked(2) is True


def test_lock_store_acquires_after_a_dead_holder_and_its_waiter_expire() -> None:
    """Through Rasa's lock store and its polling loop: a conversation whose holder died (its
    ticket never removed) and whose waiter's own ticket also ran out is served, not stuck."""
    rasa_patches.apply()
    store = InMemoryLockStore()
    store.issue_ticket("citizen", lock_lifetime=0.2)  # the dead server's ticket, never removed
    waiting = store.issue_ticket("citizen", lock_lifetime=0.3)

    async def acquire() -> TicketLock:
        await asyncio.sleep(0.5)  # both tickets expire before the next poll
        return await asyncio.wait_for(store._acquire_lock("citizen", waiting, 0.1), timeout=5)

    assert asyncio.run(acquire()).conversation_id == "citizen"


def test_an_unreachable_action_server_gets_the_citizen_an_apology() -> None:
    """Nothing listens at the action server's address: the action ends with the apology (a bot
    message the channel sends), not with an exception that leaves the citizen without an answer."""
    rasa_patches.apply()
    endpoint = EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook")
    events = asyncio.run(run_action(RemoteAction("action_lookup", endpoint), listening_tracker()))
    assert [event.text for event in events if isinstance(event, BotUttered)] == [SERVICE_UNAVAILABLE_TEXT]


def test_a_rejection_still_reaches_rasa() -> None:
    """A form's validation action that rejects (HTTP 400 with the action name) still raises Rasa's
    ActionExecutionRejection, so other policies can predict: only failures become the apology."""

    rejection = {"action_name": "action_lookup", "error": "not me"}

    async def scenario() -> None:
        async with action_server(lambda _request: rejection, status=400) as (_received, endpoint):
            with pytest.raises(ActionExecutionRejection):
                await run_action(RemoteAction("action_lookup", endpoint), listening_tracker())

    rasa_patches.apply()
    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("left_format", "left_dtype", "right_dtype"),
    [("coo", "float32", "float32"), ("csr", "float64", "float32"), ("coo", "int64", "float32")],
)
def test_sparse_features_combine_into_scipys_matrix(left_format: str, left_dtype: str, right_dtype: str) -> None:
    """Features of two featurizers joined side by side give scipy's hstack exactly: shape, format,
    dtype, and the same entries in the same order (DIET reads them as they are)."""
    import numpy as np
    import scipy.sparse
    from rasa.shared.nlu.training_data.features import Features

    rasa_patches.apply()
    rng = np.random.default_rng(7)

    def features(rows: int, columns: int, fmt: str, dtype: str, origin: str) -> Features:
        matrix = scipy.sparse.random(rows, columns, density=0.05, format=fmt, random_state=rng).astype(dtype)
        return Features(matrix, "sequence", "text", origin)

    for rows in (1, 12):
        left = features(rows, 300, left_format, left_dtype, "words")
        right = features(rows, 40, "coo", right_dtype, "chars")
        expected = scipy.sparse.hstack([left.features, right.features])
        left.combine_with_features(right)
        combined = left.features
        assert (combined.format, combined.dtype, combined.shape) == (expected.format, expected.dtype, expected.shape)
        for part in ("row", "col", "data"):
            assert np.array_equal(getattr(combined, part), getattr(expected, part))


def test_sparse_features_of_different_lengths_are_refused() -> None:
    """As in Rasa: the sequence lengths of the two featurizers must agree."""
    import scipy.sparse
    from rasa.shared.nlu.training_data.features import Features

    rasa_patches.apply()
    left = Features(scipy.sparse.coo_matrix((3, 5)), "sequence", "text", "words")
    with pytest.raises(ValueError, match="sequence dimensions do not match: 3 != 4"):
        left.combine_with_features(Features(scipy.sparse.coo_matrix((4, 2)), "sequence", "text", "chars"))


def test_rule_keys_found_are_rasas_for_every_conversation_length() -> None:
    """RulePolicy's candidate rules for a conversation are Rasa's, with rules of several lengths
    (conversation starters included) matched against sessions of every length, the walk stopping
    after the longest rule."""
    import json
    import random
    from pathlib import Path

    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.shared.core.domain import Domain as RasaDomain

    from tests.bot.test_tracker_history import _conversation_events

    rasa_patches.apply()
    domain = RasaDomain.load(str(Path(__file__).resolve().parents[2] / "domain.yml"))
    tracker = DialogueStateTracker("rules", domain.slots)
    sessions = []
    for event in _conversation_events():
        tracker.update(event, domain)
        sessions.append(domain.states_for_tracker_history(tracker))
    rng = random.Random(3)
    every_state = [state for states in sessions for state in states]
    lookup = {}
    for states in sessions:  # rules cut from the sessions themselves (so some match), and random ones
        for length in (1, 2, 3, 5):
            if len(states) >= length:
                lookup[json.dumps(states[-length:], sort_keys=True)] = "utter_x"
        lookup[json.dumps(rng.sample(every_state, k=min(2, len(every_state))), sort_keys=True)] = "utter_y"
    policy = object.__new__(RulePolicy)  # the method reads no trained attribute
    original = rasa_patches.ORIGINALS["get_possible_keys"]
    for states in [*sessions, sessions[-1] * 5]:
        assert policy._get_possible_keys(lookup, states) == original(policy, lookup, states)
    assert any(policy._get_possible_keys(lookup, states) for states in sessions)  # some rules match


def test_rule_states_are_formatted_as_rasa_does_only_when_the_debug_line_is_written(monkeypatch) -> None:
    """RulePolicy's debug text of the states renders as Rasa's text (JSON and console renderers,
    after the deep copy Rasa makes), and is not made at all when debug lines are filtered out."""
    import copy
    import logging

    import structlog
    from rasa.core.policies.policy import Policy
    from rasa.core.policies.rule_policy import RulePolicy

    rasa_patches.apply()
    states = [{}, {"user": {"intent": "ask_fee", "entities": ("procedure",)}, "prev_action": {"action_name": "x"}}]
    text = Policy.format_tracker_states(states)
    lazy = copy.deepcopy(RulePolicy.format_tracker_states(states))
    for renderer in (structlog.processors.JSONRenderer(), structlog.dev.ConsoleRenderer(colors=False)):
        event = {"event": "rule_policy.actions.find"}
        assert renderer(None, "debug", {**event, "current_states": lazy}) == renderer(
            None, "debug", {**event, "current_states": text}
        )

    formatted: list[int] = []
    monkeypatch.setattr(Policy, "format_tracker_states", staticmethod(lambda s: formatted.append(1) or text))
    at_info = structlog.wrap_logger(
        structlog.ReturnLogger(),
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),  # as Rasa configures it
        processors=[structlog.processors.JSONRenderer()],
    )
    at_info.debug("rule_policy.actions.find", current_states=RulePolicy.format_tracker_states(states))
    assert formatted == []
    at_info.info("rule_policy.actions.find", current_states=RulePolicy.format_tracker_states(states))
    assert formatted == [1]


def test_a_model_load_freezes_the_heap_and_a_replaced_model_is_collected(monkeypatch) -> None:
    """After a model load the objects alive are out of the collector's full passes; the previous
    model, unreachable but in reference cycles, is collected first, not frozen forever."""
    import gc
    import weakref

    from rasa.core.agent import Agent

    class Processor:  # a model that refers to itself, as TensorFlow's objects do
        def __init__(self) -> None:
            self.me = self

    def load_model(agent: Agent, model_path: Any, fingerprint: str | None = None) -> None:
        agent.processor = Processor()

    rasa_patches.apply()
    monkeypatch.setitem(rasa_patches.ORIGINALS, "agent_load_model", load_model)
    agent = object.__new__(Agent)
    try:
        Agent.load_model(agent, "first.tar.gz")
        first = weakref.ref(agent.processor)
        assert gc.get_freeze_count() > 0
        Agent.load_model(agent, "second.tar.gz")
        assert first() is None
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_endpoint_bodies_are_the_same_json_values_without_escapes() -> None:
    """What an action server reads from Rasa's endpoint is the JSON of the body Rasa was given
    (Vietnamese text, slashes, floats, nested events), with Rasa's headers and basic auth."""
    import base64
    import json

    rasa_patches.apply()
    body = {
        "next_action": "action_answer_procedure",
        "tracker": {
            "latest_message": {"text": "Làm căn cước / CCCD mất bao lâu?", "intent": {"confidence": 0.1 + 0.2}},
            "events": [{"event": "user", "text": "lệ phí bao nhiêu ạ", "timestamp": 1796427069.0621426}] * 3,
            "slots": {"dossier_lookup_failures": 0.0, "procedure_code": None, "flags": [True, False]},
        },
    }

    async def exchange() -> tuple[bytes, dict[str, str]]:
        seen: list[tuple[bytes, dict[str, str]]] = []
        async with action_server(lambda _: {"events": [], "responses": []}, raw=seen) as (_, server):
            endpoint = EndpointConfig(
                server.url, headers={"X-Assistant": "citizen"}, basic_auth={"username": "rasa", "password": "s3cret"}
            )
            assert await endpoint.request(json=body, method="post") == {"events": [], "responses": []}
        return seen[0]

    raw, headers = asyncio.run(exchange())
    assert json.loads(raw) == body
    assert "Làm căn cước / CCCD".encode() in raw  # UTF-8, not \uXXXX escapes
    assert headers["X-Assistant"] == "citizen"
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"rasa:s3cret").decode()
    assert headers["Content-Type"].startswith("application/json")
