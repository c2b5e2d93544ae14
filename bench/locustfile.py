"""Locust users for the load benchmark: each user is one citizen holding one conversation through
the REST channel (``POST /webhooks/rest/webhook``), one message after the other with no think time,
and then leaves. When every user has finished, the run stops itself.

Run by :mod:`bench.load` as ``python -m locust -f bench/locustfile.py --headless ...`` in its own
process (Locust patches the standard library with gevent, which the bench process must not get).
Settings come from the environment:

``BENCH_SCRIPT``      ``mixed`` (varied citizen traffic) or ``repeat`` (one 10-turn round repeated)
``BENCH_TURNS``       messages per conversation
``BENCH_USERS``       conversations in the run (the ``-u`` given to Locust)
``BENCH_DOSSIERS``    JSON file of seeded dossiers (``PORTAL_DEMO_DOSSIERS_PATH``), optional
``BENCH_OUT``         where every turn is written as JSON: conversation, sender, turn, message, ms,
                      error (the fault campaign checks the trackers against what was answered)
``BENCH_RASA_PID``    the Rasa server's pid (same machine): each turn also records the CPU time
                      the server spent meanwhile (meaningful with one conversation at a time)
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import gevent
from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

from bench.procstat import cpu_seconds
from bench.traffic import Dossier, mixed_conversation, repeating_conversation
from common.conversation import SERVICE_UNAVAILABLE_TEXT

SCRIPT = os.environ.get("BENCH_SCRIPT", "mixed")
TURNS = int(os.environ.get("BENCH_TURNS", "20"))
USERS = int(os.environ.get("BENCH_USERS", "1"))
OUT = Path(os.environ.get("BENCH_OUT", "load-turns.json"))
RASA_PID = int(os.environ.get("BENCH_RASA_PID") or 0)

_turns: list[dict[str, Any]] = []
_state = {"started": 0, "finished": 0}


def _dossiers() -> list[Dossier]:
    path = os.environ.get("BENCH_DOSSIERS")
    if not path or not Path(path).is_file():
        return []
    items = json.loads(Path(path).read_text(encoding="utf-8"))["dossiers"]
    return [Dossier(item["code"], item["id_number"]) for item in items if item.get("id_number")]


DOSSIERS = _dossiers()


class Citizen(FastHttpUser):
    """One conversation of :data:`TURNS` messages, then the user stops."""

    wait_time = constant(0)

    @task
    def converse(self) -> None:
        index = _state["started"]
        _state["started"] += 1
        sender = uuid.uuid4().hex
        if SCRIPT == "repeat":
            messages = repeating_conversation(TURNS, DOSSIERS[index % len(DOSSIERS)] if DOSSIERS else None)
        else:
            messages = mixed_conversation(TURNS, DOSSIERS, seed=index)
        for turn, message in enumerate(messages, start=1):
            self._say(index, turn, sender, message)
        _state["finished"] += 1
        if _state["finished"] >= USERS:  # the last conversation ends the run
            gevent.spawn_later(0.1, self.environment.runner.quit)
        raise StopUser()

    def _say(self, conversation: int, turn: int, sender: str, message: str) -> None:
        began = time.time()
        cpu_before = cpu_seconds(RASA_PID) if RASA_PID else None
        error, apology = None, False
        with self.client.post(
            "/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            name="turn",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                error = f"HTTP {response.status_code}"
            else:
                try:
                    replies = response.json()
                except ValueError:
                    replies = None
                if not isinstance(replies, list) or not replies:  # a citizen always gets an answer
                    error = "empty reply"
                else:  # answered, but only with "please resend" (the action server was unreachable)
                    apology = any(isinstance(r, dict) and r.get("text") == SERVICE_UNAVAILABLE_TEXT for r in replies)
            if error:
                response.failure(error)
        _turns.append(
            {
                "conversation": conversation,
                "sender": sender,
                "turn": turn,
                "message": message,
                "began": began,
                "ms": (time.time() - began) * 1000.0,
                "rasa_cpu_ms": None if cpu_before is None else (cpu_seconds(RASA_PID) - cpu_before) * 1000.0,
                "error": error,
                "apology": apology,
            }
        )


@events.quitting.add_listener
def _write_turns(environment: Any, **_kwargs: Any) -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"users": USERS, "turns": _turns}), encoding="utf-8")
