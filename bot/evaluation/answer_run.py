"""Replies to the answer-quality questions, produced by the real assistant.

The path is the one a citizen's message takes: the trained model is loaded in-process (``Agent.load``,
NLU + policies + rules), and the action it picks runs in the real action server (``rasa_sdk``: a
``Tracker`` built from the parse, a ``CollectingDispatcher``), which calls the real portal service with
the real catalog imported, and the staff console for FAQ answers. The servers are started with the
same code as ``make run`` (``launcher.stack``), on free localhost ports and temporary SQLite databases:
one portal start and one model load for the whole item set.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.evaluation.answer_facts import PROCEDURE_CODE, Item
from bot.evaluation.run import quiet_rasa_logs
from common.conversation import EVAL_SENDER_PREFIX
from launcher.processes import start_all, stop
from launcher.stack import StackLayout, assistant_specs, local_layout, run_init_steps

SERVICES = ("portal", "console", "actions")
# A citizen taps at most this many buttons ("Bạn hỏi về thủ tục nào?", "Ý bạn là: …") to get an answer.
MAX_CHOICES = 2
# The intent that asks each aspect (what a "did you mean" button of the right aspect sends).
ASPECT_INTENTS = {
    "documents": "ask_documents",
    "fee": "ask_fee",
    "time": "ask_processing_time",
    "where": "ask_agency",
    "address": "ask_agency",
    "steps": "ask_steps",
    "online": "ask_online",
}


@dataclass
class Turn:
    """What the assistant did with one item's question: the intent, the actions and the messages."""

    item_id: str
    intent: str = ""
    confidence: float = 0.0
    actions: list[str] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)  # titles of the buttons tapped to get here

    @property
    def texts(self) -> list[str]:
        return [m["text"] for m in self.messages if m.get("text")]

    @property
    def reply(self) -> str:
        return "\n\n".join(self.texts)


def _stack_env(workdir: Path) -> dict[str, str]:
    """Secrets and databases of a throwaway stack (nothing under the developer's var/)."""
    return {
        "PORTAL_DATABASE_URL": f"sqlite:///{workdir / 'portal.db'}",
        "PORTAL_DEMO_DOSSIERS_PATH": str(workdir / "demo_dossiers.json"),
        "PORTAL_SERVICE_TOKEN": "answer-eval-portal-token",
        "PORTAL_PII_KEY": "answer-eval-pii-key",
        "PORTAL_DOSSIER_COUNT": "20",
        "CHANNEL_PAYLOAD_KEY": "answer-eval-payload-key",
        "CONSOLE_DATABASE_URL": f"sqlite:///{workdir / 'console.db'}",
        "CONSOLE_SERVICE_TOKEN": "answer-eval-console-token",
    }


@contextmanager
def running_services(workdir: Path) -> Iterator[StackLayout]:
    """Portal (catalog imported), staff console and action server, stopped on exit."""
    # The model is loaded in-process, not by a Rasa server.
    layout = local_layout(Path(), workdir, "unused", _stack_env(workdir))
    run_init_steps(layout)
    processes = start_all(spec for spec in assistant_specs(layout) if spec.name in SERVICES)
    try:
        yield layout
    finally:
        stop(processes)


async def _ask(agent: Any, sender_id: str, text: str) -> list[dict[str, Any]]:
    return list(await agent.handle_text(text, sender_id=sender_id) or [])


async def _turn(agent: Any, item: Item) -> Turn:
    sender_id = EVAL_SENDER_PREFIX + item.id
    for earlier in item.context:
        await _ask(agent, sender_id, earlier)
    turn = Turn(item.id, messages=await _ask(agent, sender_id, item.question))
    tracker = await agent.tracker_store.retrieve(sender_id)
    if tracker is not None:
        intent = tracker.latest_message.intent or {}
        turn.intent, turn.confidence = intent.get("name") or "", float(intent.get("confidence") or 0.0)
        turn.actions = _actions_after_last_message(tracker)
    while len(turn.choices) < MAX_CHOICES and (button := button_to_tap(turn.messages, item)) is not None:
        turn.choices.append(button.get("title") or "")
        turn.messages = await _ask(agent, sender_id, button["payload"])
    return turn


def button_to_tap(messages: list[dict[str, Any]], item: Item) -> dict[str, Any] | None:
    """The button the citizen would tap: the item's procedure among the choices offered, or the
    "did you mean" suggestion of the aspect asked; never another case of the procedure nor a link.
    None when no button fits (the reply stands)."""
    for message in messages:
        for button in message.get("buttons") or []:
            intent, _, raw = str(button.get("payload") or "").partition("{")
            try:
                entities = json.loads("{" + raw) if raw else {}
            except ValueError:
                entities = {}
            if not isinstance(entities, dict) or "procedure_case" in entities:
                continue  # "Trường hợp khác: …" leaves the ordinary case the question is about
            procedure = entities.get("procedure")
            if intent == "/inform" and procedure == item.code:
                return button  # "Bạn hỏi về thủ tục nào?": this one
            other_code = isinstance(procedure, str) and PROCEDURE_CODE.fullmatch(procedure) and procedure != item.code
            if intent == "/" + ASPECT_INTENTS[item.aspect] and not other_code:
                return button  # "Ý bạn là: …": the aspect asked (its entity may carry the citizen's words)
    return None


def _actions_after_last_message(tracker: Any) -> list[str]:
    from rasa.shared.core.events import ActionExecuted, UserUttered

    names: list[str] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ActionExecuted) and event.action_name != "action_listen":
            names.append(event.action_name)
    return names[::-1]


async def _all_turns(agent: Any, items: Sequence[Item]) -> list[Turn]:
    return [await _turn(agent, item) for item in items]


def collect_replies(model: Path, items: Sequence[Item], workdir: Path) -> tuple[list[Turn], dict[str, float]]:
    """Ask every item's question (after its context) in its own conversation: one turn per item, and
    the seconds spent starting the services, loading the model and replying."""
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    workdir.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with running_services(workdir) as layout:
        seconds["services"] = time.perf_counter() - started
        quiet_rasa_logs()
        endpoint = EndpointConfig(url=f"{layout.url(layout.actions_port)}/webhook")
        agent = Agent.load(str(model), action_endpoint=endpoint)
        seconds["model_load"] = time.perf_counter() - started - seconds["services"]
        turns = asyncio.run(_all_turns(agent, items))
        seconds["replies"] = time.perf_counter() - started - seconds["services"] - seconds["model_load"]
    return turns, {name: round(value, 1) for name, value in seconds.items()}
