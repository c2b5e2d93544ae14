"""The model fingerprint (common/model_inputs.py) covers everything that changes what a model learns,
so ``make train``/``make run`` retrain exactly when they must."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from common.model_inputs import MODEL_INPUTS, REPO_ROOT, fingerprint, train_command
from tests.imports import imported_modules, module_file


def _project_copy(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for name in MODEL_INPUTS:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    return root


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_changed_data_file_changes_the_fingerprint_a_touched_one_does_not(tmp_path: Path) -> None:
    """Touching a file keeps the fingerprint (no retraining); changing one byte of a data file gives a
    new one (a new model is trained)."""
    root = _project_copy(tmp_path)
    before = fingerprint(root)
    rules = root / "data" / "rules.yml"
    rules.touch()
    assert fingerprint(root) == before
    _append(rules, "\n# changed\n")
    assert fingerprint(root) != before


@pytest.mark.parametrize("helper", ["common/text/normalize.py", "common/text/patterns.py", "common/text/lexicon.yml"])
def test_a_changed_text_helper_changes_the_fingerprint(tmp_path: Path, helper: str) -> None:
    """The tokenizer's helpers moved to the shared package (normalisation, protected patterns,
    teencode lexicon) still shape the model: changing one retrains."""
    root = _project_copy(tmp_path)
    before = fingerprint(root)
    _append(root / helper, "\n# changed\n")
    assert fingerprint(root) != before


def test_the_nlu_components_import_nothing_outside_the_model_inputs() -> None:
    """Every first-party module the pipeline of config.yml loads, directly or through its imports,
    lies under one of MODEL_INPUTS: moving a helper elsewhere would otherwise let a changed helper
    keep a stale model. (The handoff policy is not trainable: its code runs at prediction time.)"""
    pipeline = yaml.safe_load((REPO_ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    pending = [component["name"] for component in pipeline if "." in component["name"]]
    assert pending, "config.yml names no component of ours"
    seen: set[Path] = set()
    outside = []
    while pending:
        path = module_file(pending.pop())
        assert path is not None
        if path in seen:
            continue
        seen.add(path)
        relative = path.relative_to(REPO_ROOT).as_posix()
        if not any(relative == name or relative.startswith(name + "/") for name in MODEL_INPUTS):
            outside.append(relative)
        pending += [name for _, name in imported_modules(path)]
    assert outside == []


def test_one_rasa_train_command_for_the_full_model_and_the_nlu_only_comparison(tmp_path: Path) -> None:
    """make train, the console's training runs and the default-pipeline comparison all build their
    ``rasa train`` command here: project domain and data, the output folder and the model's name."""
    full = train_command(tmp_path, "assistant-abc-r3")
    assert full[1:4] == ["-m", "rasa", "train"] and full[4] == "--config"
    assert full[full.index("--data") + 1] == "data" and full[full.index("--domain") + 1] == "domain.yml"
    assert full[full.index("--out") + 1] == str(tmp_path)
    assert full[full.index("--fixed-model-name") + 1] == "assistant-abc-r3" and "--force" not in full
    nlu = train_command(tmp_path, "default-x", config=tmp_path / "c.yml", nlu_only=True, force=True)
    assert nlu[3:5] == ["train", "nlu"] and nlu[nlu.index("--config") + 1] == str(tmp_path / "c.yml")
    assert nlu[nlu.index("--nlu") + 1] == "data/nlu" and "--domain" not in nlu and nlu[-1] == "--force"
