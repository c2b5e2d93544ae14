"""End to end over real HTTP: ``python -m portal init`` then ``python -m portal serve`` as
subprocesses on a free localhost port with a temporary SQLite, called with ``requests`` the way the
action server calls it. Protects the CLI wiring, uvicorn startup and the JSON-lines logs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.portal.dossier_support import REPO_ROOT_DIR, TEST_PII_KEY, TEST_TOKEN

pytest_plugins = ["tests.portal.dossier_fixtures"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def portal_server(tmp_path: Path, small_catalog: Path) -> Iterator[tuple[str, Path, Path]]:
    port = _free_port()
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}",
        "PORTAL_CATALOG_PATH": str(small_catalog),
        "PORTAL_DOSSIER_COUNT": "200",
        "PORTAL_PII_KEY": TEST_PII_KEY,
        "PORTAL_PII_KEY_FILE": str(tmp_path / "pii.key"),
        "PORTAL_SERVICE_TOKEN": TEST_TOKEN,
        "PORTAL_DEMO_DOSSIERS_PATH": str(tmp_path / "demo.json"),
        "PORTAL_HOST": "127.0.0.1",
        "PORTAL_PORT": str(port),
        "PORTAL_LOOKUP_MIN_SECONDS": "0",
    }
    init = subprocess.run(
        [sys.executable, "-m", "portal", "init"],
        env=env,
        cwd=REPO_ROOT_DIR,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert init.returncode == 0, init.stderr[-2000:]
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "portal", "serve"], env=env, cwd=REPO_ROOT_DIR, stdout=log, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                if requests.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "portal did not start"
            time.sleep(0.2)
        yield base, tmp_path / "demo.json", log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_portal_serves_the_api_over_http(portal_server: tuple[str, Path, Path]) -> None:
    """The real server answers search, lookup and errors, and logs JSON lines without IDs."""
    base, demo_path, log_path = portal_server
    auth = {"Authorization": f"Bearer {TEST_TOKEN}"}
    demo = json.loads(demo_path.read_text(encoding="utf-8"))["dossiers"][0]

    assert requests.get(f"{base}/health", timeout=5).json()["status"] == "ok"
    assert requests.get(f"{base}/api/v1/procedures", params={"q": "khai sinh"}, timeout=5).status_code == 401

    found = requests.get(f"{base}/api/v1/procedures", params={"q": "đăng ký khai sinh"}, headers=auth, timeout=5)
    assert found.status_code == 200 and found.json()["items"][0]["code"] == "1.001193"

    missing = requests.get(f"{base}/api/v1/procedures/9.999999", headers=auth, timeout=5)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "procedure_not_found"

    lookup = f"{base}/api/v1/dossiers/lookup"
    ok = requests.post(lookup, json={"code": demo["code"], "factor": demo["id_number"]}, headers=auth, timeout=5)
    assert ok.status_code == 200 and ok.json()["dossier"]["status"] == demo["status"]
    wrong = requests.post(lookup, json={"code": demo["code"], "factor": "000000000000"}, headers=auth, timeout=5)
    assert wrong.status_code == 404 and wrong.json()["error"]["code"] == "dossier_not_found"
    broken = requests.post(lookup, data=b"{not json", headers={**auth, "Content-Type": "application/json"}, timeout=5)
    assert broken.status_code == 422 and broken.json()["error"]["code"] == "malformed_json"

    time.sleep(0.3)  # let the server flush its request logs
    log_lines = [line for line in log_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    requests_logged = [json.loads(line) for line in log_lines if line.startswith("{")]
    assert any(entry.get("route") == "/api/v1/dossiers/lookup" for entry in requests_logged)
    assert demo["id_number"] not in "\n".join(log_lines)
