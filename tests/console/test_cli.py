"""``python -m console``: init seeds FAQs once; create-admin never accepts a weak or default password."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from console.cli import main
from console.db import create_schema, make_engine, session_factory, session_scope
from console.models import AuditEntry
from console.services import accounts
from console.services import faqs as faq_service
from console.settings import REPO_ROOT
from tests.console.test_faq_io import NLU, RESPONSES


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """CONSOLE_* variables pointing at a temporary database and Rasa files."""
    (tmp_path / "nlu").mkdir()
    (tmp_path / "nlu" / "faq.yml").write_text(NLU, encoding="utf-8")
    (tmp_path / "nlu" / "faq_responses.yml").write_text(RESPONSES, encoding="utf-8")
    monkeypatch.setenv("CONSOLE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("CONSOLE_FAQ_NLU_PATH", str(tmp_path / "nlu" / "faq.yml"))
    monkeypatch.setenv("CONSOLE_FAQ_RESPONSES_PATH", str(tmp_path / "nlu" / "faq_responses.yml"))
    monkeypatch.setenv("CONSOLE_DOMAIN_PATH", str(tmp_path / "domain.yml"))
    monkeypatch.delenv("CONSOLE_ADMIN_PASSWORD", raising=False)
    return tmp_path


def _session(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    create_schema(engine)
    return session_scope(session_factory(engine))


def test_init_creates_schema_and_imports_faqs_only_when_empty(env: Path, capsys) -> None:
    """init seeds FAQs once; later runs never undo console edits."""
    assert main(["init"]) == 0
    assert "Imported 1 FAQ(s)" in capsys.readouterr().out
    with _session(env) as session:
        faq_service.unpublish(session, faq_service.get(session, "gio_lam_viec"), None)
    assert main(["init"]) == 0
    assert "Imported" not in capsys.readouterr().out
    with _session(env) as session:
        assert faq_service.get(session, "gio_lam_viec").status == "draft"


def test_create_admin_from_env(env: Path, monkeypatch, capsys) -> None:
    """CONSOLE_ADMIN_PASSWORD creates the first admin (audited as system); duplicates are refused."""
    monkeypatch.setenv("CONSOLE_ADMIN_PASSWORD", "một mật khẩu quản trị dài")
    assert main(["create-admin", "--username", "Admin.Ha"]) == 0
    with _session(env) as session:
        user = accounts.get_by_username(session, "admin.ha")
        assert user is not None and user.role == "admin" and user.active
        entry = session.query(AuditEntry).filter_by(action="user.create").one()
        assert entry.actor_name == "system" and "password_hash" not in entry.after
    assert main(["create-admin", "--username", "admin.ha"]) == 1
    assert "đã tồn tại" in capsys.readouterr().err


def test_create_admin_refuses_weak_password(env: Path, monkeypatch, capsys) -> None:
    """No weak first password: under 12 characters is refused and nothing is created."""
    monkeypatch.setenv("CONSOLE_ADMIN_PASSWORD", "short")
    assert main(["create-admin", "--username", "admin"]) == 1
    assert "ít nhất 12 ký tự" in capsys.readouterr().err
    with _session(env) as session:
        assert accounts.list_users(session) == []


def test_create_admin_reads_stdin_for_automation(env: Path) -> None:
    """Piped password (no terminal): one line from stdin, as a deployment script would send it."""
    result = subprocess.run(
        [sys.executable, "-m", "console", "create-admin", "--username", "ops"],
        input="mật khẩu từ stdin rất dài\n",
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ},
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    with _session(env) as session:
        from console.services.passwords import verify_password

        assert verify_password("mật khẩu từ stdin rất dài", accounts.get_by_username(session, "ops").password_hash)


def test_export_warns_about_answers_left_in_domain(env: Path, capsys) -> None:
    """export writes the managed file and warns about utter_faq/* still in domain.yml."""
    (env / "domain.yml").write_text('version: "3.1"\nresponses:\n  utter_faq/gio_lam_viec:\n    - text: x\n')
    assert main(["import-faqs"]) == 0
    assert main(["export-faqs"]) == 0
    captured = capsys.readouterr()
    assert "Exported 1 published FAQ(s)" in captured.out and "utter_faq/gio_lam_viec" in captured.err
    assert (env / "nlu" / "faq.yml").read_text(encoding="utf-8").startswith("# Managed by the staff console")
