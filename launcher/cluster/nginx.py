"""The nginx configuration of a cluster, rendered from deploy/nginx.conf.template.

nginx runs unprivileged with its own prefix (pid, logs, temp files) under var/cluster/nginx/, so it
needs neither root nor /etc/nginx; ``nginx -t`` checks the rendered file before the cluster starts.
"""

from __future__ import annotations

import grp
import os
import pwd
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from launcher.stack import REPO_ROOT

TEMPLATE = REPO_ROOT / "deploy" / "nginx.conf.template"


@dataclass(frozen=True)
class NginxLayout:
    """What the template needs: where nginx listens and where the servers behind it are."""

    prefix: Path
    public_port: int
    internal_port: int
    actions_port: int
    rasa_ports: Sequence[int]
    action_ports: Sequence[int]
    web_port: int
    listen_host: str = "127.0.0.1"

    @property
    def conf_file(self) -> Path:
        return self.prefix / "nginx.conf"


def _servers(ports: Sequence[int]) -> str:
    # max_fails=1: the first refused connection takes a dead server out for fail_timeout; nginx then
    # tries it again with one request.
    return "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in ports)


def render(layout: NginxLayout, template: Path = TEMPLATE) -> str:
    """The configuration text; fails loudly when a placeholder is left unfilled."""
    values = {
        "PREFIX": str(layout.prefix),
        "USER": f"{pwd.getpwuid(os.getuid()).pw_name} {grp.getgrgid(os.getgid()).gr_name}",
        "LISTEN_HOST": layout.listen_host,
        "PUBLIC_PORT": str(layout.public_port),
        "INTERNAL_PORT": str(layout.internal_port),
        "ACTIONS_PORT": str(layout.actions_port),
        "RASA_SERVERS": _servers(layout.rasa_ports),
        "ACTION_SERVERS": _servers(layout.action_ports),
        "WEB_SERVER": f"127.0.0.1:{layout.web_port}",
    }
    text = template.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    if "{{" in text:
        raise ValueError(f"{template}: unfilled placeholder near {text[text.index('{{') :][:40]!r}")
    return text


def write_config(layout: NginxLayout) -> Path:
    """Render into the prefix (with its logs/ and tmp/ folders) and return the file."""
    for folder in ("logs", "tmp"):
        (layout.prefix / folder).mkdir(parents=True, exist_ok=True)
    layout.conf_file.write_text(render(layout), encoding="utf-8")
    return layout.conf_file


def nginx_command(nginx: str, layout: NginxLayout, *, test: bool = False) -> list[str]:
    """nginx in the foreground (``daemon off`` in the file) with our prefix and configuration."""
    error_log = layout.prefix / "logs" / "error.log"
    command = [nginx, "-p", str(layout.prefix), "-c", str(layout.conf_file), "-e", str(error_log)]
    return [*command, "-t", "-q"] if test else command


def check_config(nginx: str, layout: NginxLayout) -> None:
    """``nginx -t`` on the rendered file; raises with nginx's own message."""
    result = subprocess.run(nginx_command(nginx, layout, test=True), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ValueError(f"nginx -t failed: {(result.stderr or result.stdout).strip()}")
