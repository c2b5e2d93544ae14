"""Score the assistant's replies against the answer-quality items and write ``reports/answer_quality/``.

``summary.json`` holds every number and every item's result; ``report.md`` is the readable table
(share of facts present overall and per aspect, artefacts, message lengths, worst items).
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.evaluation.answer_facts import ASPECTS, Item, artefacts, contains
from bot.evaluation.answer_run import Turn
from common.quality_gates import ANSWER_GATES

REPORT_DIR = Path(__file__).resolve().parents[2] / "reports" / "answer_quality"
# A reply longer than this does not fit a phone screen (issue 12: ~700 characters a message).
LONG_MESSAGE_CHARS = 700
WORST_SHOWN = 20


def _share(present: int, total: int) -> float:
    return round(present / total, 4) if total else 0.0


def score(items: Sequence[Item], turns: Sequence[Turn]) -> dict[str, Any]:
    """Facts present, artefacts and lengths of ``turns`` (one per item, same order)."""
    results, lengths = [], []
    for item, turn in zip(items, turns, strict=True):
        present = [fact.label for fact in item.facts if contains(turn.reply, fact)]
        missing = [fact.label for fact in item.facts if not contains(turn.reply, fact)]
        texts = [(m["text"], bool(m.get("buttons"))) for m in turn.messages if m.get("text")]
        found = [f"message {n + 1}: {a}" for n, (text, buttons) in enumerate(texts) for a in artefacts(text, buttons)]
        lengths += [len(text) for text in turn.texts]
        results.append(
            {
                "id": item.id,
                "code": item.code,
                "aspect": item.aspect,
                "question": item.question,
                "intent": turn.intent,
                "confidence": round(turn.confidence, 3),
                "actions": turn.actions,
                "choices": turn.choices,
                "facts": len(item.facts),
                "present": present,
                "missing": missing,
                "artefacts": found,
                "reply": turn.reply,
                "buttons": [b.get("title", "") for m in turn.messages for b in m.get("buttons") or []],
            }
        )
    total = sum(r["facts"] for r in results)
    found_total = sum(len(r["present"]) for r in results)
    per_aspect = {}
    for aspect in ASPECTS:
        chosen = [r for r in results if r["aspect"] == aspect]
        if chosen:
            facts = sum(r["facts"] for r in chosen)
            present = sum(len(r["present"]) for r in chosen)
            per_aspect[aspect] = {
                "items": len(chosen),
                "facts": facts,
                "present": present,
                "share": _share(present, facts),
            }
    worst = sorted(results, key=lambda r: (len(r["present"]) / r["facts"], -len(r["artefacts"]), r["id"]))
    return {
        "items": len(results),
        "procedures": len({r["code"] for r in results}),
        "facts": total,
        "facts_present": found_total,
        "fact_share": _share(found_total, total),
        "items_complete": sum(1 for r in results if not r["missing"]),
        "items_answered_after_a_choice": sum(1 for r in results if r["choices"]),
        "per_aspect": per_aspect,
        "artefacts": sum(len(r["artefacts"]) for r in results),
        "items_with_artefacts": sum(1 for r in results if r["artefacts"]),
        "length": {
            "messages": len(lengths),
            "median_chars": statistics.median(lengths) if lengths else 0,
            "max_chars": max(lengths, default=0),
            f"over_{LONG_MESSAGE_CHARS}": sum(1 for n in lengths if n > LONG_MESSAGE_CHARS),
        },
        "gate": ANSWER_GATES,
        "worst": [r["id"] for r in worst[:WORST_SHOWN] if r["missing"] or r["artefacts"]],
        "results": results,
    }


def gate_failures(summary: dict[str, Any]) -> list[str]:
    """Why the replies miss the quality gate of ``make test`` (empty when they pass); the thresholds
    are :data:`common.quality_gates.ANSWER_GATES`, one table with the NLU gate."""
    failures = []
    if summary["fact_share"] < ANSWER_GATES["min_fact_share"]:
        failures.append(
            f"facts present {summary['fact_share']:.2%} < {ANSWER_GATES['min_fact_share']:.0%} "
            f"({summary['facts_present']}/{summary['facts']})"
        )
    if summary["artefacts"] > ANSWER_GATES["max_artefacts"]:
        failures.append(f"{summary['artefacts']} template artefacts in {summary['items_with_artefacts']} items")
    return failures


def failing_items(summary: dict[str, Any], limit: int = 40) -> list[str]:
    """One line per item with a missing fact or an artefact, worst first."""
    by_id = {r["id"]: r for r in summary["results"]}
    ordered = sorted(by_id.values(), key=lambda r: (len(r["present"]) / r["facts"], -len(r["artefacts"]), r["id"]))
    lines = []
    for r in ordered:
        if not (r["missing"] or r["artefacts"]):
            continue
        problems = [f"missing «{m}»" for m in r["missing"]] + r["artefacts"][:3]
        lines.append(f"{r['id']} ({r['code']}, {r['aspect']}, intent {r['intent'] or '-'}): {'; '.join(problems)}")
    return lines[:limit] + ([f"… and {len(lines) - limit} more"] if len(lines) > limit else [])


def summary_lines(summary: dict[str, Any]) -> list[str]:
    """The few lines ``make evaluate`` prints."""
    length = summary["length"]
    aspects = ", ".join(f"{a} {v['share']:.0%}" for a, v in summary["per_aspect"].items())
    return [
        f"answer quality: facts present {summary['fact_share']:.2%} ({summary['facts_present']}/{summary['facts']}) "
        f"over {summary['items']} questions, {summary['procedures']} procedures",
        f"  per aspect: {aspects}",
        f"  template artefacts: {summary['artefacts']} in {summary['items_with_artefacts']} items; "
        f"{summary['items_answered_after_a_choice']} questions answered after tapping a choice button",
        f"  message length: median {length['median_chars']:.0f}, max {length['max_chars']} characters, "
        f"{length[f'over_{LONG_MESSAGE_CHARS}']} of {length['messages']} over {LONG_MESSAGE_CHARS}",
    ]


def _cell(text: str, limit: int = 200) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def write_report(summary: dict[str, Any], out_dir: Path = REPORT_DIR) -> Path:
    """Write summary.json and report.md into ``out_dir``; return the markdown path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    lines = ["# Answer quality", "", *(f"    {line}" for line in summary_lines(summary)), ""]
    failures = gate_failures(summary)
    lines += [f"Gate (make test): {'FAILED — ' + '; '.join(failures) if failures else 'passed'}", ""]
    lines += ["| aspect | items | facts | present | share |", "|---|---:|---:|---:|---:|"]
    for aspect, v in summary["per_aspect"].items():
        lines.append(f"| {aspect} | {v['items']} | {v['facts']} | {v['present']} | {v['share']:.1%} |")
    total = f"{summary['facts']} | {summary['facts_present']} | {summary['fact_share']:.1%}"
    lines.append(f"| **all** | {summary['items']} | {total} |")
    by_id = {r["id"]: r for r in summary["results"]}
    lines += [
        "",
        "## Worst items",
        "",
        "| item | code | intent | missing facts | artefacts | reply |",
        "|---|---|---|---|---|---|",
    ]
    for item_id in summary["worst"]:
        r = by_id[item_id]
        lines.append(
            f"| {r['id']}<br>{_cell(r['question'], 80)} | {r['code']} | {r['intent']} | "
            f"{_cell('; '.join(r['missing']))} | {_cell('; '.join(r['artefacts']))} | {_cell(r['reply'], 300)} |"
        )
    path = out_dir / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
