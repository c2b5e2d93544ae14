"""Synthetic dossier generation: enough realistic, deterministic data to exercise every status,
overdue and supplement paths, with owners' identifiers never stored in clear."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from portal.db import create_schema, make_engine, session_factory, session_scope
from portal.dossiers import statuses as st
from portal.dossiers.codes import code_received_date, parse_dossier_code
from portal.dossiers.generator import seed_dossiers, write_demo_file
from portal.models.catalog import Procedure
from portal.models.dossier import Dossier, SupplementRequest
from tests.portal.dossier_support import SEED_TODAY, TEST_PII_KEY, SeededRegistry

pytest_plugins = ["tests.portal.dossier_fixtures"]


def _fresh_factory(path: Path):
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    return session_factory(engine)


def test_count_statuses_overdue_and_supplements(seeded_registry: SeededRegistry) -> None:
    """Every status occurs, a realistic share is overdue, status 5 has named documents, 6 owes a fee."""
    with session_scope(seeded_registry.factory) as session:
        dossiers = session.execute(select(Dossier)).scalars().all()
        open_supplements = (
            session.execute(select(SupplementRequest).where(SupplementRequest.resolved_at.is_(None))).scalars().all()
        )
        assert len(dossiers) == 600
        statuses = Counter(d.status for d in dossiers)
        assert set(statuses) == set(range(1, 11))
        overdue = [d for d in dossiers if st.is_overdue(d.status, d.appointment_date, SEED_TODAY)]
        assert 0.03 * len(dossiers) < len(overdue) < 0.3 * len(dossiers)
        waiting = {d.id for d in dossiers if d.status == st.SUPPLEMENT}
        assert waiting and waiting <= {r.dossier_id for r in open_supplements}
        assert all(r.documents.strip() for r in open_supplements)
        assert any(d.status == st.PAYMENT and d.fee_amount > d.fee_paid for d in dossiers)
        assert sum(d.fee_amount for d in dossiers) > 0


def test_records_are_plausible(seeded_registry: SeededRegistry) -> None:
    """Codes parse, dates fall on working days, timelines are ordered and end in the dossier's status."""
    with session_scope(seeded_registry.factory) as session:
        for dossier in session.execute(select(Dossier)).scalars():
            assert parse_dossier_code(dossier.code) == dossier.code
            assert code_received_date(dossier.code) == dossier.received_date
            assert dossier.received_date.weekday() < 5 and dossier.received_date <= SEED_TODAY
            if dossier.appointment_date:
                assert dossier.appointment_date.weekday() < 5 or dossier.appointment_date == dossier.received_date
                assert dossier.appointment_date >= dossier.received_date
            stamps = [e.at for e in dossier.events]
            assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
            assert stamps[-1].date() <= SEED_TODAY + timedelta(days=1)
            assert dossier.events[-1].status == dossier.status
            assert dossier.events[0].at.date() == dossier.received_date
            assert dossier.status not in st.FINISHED or dossier.finished_date is not None
            assert len(dossier.owner_id_hash) == 64 and "." in dossier.owner_name_masked


def test_same_seed_same_registry_other_seed_other_registry(tmp_path: Path) -> None:
    """Demos and tests are reproducible: the seed alone decides the registry."""

    def codes_and_hashes(name: str, seed: int) -> list[tuple[str, str, int]]:
        factory = _fresh_factory(tmp_path / name)
        with session_scope(factory) as session:
            owners = seed_dossiers(session, 200, seed, TEST_PII_KEY, SEED_TODAY)
            rows = session.execute(select(Dossier.code, Dossier.owner_id_hash, Dossier.status)).all()
        assert [o.code for o in owners] == [r[0] for r in rows]
        return [tuple(r) for r in rows]

    assert codes_and_hashes("a.db", 1) == codes_and_hashes("b.db", 1)
    assert codes_and_hashes("c.db", 1) != codes_and_hashes("d.db", 2)


def test_seeding_twice_never_reuses_a_code(tmp_path: Path) -> None:
    """A second seeding continues the daily sequences instead of colliding."""
    factory = _fresh_factory(tmp_path / "twice.db")
    with session_scope(factory) as session:
        seed_dossiers(session, 300, 1, TEST_PII_KEY, SEED_TODAY)
    with session_scope(factory) as session:
        seed_dossiers(session, 300, 1, TEST_PII_KEY, SEED_TODAY)  # same seed: same units and dates
    with session_scope(factory) as session:
        codes = session.execute(select(Dossier.code)).scalars().all()
    assert len(codes) == len(set(codes)) == 600


def test_names_come_from_the_catalog_when_imported(tmp_path: Path) -> None:
    """Procedure names follow the imported catalog rather than the built-in list."""
    factory = _fresh_factory(tmp_path / "catalog.db")
    with session_scope(factory) as session:
        session.add(Procedure(code="1.004222", name="Đăng ký thường trú (tên trong danh mục)"))
    with session_scope(factory) as session:
        seed_dossiers(session, 300, 3, TEST_PII_KEY, SEED_TODAY)
        names = set(
            session.execute(select(Dossier.procedure_name).where(Dossier.procedure_code == "1.004222")).scalars()
        )
    assert names == {"Đăng ký thường trú (tên trong danh mục)"}


def test_database_file_holds_no_clear_identifiers(seeded_registry: SeededRegistry) -> None:
    """A stolen database file (WAL included) reveals no ID number or phone."""
    seeded_registry.engine.dispose()  # flush the WAL into the main file
    raw = b"".join(p.read_bytes() for p in seeded_registry.db_path.parent.glob("portal.db*"))
    for owner in seeded_registry.owners[:200]:
        assert owner.id_number.encode() not in raw
        assert owner.phone.encode() not in raw
    assert seeded_registry.owners[0].id_number not in repr(seeded_registry.owners[0])


def test_demo_file_has_one_triple_per_status(seeded_registry: SeededRegistry, tmp_path: Path) -> None:
    """Developers get one (code, ID, phone last 4) per status to try locally."""
    path = write_demo_file(seeded_registry.owners, tmp_path / "var" / "demo.json")
    entries = json.loads(path.read_text(encoding="utf-8"))["dossiers"]
    assert sorted(e["status"] for e in entries) == list(range(1, 11))
    assert all(len(e["id_number"]) == 12 and len(e["phone_last4"]) == 4 for e in entries)


def test_five_thousand_dossiers_seed_quickly(tmp_path: Path) -> None:
    """The default 5,000 dossiers seed fast enough for the first ``make run``."""
    factory = _fresh_factory(tmp_path / "big.db")
    started = time.perf_counter()
    with session_scope(factory) as session:
        owners = seed_dossiers(session, 5000, 20260630, TEST_PII_KEY, SEED_TODAY)
    assert len(owners) == 5000
    assert time.perf_counter() - started < 30
