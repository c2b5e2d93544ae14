"""Write ``reports/nlu/``: summary.json, report.md, comparison.md, confusion matrices, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.evaluation.metrics import gate_failures
from common.quality_gates import GATES

REPORT_DIR = Path(__file__).resolve().parents[2] / "reports" / "nlu"


def plot_confusion(summary: dict[str, Any], path: Path, title: str) -> None:
    """Confusion matrix PNG (rows: target intent, columns: predicted), counts in the cells."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels, matrix = summary["confusion"]["labels"], summary["confusion"]["matrix"]
    size = max(6.0, 0.45 * len(labels))
    fig, ax = plt.subplots(figsize=(size + 1.5, size))
    image = ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("target")
    ax.set_title(title)
    peak = max((max(row) for row in matrix), default=0)
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            if count:
                color = "white" if count > peak / 2 else "black"
                ax.text(j, i, str(count), ha="center", va="center", fontsize=7, color=color)
    fig.colorbar(image, ax=ax, fraction=0.03)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _intent_table(summary: dict[str, Any]) -> list[str]:
    lines = ["| intent | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for label, scores in summary["intent"]["per_intent"].items():
        lines.append(
            f"| {label} | {scores['precision']:.3f} | {scores['recall']:.3f} "
            f"| {scores['f1-score']:.3f} | {scores['support']} |"
        )
    return lines


def _entity_table(summary: dict[str, Any]) -> list[str]:
    lines = [
        "| entity | support | token P | token R | token F1 | exact-span F1 | value accuracy |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, scores in summary["entities"].items():
        token = scores["token"]
        lines.append(
            f"| {name} | {scores['support']} | {token['precision']:.3f} | {token['recall']:.3f} | {token['f1']:.3f} "
            f"| {scores['span']['f1']:.3f} | {scores['value_accuracy']:.3f} |"
        )
    return lines


def _errors_table(summary: dict[str, Any]) -> list[str]:
    lines = ["| confidence | target | predicted | text |", "|---|---|---|---|"]
    for error in summary["worst_errors"]:
        text = error["text"].replace("|", "\\|")
        lines.append(f"| {error['confidence']:.3f} | {error['intent']} | {error['predicted']} | {text} |")
    return lines


def model_report(name: str, summaries: dict[str, dict[str, Any]], meta: dict[str, Any]) -> str:
    """Markdown report of one model on every held-out file."""
    lines = [f"# NLU evaluation: {name}", "", f"model: `{meta.get('model')}`", ""]
    for file_name, summary in summaries.items():
        intent, selection = summary["intent"], summary["response_selection"]
        lines += [
            f"## {file_name} ({summary['examples']} utterances)",
            "",
            f"intent accuracy {intent['accuracy']:.3f}, macro-F1 **{intent['macro_f1']:.3f}**, "
            f"weighted F1 {intent['weighted_f1']:.3f}; FAQ ResponseSelector accuracy "
            f"{selection.get('accuracy', 0):.3f} on {selection.get('support', 0)} FAQ utterances.",
            "",
            f"![confusion matrix](confusion_{name}_{file_name}.png)",
            "",
            *_intent_table(summary),
            "",
            "Entities (token-level as `rasa test nlu`; exact span = type, start and end all right):",
            "",
            *_entity_table(summary),
            "",
            "Worst errors (misclassified, most confident first):",
            "",
            *_errors_table(summary),
            "",
        ]
    return "\n".join(lines)


def comparison_report(results: dict[str, dict[str, Any]]) -> str:
    """Side-by-side markdown of every model (ours first) on every held-out file."""
    models = list(results)
    files = list(next(iter(results.values()))["files"])
    lines = ["# NLU: our pipeline vs Rasa's default pipeline", ""]
    lines += [
        "Same training data, epochs, DIET size and seed; the default pipeline is WhitespaceTokenizer, "
        "RegexFeaturizer, LexicalSyntacticFeaturizer, CountVectors (words, char_wb 1-4), DIET, "
        "EntitySynonymMapper, ResponseSelector.",
        "",
        "| metric | " + " | ".join(models) + " |",
        "|---|" + "---|" * len(models),
    ]
    rows: list[tuple[str, list[str]]] = []
    for file_name in files:
        rows.append((f"{file_name}: intent macro-F1", []))
        rows.append((f"{file_name}: intent accuracy", []))
        rows.append((f"{file_name}: FAQ response accuracy", []))
        entity_names = sorted({e for m in models for e in results[m]["files"][file_name]["entities"]})
        for entity in entity_names:
            rows.append((f"{file_name}: {entity} F1 (token / exact span)", []))
        for model in models:
            summary = results[model]["files"][file_name]
            rows[-3 - len(entity_names)][1].append(f"{summary['intent']['macro_f1']:.3f}")
            rows[-2 - len(entity_names)][1].append(f"{summary['intent']['accuracy']:.3f}")
            rows[-1 - len(entity_names)][1].append(f"{summary['response_selection'].get('accuracy', 0):.3f}")
            for offset, entity in enumerate(entity_names):
                scores = summary["entities"].get(entity)
                cell = f"{scores['token']['f1']:.3f} / {scores['span']['f1']:.3f}" if scores else "-"
                rows[len(rows) - len(entity_names) + offset][1].append(cell)
    for model in models:
        meta = results[model]["meta"]
        for key, label in (("training_seconds", "training time (s)"), ("parse_ms_mean", "parse latency (ms, mean)")):
            row = next((r for r in rows if r[0] == label), None)
            if row is None:
                row = (label, [])
                rows.append(row)
            value = meta.get(key)
            row[1].append("-" if value is None else f"{value:.1f}")
    lines += [f"| {name} | " + " | ".join(cells) + " |" for name, cells in rows]
    return "\n".join(lines) + "\n"


def write_reports(results: dict[str, dict[str, Any]], out_dir: Path = REPORT_DIR) -> Path:
    """Write every report file; returns the path of summary.json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = {"gates": GATES, "models": {}}
    for model, result in results.items():
        files = result["files"]
        for file_name, file_summary in files.items():
            plot_confusion(file_summary, out_dir / f"confusion_{model}_{file_name}.png", f"{model}: {file_name}")
        (out_dir / f"report_{model}.md").write_text(model_report(model, files, result["meta"]), encoding="utf-8")
        (out_dir / f"errors_{model}.json").write_text(
            json.dumps({f: s["worst_errors"] for f, s in files.items()}, ensure_ascii=False, indent=2),
            encoding="utf-8",
        )
        summary["models"][model] = {
            "meta": result["meta"],
            "gate_failures": gate_failures(files),
            "files": {
                file_name: {key: value for key, value in s.items() if key not in ("confusion",)}
                for file_name, s in files.items()
            },
        }
    (out_dir / "comparison.md").write_text(comparison_report(results), encoding="utf-8")
    path = out_dir / "summary.json"
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
