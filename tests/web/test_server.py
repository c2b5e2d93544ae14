"""Tests for web/server.py: the page, its injected config, health, 404s and security headers."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from web.server import config_json, normalize_rasa_url

REPO = Path(__file__).resolve().parents[2]
CONFIG_RE = re.compile(r'<script type="application/json" id="chat-config">(.*?)</script>', re.S)


def fetch(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def injected_config(html: str) -> dict:
    match = CONFIG_RE.search(html)
    assert match, "the page must carry the chat config block"
    return json.loads(match.group(1))


def test_index_is_served_with_the_rasa_url_injected(make_web_server):
    """GET / returns the Vietnamese page with the configured Rasa URL as JSON data."""
    base = make_web_server("http://127.0.0.1:5005/")
    status, headers, body = fetch(base + "/")
    html = body.decode("utf-8")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<html lang="vi">' in html
    assert "Cổng Dịch vụ công" in html
    assert "{{CHAT_CONFIG_JSON}}" not in html
    assert injected_config(html) == {"rasaUrl": "http://127.0.0.1:5005"}
    assert fetch(base + "/index.html")[2] == body


def test_injected_config_cannot_break_out_of_its_script_element(make_web_server):
    """Characters that could close the <script> element are JSON-escaped, yet decode to the same URL."""
    base = make_web_server("https://bot.example.vn/rasa&v=1")
    html = fetch(base + "/")[2].decode("utf-8")
    block = CONFIG_RE.search(html).group(1)
    assert "&" not in block and "\\u0026" in block
    assert injected_config(html) == {"rasaUrl": "https://bot.example.vn/rasa&v=1"}

    hostile = config_json("http://x/</script><script>alert(1)</script>\u2028")
    assert "<" not in hostile and ">" not in hostile and "\u2028" not in hostile
    assert json.loads(hostile)["rasaUrl"] == "http://x/</script><script>alert(1)</script>\u2028"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://127.0.0.1:5005",
        "http://evil.example; script-src *",
        "http://host name:5005",
        "http://127.0.0.1:5005/?x=1",
        "http://user:pw@127.0.0.1:5005",
        "http://127.0.0.1:5005/a'b",
        "127.0.0.1:5005",
    ],
)
def test_odd_rasa_urls_are_rejected(url):
    """Only plain http(s)://host[:port][/path] may reach the CSP header and the page."""
    with pytest.raises(ValueError):
        normalize_rasa_url(url)


def test_health(make_web_server):
    """GET /health answers 200 with a small JSON body for probes."""
    status, headers, body = fetch(make_web_server() + "/health")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"status": "ok"}


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/static/chat.js", "text/javascript; charset=utf-8"),
        ("/static/chat.css", "text/css; charset=utf-8"),
        ("/static/site.css", "text/css; charset=utf-8"),
        ("/static/favicon.svg", "image/svg+xml"),
    ],
)
def test_static_assets_are_served_with_their_types(make_web_server, path, content_type):
    """The widget's files are served from web/static with explicit content types (nosniff needs them)."""
    status, headers, body = fetch(make_web_server() + path)
    assert status == 200
    assert headers["Content-Type"] == content_type
    assert body == (REPO / "web" / path.lstrip("/")).read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "/nope",
        "/static/missing.js",
        "/static/index.html",
        "/static/../server.py",
        "/static/%2e%2e/server.py",
        "/web/server.py",
        "/static/",
        "//etc/passwd",
    ],
)
def test_unknown_paths_are_404(make_web_server, path):
    """Anything but the page, /health and known static files is a 404, including traversal attempts."""
    status, headers, body = fetch(make_web_server() + path)
    assert status == 404
    assert "Không tìm thấy" in body.decode("utf-8")
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_security_headers(make_web_server):
    """The CSP lets the page talk to the Rasa origin only, and forbids inline scripts and framing."""
    _, headers, _ = fetch(make_web_server("http://10.0.0.5:5005/rasa/") + "/")
    csp = {d.split()[0]: d.split()[1:] for d in headers["Content-Security-Policy"].split("; ")}
    assert csp["connect-src"] == ["'self'", "http://10.0.0.5:5005"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-cache"
    assert "Python" not in headers["Server"]


def test_head_and_unsupported_methods(make_web_server):
    """HEAD mirrors GET without a body; POST and friends are refused with 405."""
    base = make_web_server()
    status, headers, body = fetch(base + "/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000
    for method in ("POST", "PUT", "DELETE"):
        assert fetch(base + "/", method=method)[0] == 405


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_module(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "web.server", *args],
        cwd=REPO,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_healthy(base: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read()
        try:
            if fetch(base + "/health")[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("web.server did not become healthy")


@pytest.mark.parametrize("use_flags", [False, True], ids=["env", "flags"])
def test_command_line_and_environment(use_flags):
    """`python -m web.server` honours WEB_HOST/WEB_PORT/RASA_PUBLIC_URL, and flags override them."""
    port = free_port()
    env = {"WEB_HOST": "127.0.0.1", "WEB_PORT": str(port), "RASA_PUBLIC_URL": "http://127.0.0.1:5999"}
    args = []
    if use_flags:
        port = free_port()
        args = ["--host", "127.0.0.1", "--port", str(port), "--rasa-url", "https://rasa.example.vn"]
    proc = run_module(args, env)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, proc)
        config = injected_config(fetch(base + "/")[2].decode("utf-8"))
        assert config["rasaUrl"] == ("https://rasa.example.vn" if use_flags else "http://127.0.0.1:5999")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_command_line_refuses_a_bad_rasa_url():
    """A bad --rasa-url stops the server at start with a readable message instead of serving a broken page."""
    proc = run_module(["--port", str(free_port()), "--rasa-url", "javascript:alert(1)"], {})
    output, _ = proc.communicate(timeout=15)
    assert proc.returncode != 0
    assert "Rasa URL must start with http" in output
