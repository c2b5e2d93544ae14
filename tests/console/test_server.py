"""The real console server (``python -m console serve``) on a free port: sign-in and FAQ creation
over HTTP with a cookie and the CSRF token, as a browser would do it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from console.settings import REPO_ROOT
from launcher.processes import free_port

PASSWORD = "mật khẩu máy chủ thật dài"
TOKEN = "server-test-token"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "CONSOLE_DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}",
        "CONSOLE_PORT": str(port),
        "CONSOLE_SERVICE_TOKEN": TOKEN,
        "CONSOLE_ADMIN_PASSWORD": PASSWORD,
        "CONSOLE_FAQ_NLU_PATH": str(tmp_path / "none.yml"),
    }
    for command in (["init"], ["create-admin", "--username", "admin"]):
        done = subprocess.run(
            [sys.executable, "-m", "console", *command],
            env=env,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "console", "serve"], env=env, cwd=REPO_ROOT, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "console did not become healthy"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_login_and_create_faq_over_http(server: str) -> None:
    """Sign-in, CSRF refusal, FAQ creation, publication and matching against the real server process."""
    browser = requests.Session()
    login_page = browser.get(f"{server}/login", timeout=5)
    token = CSRF_RE.search(login_page.text).group(1)
    signed_in = browser.post(
        f"{server}/login",
        data={"username": "admin", "password": PASSWORD, "csrf_token": token, "next": "/faqs"},
        timeout=10,
    )
    assert signed_in.status_code == 200 and signed_in.url.endswith("/faqs")
    assert "console_session" in browser.cookies
    csrf = CSRF_RE.search(browser.get(f"{server}/faqs/new", timeout=5).text).group(1)
    form = {
        "csrf_token": csrf,
        "title": "Giờ tiếp dân",
        "questions": "mấy giờ tiếp dân\ngio tiep dan",
        "answer": "Sáng thứ Năm hằng tuần.",
        "action": "save",
    }
    refused = browser.post(f"{server}/faqs/new", data={**form, "csrf_token": "wrong"}, timeout=10)
    assert refused.status_code == 403
    created = browser.post(f"{server}/faqs/new", data=form, timeout=10)
    assert created.status_code == 200 and created.url.endswith("/faqs/gio_tiep_dan?notice=created")
    browser.post(f"{server}/faqs/gio_tiep_dan/publish", data={"csrf_token": csrf}, timeout=10)
    api = requests.get(
        f"{server}/api/v1/faqs/match",
        params={"q": "may gio tiep dan"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert api.json()["results"][0]["key"] == "gio_tiep_dan"
