"""The short fault campaign of ``make test`` (the full one is ``python -m bench --only faults``):
conversations under load while the portal, then the staff console, is down, then while the action
server restarts. Every citizen still gets an answer (an apology and what to do, not silence or an
error); the numbers are printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.faults import FaultStack, run_scenarios
from launcher.processes import RunningProcess
from launcher.stack import StackLayout

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def test_citizens_are_answered_while_the_portal_the_console_or_the_actions_are_down(
    running_stack: tuple[StackLayout, list[RunningProcess]], tmp_path: Path
) -> None:
    """3 concurrent conversations of 6 turns per fault; afterwards the stack is whole again. While
    the action server restarts, the turns it misses are answered with the "please resend" apology."""
    layout, processes = running_stack
    stack = FaultStack(layout, processes)
    results = run_scenarios(
        stack, ("portal_down", "console_down", "actions_restart"), users=3, turns=6, workdir=tmp_path
    )
    print(json.dumps(results, indent=2, ensure_ascii=False))
    for name, result in results.items():
        assert result["turns"] == 18, name
        assert result["errors"] == 0, (name, result["error_kinds"])
    assert all(process.alive() for process in processes)
