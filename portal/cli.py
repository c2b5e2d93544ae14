"""Command line of the portal service: ``python -m portal {init,import-catalog,seed-dossiers,serve}``.

``init`` is what ``make run`` calls before every start, so it must be idempotent and fast on the
second run: it creates the schema, imports the catalog only when the file changed, rebuilds the
search index only after an import, and seeds synthetic dossiers only into an empty registry.
Output never contains ID numbers or phones (the demo triples go to a git-ignored file instead).
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from common.production import database_url_problem, refuse_unsafe_start, secret_problem
from portal.db import create_schema, make_engine, session_factory, session_scope
from portal.dossiers.generator import seed_dossiers, write_demo_file
from portal.dossiers.lookup import vietnam_now
from portal.dossiers.protect import PiiKeyError, ensure_local_pii_key, keyed_hash, resolve_pii_key
from portal.models.catalog import Procedure
from portal.models.dossier import Dossier, DossierEvent, LookupFailure, SupplementRequest
from portal.models.meta import PortalMeta
from portal.settings import PortalSettings, get_settings

CATALOG_FINGERPRINT = "catalog_fingerprint"
PII_KEY_CHECK = "pii_key_check"  # keyed hash of a constant: detects a changed PII key
CORRECTIONS_PATH = Path(__file__).resolve().parent / "catalog" / "corrections.yml"  # staff overrides
BRIEF_DIR = Path(__file__).resolve().parent / "catalog" / "brief"  # brief builder: a change re-imports


class OperatorError(RuntimeError):
    """A configuration problem the operator must fix; printed without a traceback."""


def say(message: str) -> None:
    print(f"[portal] {message}", flush=True)


def catalog_fingerprint(path: Path, data_date: str) -> str:
    """Identity of what an import would produce: the file, the staff corrections, the brief builder, the date."""
    digest = hashlib.sha256()
    for source in (path, CORRECTIONS_PATH, *sorted(BRIEF_DIR.glob("*.py"))):
        if source.is_file():
            with source.open("rb") as handle:
                for chunk in iter(lambda handle=handle: handle.read(1 << 20), b""):
                    digest.update(chunk)
    return f"{digest.hexdigest()}:{data_date}"


def _meta(session: Session, key: str) -> str | None:
    row = session.get(PortalMeta, key)
    return row.value if row else None


def _set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(PortalMeta, key) or PortalMeta(key=key)
    row.value = value
    row.updated_at = datetime.utcnow()
    session.add(row)


def check_pii_key(engine: Engine, key: str) -> None:
    """Refuse to run with a PII key other than the one the registry's hashes were made with.

    Otherwise every lookup would silently answer "not found" (e.g. after ``python -m portal init``
    generated ``var/pii.key`` and a later start set a different ``PORTAL_PII_KEY``).
    """
    check = keyed_hash("key-check", "portal", key)
    with session_scope(session_factory(engine)) as session:
        stored = _meta(session, PII_KEY_CHECK)
        if stored is None:
            _set_meta(session, PII_KEY_CHECK, check)
        elif stored != check:
            raise OperatorError(
                "the PII key differs from the key this database's dossiers were hashed with; restore the "
                "original PORTAL_PII_KEY (or key file), re-seed with `python -m portal seed-dossiers --replace`, "
                "or, on a development machine, delete the database (var/portal.db) and run init again"
            )


def import_catalog_and_index(engine: Engine, settings: PortalSettings) -> None:
    """Import the catalog file, rebuild the search index, then remember the file's fingerprint."""
    from portal.catalog.importer import import_catalog
    from portal.search import engine_for

    path = settings.catalog_path
    if not path.is_file():
        raise OperatorError(f"catalog file not found: {path} (set PORTAL_CATALOG_PATH)")
    factory = session_factory(engine)
    started = time.perf_counter()
    with session_scope(factory) as session:
        report = import_catalog(session, path, settings.catalog_data_date)
    say(
        f"catalog imported from {path.name} in {time.perf_counter() - started:.1f}s: "
        f"{report.total} records ({report.inserted} new, {report.updated} updated)"
    )
    coverage = ", ".join(f"{part} {report.percent(part):.1f}%" for part in sorted(report.coverage))
    say(f"parts structured: {coverage}; issues by part: {report.issues_by_part}")
    say(f"brief coverage: {report.brief_summary()}")
    if report.brief_corrections_stale:
        say(f"stale brief corrections (review in the console): {', '.join(sorted(report.brief_corrections_stale))}")
    started = time.perf_counter()
    with session_scope(factory) as session:
        indexed = engine_for(engine).rebuild_index(session)
    say(f"search index rebuilt ({indexed} procedures) in {time.perf_counter() - started:.1f}s")
    with session_scope(factory) as session:
        _set_meta(session, CATALOG_FINGERPRINT, catalog_fingerprint(path, settings.catalog_data_date))


