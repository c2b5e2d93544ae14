"""Command line: ``python -m console {init,create-admin,import-faqs,export-faqs,serve}``.

There is no default account and no default password: the first admin is created with
``create-admin``, which reads the password from CONSOLE_ADMIN_PASSWORD, else prompts (twice) on a
terminal, else reads one line from stdin (for automation).
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Sequence

from common.production import database_url_problem, refuse_unsafe_start, secret_problem
from common.text.log_redaction import install as install_log_redaction
from console.db import create_schema, make_engine, session_factory, session_scope
from console.services import accounts, faq_io
from console.services import faqs as faq_service
from console.services.passwords import WeakPasswordError
from console.settings import ConsoleSettings, get_settings


def _factory(settings: ConsoleSettings):
    engine = make_engine(settings.database_url)
    create_schema(engine)
    return session_factory(engine)


def _import(settings: ConsoleSettings) -> int:
    with session_scope(_factory(settings)) as session:
        report = faq_io.import_faqs(session, settings.faq_nlu_path, settings.faq_responses_path, settings.domain_path)
    print(
        f"Imported {len(report.created)} FAQ(s) as published; {len(report.unchanged)} already present; "
        f"{len(report.skipped)} skipped."
    )
    for key, reason in report.skipped.items():
        print(f"  skipped {key}: {reason}", file=sys.stderr)
    return 0


def cmd_init(settings: ConsoleSettings, _args: argparse.Namespace) -> int:
    """Create the schema; seed FAQs from the Rasa data when the table is empty."""
    factory = _factory(settings)
    with session_scope(factory) as session:
        empty = faq_service.count(session) == 0
    print(f"Schema ready at {settings.database_url.split('@')[-1]}.")
    return _import(settings) if empty else 0


def _read_password(username: str, settings: ConsoleSettings) -> str:
    if settings.admin_password:
        return settings.admin_password
    if sys.stdin.isatty():
        first = getpass.getpass(f"Mật khẩu cho {username} (ít nhất {settings.min_password_length} ký tự): ")
        again = getpass.getpass("Nhập lại mật khẩu: ")
        if first != again:
            raise WeakPasswordError("Hai lần nhập mật khẩu không khớp.")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def cmd_create_admin(settings: ConsoleSettings, args: argparse.Namespace) -> int:
    factory = _factory(settings)
    try:
        password = _read_password(args.username, settings)
        with session_scope(factory) as session:
            user = accounts.create_user(
                session,
                args.username,
                password,
                "admin",
                args.display_name or "",
                actor=None,
                min_password_length=settings.min_password_length,
            )
            name = user.username
    except (WeakPasswordError, accounts.AccountError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 1
    print(f"Admin account '{name}' created.")
    return 0


def cmd_import(settings: ConsoleSettings, _args: argparse.Namespace) -> int:
    return _import(settings)


def cmd_export(settings: ConsoleSettings, _args: argparse.Namespace) -> int:
    from console.services.training_data import feeds_derived_files, regenerate_derived, screened_sets

    with session_scope(_factory(settings)) as session:
        count, changed = faq_io.export_faqs(
            session, settings.faq_nlu_path, settings.faq_responses_path, screened_sets(settings)
        )
    print(f"Exported {count} published FAQ(s); {len(changed)} file(s) changed: {', '.join(map(str, changed)) or '-'}")
    feeds = settings.faq_nlu_path in changed and feeds_derived_files(settings)
    if feeds and regenerate_derived(settings.project_dir, None):
        print("Regenerated data/nlu/generated/ (variants and lookups), as `make nlu-data` does.")
    leftovers = faq_io.domain_faq_responses(settings.domain_path)
    if leftovers:
        print(
            f"Warning: {settings.domain_path} still defines {len(leftovers)} utter_faq/* response(s) "
            f"(e.g. {leftovers[0]}); remove them there so each answer is defined once.",
            file=sys.stderr,
        )
    return 0


def cmd_serve(settings: ConsoleSettings, args: argparse.Namespace) -> int:
    import uvicorn

    from console.app import create_app

    refuse_unsafe_start(
        "console",
        [
            secret_problem("CONSOLE_SERVICE_TOKEN", settings.service_token),
            secret_problem("RASA_AUTH_TOKEN", settings.rasa_token),
            secret_problem("PORTAL_SERVICE_TOKEN", settings.portal_token),
            database_url_problem("CONSOLE_DATABASE_URL", settings.database_url),
            None if settings.cookie_secure else "CONSOLE_COOKIE_SECURE must be true (sessions only over HTTPS)",
            "CONSOLE_PUBLIC_DOCS=true publishes /openapi.json" if settings.public_docs else None,
        ],
    )
    create_schema(make_engine(settings.database_url))
    app = create_app(settings)
    uvicorn.run(app, host=args.host or settings.host, port=args.port or settings.port, log_level="info")
    return 0


def cmd_purge(settings: ConsoleSettings, args: argparse.Namespace) -> int:
    """Delete (or anonymize) conversations idle for more than N days; see console.services.retention."""
    from sqlalchemy.exc import SQLAlchemyError

    from console.services import retention
    from console.services.rasa_events import tracker_engine

    days = args.older_than_days or settings.retention_days
    try:
        with session_scope(_factory(settings)) as session:
            report = retention.purge(
                tracker_engine(settings.tracker_database_url),
                session,
                days,
                anonymize=args.anonymize,
                dry_run=args.dry_run,
                complaint_days=settings.complaint_retention_days,
            )
            if report.corrections:  # the exported training file must not keep what was purged
                from console.services import review_export
                from console.services.training_data import screened_sets

                data_dir = settings.project_dir / "data"
                review_export.export_corrections(
                    session, settings.corrections_path, data_dir, screened_sets(settings), None
                )
    except ValueError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(
            f"Lỗi: cannot purge the tracker store ({type(exc).__name__}); check CONSOLE_TRACKER_DB_URL.",
            file=sys.stderr,
        )
        return 1
    verb = "would purge" if args.dry_run else ("anonymized" if args.anonymize else "deleted")
    print(
        f"{verb} {report.conversations} conversation(s) idle for more than {days} day(s): {report.events} event(s); "
        f"{report.handoffs} handoff transcript(s) cleared, {report.staff_replies} staff repl(ies) deleted, "
        f"{report.corrections} correction(s) deleted (corrections file rewritten), "
        f"{report.complaints} complaint(s) older than {settings.complaint_retention_days} day(s) deleted."
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m console", description="Staff console of the citizen assistant.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="create the schema; import FAQs from the Rasa data if there are none").set_defaults(
        func=cmd_init
    )
    admin = sub.add_parser("create-admin", help="create an admin account (password prompted or from env/stdin)")
    admin.add_argument("--username", required=True)
    admin.add_argument("--display-name", default="")
    admin.set_defaults(func=cmd_create_admin)
    sub.add_parser("import-faqs", help="import FAQs from data/nlu/faq.yml (idempotent)").set_defaults(func=cmd_import)
    sub.add_parser("export-faqs", help="write published FAQs to the Rasa training files").set_defaults(func=cmd_export)
    purge = sub.add_parser("purge-conversations", help="delete conversations older than N days (retention)")
    purge.add_argument("--older-than-days", type=int, default=0, help="default: CONSOLE_RETENTION_DAYS")
    purge.add_argument("--anonymize", action="store_true", help="blank texts and values instead of deleting rows")
    purge.add_argument("--dry-run", action="store_true", help="only count what would be purged")
    purge.set_defaults(func=cmd_purge)
    serve = sub.add_parser("serve", help="run the web console (CONSOLE_HOST, CONSOLE_PORT)")
    serve.add_argument("--host", default="")
    serve.add_argument("--port", type=int, default=0)
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    install_log_redaction()  # access log lines carry ?q=<citizen text>, Rasa API calls ?token=
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = build_parser().parse_args(argv)
    return int(args.func(get_settings(), args))
