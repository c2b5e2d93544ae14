"""Browser: a trainer trains a (tiny) model, follows its progress, reads its scores and activates
it into a running Rasa server, end to end with no fake in between."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from launcher.processes import free_port, stop
from tests.console.browser.conftest import playwright_api, screenshot, sign_in
from tests.console.conftest import make_settings
from tests.console.training_support import TINY_GATES, copy_as, start_rasa, write_tiny_project

expect = playwright_api.expect
RASA_TOKEN = "console-browser-training-token"


@pytest.fixture
def settings(tmp_path: Path):
    project = write_tiny_project(tmp_path / "project")
    return make_settings(
        tmp_path,
        project_dir=project,
        models_dir=tmp_path / "models" / "console",
        test_nlu_path=project / "test_nlu.yml",
        test_nlu_unaccented_path=project / "test_nlu.yml",
        rasa_url=f"http://127.0.0.1:{free_port()}",
        rasa_token=RASA_TOKEN,
        quality_gates=TINY_GATES,
    )


@pytest.mark.slow
def test_training_run_is_followed_and_activated_end_to_end(live_console, users, browser_page, settings, tmp_path):
    """Start a run from the training page, watch the polled progress until the page shows the
    held-out scores and a passed quality gate, then activate: the running Rasa server reports the
    new model file, and the model history lists it as live."""
    page = browser_page
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_console, users["trainer"], next_path="/training")
    expect(page.locator("#quality-gate li")).to_have_count(2)  # accented and unaccented intent macro-F1
    expect(page.locator("#quality-gate")).to_contain_text("≥ 0.50")
    expect(page.locator("#runs-empty")).to_be_visible()
    page.get_by_role("button", name="Bắt đầu huấn luyện").click()
    expect(page.get_by_role("heading", name="Lần huấn luyện #1")).to_be_visible()
    expect(page.locator("#run-phase")).to_contain_text("giây", timeout=15_000)
    expect(page.locator("#run-status")).to_have_text("Hoàn tất", timeout=180_000)
    expect(page.locator("#gate-result")).to_contain_text("đạt mọi ngưỡng, có thể kích hoạt")
    expect(page.locator("#comparison-table")).to_contain_text("check_dossier_status")
    screenshot(page, "console-training-run")

    model = Path(next((settings.models_dir / "run-1").glob("*.tar.gz")))
    port = int(settings.rasa_url.rsplit(":", 1)[1])
    rasa = start_rasa(copy_as(model, "previous-model.tar.gz"), tmp_path, RASA_TOKEN, port)
    try:
        page.get_by_role("button", name="Kích hoạt mô hình").click()
        expect(page.locator("#notice")).to_contain_text("Đã kích hoạt", timeout=120_000)
        status = httpx.get(f"{settings.rasa_url}/status", params={"token": RASA_TOKEN}, timeout=10).json()
        assert status["model_file"] == model.name
        page.get_by_role("link", name="← Huấn luyện mô hình").click()
        expect(page.locator("#live-model")).to_contain_text(model.name)
        expect(page.locator("#history-table")).to_contain_text("Đang chạy")
        screenshot(page, "console-training-history")
    finally:
        stop([rasa])