def seed(engine: Engine, settings: PortalSettings, count: int, seed_value: int, replace: bool) -> None:
    """Seed synthetic dossiers and write the local demo file (clear triples go only there)."""
    key = resolve_pii_key(settings)
    factory = session_factory(engine)
    started = time.perf_counter()
    with session_scope(factory) as session:
        if replace:
            for model in (LookupFailure, SupplementRequest, DossierEvent, Dossier):
                session.execute(delete(model))
            _set_meta(session, PII_KEY_CHECK, keyed_hash("key-check", "portal", key))
        owners = seed_dossiers(session, count, seed_value, key, vietnam_now().date())
    path = write_demo_file(owners, settings.demo_dossiers_path)
    say(f"seeded {len(owners)} synthetic dossiers in {time.perf_counter() - started:.1f}s; demo triples in {path}")


def cmd_init(settings: PortalSettings) -> None:
    _, created = ensure_local_pii_key(settings)
    if created:
        say(f"no PORTAL_PII_KEY set: generated a development key in {settings.pii_key_file} (set one in production)")
    engine = make_engine(settings.database_url)
    create_schema(engine)
    check_pii_key(engine, resolve_pii_key(settings))
    with session_scope(session_factory(engine)) as session:
        procedures = session.execute(select(func.count(Procedure.id))).scalar() or 0
        stored = _meta(session, CATALOG_FINGERPRINT)
        dossiers = session.execute(select(func.count(Dossier.id))).scalar() or 0
    if not settings.catalog_path.is_file():
        raise OperatorError(f"catalog file not found: {settings.catalog_path} (set PORTAL_CATALOG_PATH)")
    if procedures == 0 or stored != catalog_fingerprint(settings.catalog_path, settings.catalog_data_date):
        import_catalog_and_index(engine, settings)
    else:
        say(f"catalog up to date ({procedures} procedures)")
    if dossiers == 0:
        seed(engine, settings, settings.dossier_count, settings.dossier_seed, replace=False)
    else:
        say(f"dossier registry already holds {dossiers} dossiers")


def cmd_serve(settings: PortalSettings, host: str, port: int) -> None:
    import uvicorn

    from portal.api.app import create_app
    from portal.api.logs import configure_logging

    refuse_unsafe_start(
        "portal",
        [
            secret_problem("PORTAL_SERVICE_TOKEN", settings.service_token),
            database_url_problem("PORTAL_DATABASE_URL", settings.database_url),
            "PORTAL_PUBLIC_DOCS=true publishes /docs and /openapi.json" if settings.public_docs else None,
        ],
    )
    engine = make_engine(settings.database_url)
    create_schema(engine)
    check_pii_key(engine, resolve_pii_key(settings))  # before logging is taken over: errors go to stderr plainly
    engine.dispose()
    configure_logging()
    app = create_app(settings)
    logging.getLogger("portal").info("starting", extra={"host": host, "port": port})
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m portal", description="Portal service commands.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="schema, catalog import when changed, search index, dossiers when empty")
    sub.add_parser("import-catalog", help="import the catalog file and rebuild the search index")
    seed_parser = sub.add_parser("seed-dossiers", help="insert synthetic dossiers")
    seed_parser.add_argument("--count", type=int, default=None, help="default: PORTAL_DOSSIER_COUNT")
    seed_parser.add_argument("--seed", type=int, default=None, help="default: PORTAL_DOSSIER_SEED")
    seed_parser.add_argument("--replace", action="store_true", help="delete existing dossiers first")
    serve_parser = sub.add_parser("serve", help="run the HTTP API (uvicorn)")
    serve_parser.add_argument("--host", default=None, help="default: PORTAL_HOST")
    serve_parser.add_argument("--port", type=int, default=None, help="default: PORTAL_PORT")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = get_settings()
    commands: dict[str, Callable[[], None]] = {
        "init": lambda: cmd_init(settings),
        "import-catalog": lambda: _import_only(settings),
        "seed-dossiers": lambda: _seed_only(settings, args),
        "serve": lambda: cmd_serve(settings, args.host or settings.host, args.port or settings.port),
    }
    try:
        commands[args.command]()
    except (OperatorError, PiiKeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _import_only(settings: PortalSettings) -> None:
    engine = make_engine(settings.database_url)
    create_schema(engine)
    import_catalog_and_index(engine, settings)


def _seed_only(settings: PortalSettings, args: argparse.Namespace) -> None:
    engine = make_engine(settings.database_url)
    create_schema(engine)
    if not args.replace:
        check_pii_key(engine, resolve_pii_key(settings))
    count = args.count if args.count is not None else settings.dossier_count
    if count < 0:
        raise OperatorError("--count must be >= 0")
    seed(engine, settings, count, args.seed if args.seed is not None else settings.dossier_seed, args.replace)
