"""What a training run trains on: the published FAQs and the exported review corrections.

Before ``rasa train`` the console writes both into the project it trains (``data/nlu/faq.yml`` +
``faq_responses.yml`` from the published FAQs, ``data/nlu/corrections.yml`` from the corrections),
so no CLI step is needed between a staff edit and a model. Neither export may leak a test set:
examples of the held-out set, its unaccented copy and the blind set are left out of both.

``faq.yml`` is a source of the generated variants and lookups (``make nlu-data``), so when an FAQ
export changes it the derived files are regenerated with the project's own scripts, and
``make test`` (which checks they are reproducible) stays green. ``corrections.yml`` is not a source
of derived files (scripts/generate_nlu_variants.py ``CONSOLE_MANAGED``), so exporting it needs nothing more.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlalchemy.orm import Session

from console.services import faq_io, review_export
from console.settings import ConsoleSettings

# `make nlu-data` without the held-out copy (the test set does not change here); order matters:
# the lookups leave out synonyms the (regenerated) training data already maps.
REGENERATE = (("scripts/generate_nlu_variants.py",), ("scripts/generate_nlu_lookups.py",))
REGENERATE_TIMEOUT_SECONDS = 600


class PreparationError(RuntimeError):
    """The training data could not be brought up to date (message in Vietnamese)."""


@dataclass
class Preparation:
    """What was written before training (kept in the run's log)."""

    faqs: int = 0
    faq_files_changed: list[str] = field(default_factory=list)
    corrections: review_export.ExportReport | None = None
    regenerated: bool = False

    def summary(self) -> str:
        corrections = self.corrections.written if self.corrections else 0
        left_out = len(self.corrections.held_out) if self.corrections else 0
        files = ", ".join(self.faq_files_changed) or "không"
        return (
            f"Câu hỏi thường gặp đã công bố: {self.faqs} (tệp thay đổi: {files}); "
            f"nhãn đã sửa đưa vào huấn luyện: {corrections} (bỏ qua {left_out} câu trùng bộ kiểm thử); "
            f"dữ liệu sinh tự động {'đã tạo lại' if self.regenerated else 'không cần tạo lại'}."
        )


def screened_sets(settings: ConsoleSettings) -> list[Path]:
    """The test sets no training example may come from: held-out, its unaccented copy, blind."""
    return [settings.test_nlu_path, settings.test_nlu_unaccented_path, settings.blind_nlu_path]


def feeds_derived_files(settings: ConsoleSettings) -> bool:
    """Whether the FAQ file the console writes is the one the project's generators read."""
    return settings.faq_nlu_path.resolve() == (settings.project_dir / "data" / "nlu" / "faq.yml").resolve()


def regenerate_derived(project_dir: Path, log: IO[str] | None) -> bool:
    """Run the project's generators (variants, lookups) when it has them; False when it has none.
    Their output goes to ``log`` (a real file), or to this process's output when None."""
    scripts = [project_dir / step[0] for step in REGENERATE]
    if not all(script.is_file() for script in scripts):
        return False
    for script in scripts:
        if log is not None:
            log.write(f"$ python {script.relative_to(project_dir)}\n")
            log.flush()
        try:
            done = subprocess.run(
                [sys.executable, str(script)],
                cwd=project_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=REGENERATE_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise PreparationError("Tạo lại dữ liệu sinh tự động quá lâu và đã bị dừng.") from exc
        if done.returncode != 0:
            reason = f"{script.name}, mã lỗi {done.returncode}"
            raise PreparationError(f"Không tạo lại được dữ liệu sinh tự động ({reason}).")
    return True


def prepare(session: Session, settings: ConsoleSettings, log: IO[str]) -> Preparation:
    """Export the published FAQs and the corrections into the trained project, then regenerate
    the derived files if the FAQ export changed anything. Audited as ``review.export`` (system)."""
    held_out = screened_sets(settings)
    result = Preparation()
    result.faqs, changed = faq_io.export_faqs(session, settings.faq_nlu_path, settings.faq_responses_path, held_out)
    result.faq_files_changed = [path.name for path in changed]
    result.corrections = review_export.export_corrections(
        session, settings.corrections_path, settings.project_dir / "data", held_out, None
    )
    if settings.faq_nlu_path in changed and feeds_derived_files(settings):
        result.regenerated = regenerate_derived(settings.project_dir, log)
    log.write(result.summary() + "\n")
    log.flush()
    return result
