"""Dossier lookup: the owner sees status, next step and timeline; a wrong code and a wrong factor
are indistinguishable (same answer, similar time); repeated failures are throttled per client and
per code; the answer never carries the ID number or phone."""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, replace
from datetime import timedelta

from sqlalchemy import select

from portal.db import session_scope
from portal.dossiers import statuses as st
from portal.dossiers.lookup import LookupResult, Outcome, lookup_dossier
from portal.models.dossier import Dossier
from portal.settings import PortalSettings
from tests.portal.dossier_support import SEED_NOW, SeededRegistry

pytest_plugins = ["tests.portal.dossier_fixtures"]


def _lookup(registry: SeededRegistry, code: str, factor: str, client: str = "ip:10.0.0.1", **changes) -> LookupResult:
    settings = replace(registry.settings, **changes) if changes else registry.settings
    with session_scope(registry.factory) as session:
        return lookup_dossier(session, code, factor, client, settings, SEED_NOW)


def test_owner_finds_dossier_by_id_number_or_phone_digits(seeded_registry: SeededRegistry) -> None:
    """Either factor works, the code may be typed loosely, and the answer has no identifiers."""
    owner = seeded_registry.owner(st.PROCESSING)
    by_id = _lookup(seeded_registry, owner.code.lower().replace("-", " "), owner.id_number)
    by_phone = _lookup(seeded_registry, owner.code, owner.phone[-4:])
    by_full_phone = _lookup(seeded_registry, owner.code, owner.phone)
    assert by_id.outcome is by_phone.outcome is by_full_phone.outcome is Outcome.FOUND
    view = by_id.dossier
    assert view is not None and view.code == owner.code and view.status == st.PROCESSING
    assert view.status_label and view.next_step and view.timeline
    assert view.timeline[-1].status == st.PROCESSING
    dumped = repr(asdict(view))
    assert owner.id_number not in dumped and owner.phone not in dumped


def test_wrong_code_and_wrong_factor_give_the_same_answer(seeded_registry: SeededRegistry) -> None:
    """Nobody can tell an unknown code from a wrong factor by the answer."""
    owner = seeded_registry.owner(st.RETURNED)
    other = next(o for o in seeded_registry.owners if o.id_number != owner.id_number)
    wrong_factor = _lookup(seeded_registry, owner.code, other.id_number, client="a")
    wrong_code = _lookup(seeded_registry, "000.00.01.H29-240115-9999", owner.id_number, client="b")
    wrong_phone = _lookup(seeded_registry, owner.code, "0000" if owner.phone[-4:] != "0000" else "1111", client="c")
    assert wrong_factor == wrong_code == wrong_phone == LookupResult(Outcome.NOT_FOUND)


def test_wrong_code_and_wrong_factor_take_similar_time(seeded_registry: SeededRegistry) -> None:
    """Nor by the time the answer takes (minimum duration applies to both)."""
    owner = seeded_registry.owner(st.RETURNED)
    settings = replace(seeded_registry.settings, lookup_min_seconds=0.03, lookup_max_failures=1000)

    def timed(code: str, factor: str, client: str) -> float:
        with session_scope(seeded_registry.factory) as session:
            started = time.perf_counter()
            lookup_dossier(session, code, factor, client, settings, SEED_NOW)
            return time.perf_counter() - started

    missing = [timed("000.00.01.H29-240115-9999", owner.id_number, f"x{i}") for i in range(8)]
    mismatch = [timed(owner.code, "999999999999", f"y{i}") for i in range(8)]
    assert min(missing + mismatch) >= 0.03
    assert abs(statistics.median(missing) - statistics.median(mismatch)) < 0.015


def test_repeated_failures_from_one_client_are_throttled(seeded_registry: SeededRegistry) -> None:
    """After the limit one client waits out the window; other clients are unaffected."""
    owner = seeded_registry.owner(st.RETURNED)
    for i in range(5):
        assert (
            _lookup(seeded_registry, f"000.00.01.H29-240115-{i + 1:04d}", "001203004567").outcome is Outcome.NOT_FOUND
        )
    throttled = _lookup(seeded_registry, owner.code, owner.id_number)  # even the right answer now waits
    assert throttled.outcome is Outcome.THROTTLED and throttled.retry_after_seconds == 900
    assert _lookup(seeded_registry, owner.code, owner.id_number, client="ip:10.0.0.2").outcome is Outcome.FOUND
    later = SEED_NOW + timedelta(seconds=901)
    with session_scope(seeded_registry.factory) as session:
        result = lookup_dossier(session, owner.code, owner.id_number, "ip:10.0.0.1", seeded_registry.settings, later)
    assert result.outcome is Outcome.FOUND


def test_many_clients_guessing_one_code_spend_its_phone_budget_but_never_lock_the_owner_out(
    seeded_registry: SeededRegistry,
) -> None:
    """Guessing the 10,000 phone endings of one code from many addresses stops after the code's daily
    phone budget: from then on even the right ending is refused (asks for the ID number), while the
    owner's 12-digit ID number still finds the dossier at once."""
    owner = seeded_registry.owner(st.PROCESSING)
    budget = seeded_registry.settings.lookup_phone_failures_per_code_per_day
    wrong = [f"{n:04d}" for n in range(20) if f"{n:04d}" != owner.phone[-4:]][:budget]
    for i, guess in enumerate(wrong):
        assert _lookup(seeded_registry, owner.code, guess, client=f"ip:{i}").outcome is Outcome.NOT_FOUND
    spent = _lookup(seeded_registry, owner.code, owner.phone[-4:], client="fresh")
    assert spent.outcome is Outcome.ID_NUMBER_REQUIRED
    assert _lookup(seeded_registry, owner.code, owner.id_number, client="owner").outcome is Outcome.FOUND
    a_day_later = SEED_NOW + timedelta(hours=24, seconds=1)
    with session_scope(seeded_registry.factory) as session:
        later = lookup_dossier(session, owner.code, owner.phone[-4:], "owner", seeded_registry.settings, a_day_later)
    assert later.outcome is Outcome.FOUND
    # a code that does not exist spends its budget the same way, so the answer reveals nothing either
    for i in range(budget):
        _lookup(seeded_registry, "000.00.01.H29-240115-9999", "1234", client=f"other-{i}")
    assert (
        _lookup(seeded_registry, "000.00.01.H29-240115-9999", "1234", client="new").outcome
        is Outcome.ID_NUMBER_REQUIRED
    )


def test_phone_factor_budget_keeps_a_known_code_safe_for_30_days(seeded_registry: SeededRegistry) -> None:
    """The arithmetic of the default budget: an attacker who knows a code and never stops, from any
    number of addresses, tries at most budget x 30 of the 10,000 phone endings in 30 days: < 1%."""
    budget = PortalSettings().lookup_phone_failures_per_code_per_day
    assert budget * 30 / 10_000 < 0.01
    owner = seeded_registry.owner(st.RECEIVED)
    guesses = 0
    for day in range(30):
        now = SEED_NOW + timedelta(days=day, minutes=day)  # the attacker waits out each rolling day
        for attempt in range(50):  # far more than the budget, from fresh addresses every time
            guess = f"{(day * 50 + attempt) % 10_000:04d}"
            if guess == owner.phone[-4:]:
                continue
            with session_scope(seeded_registry.factory) as session:
                client = f"ip:{day}-{attempt}"
                result = lookup_dossier(session, owner.code, guess, client, seeded_registry.settings, now)
            guesses += result.outcome is Outcome.NOT_FOUND
    assert guesses == seeded_registry.settings.lookup_phone_failures_per_code_per_day * 30


def test_malformed_input_is_reported_without_counting_a_failure(seeded_registry: SeededRegistry) -> None:
    """Typos in the format get a helpful answer and do not lock the citizen out."""
    for _ in range(8):
        assert _lookup(seeded_registry, "not a code", "001203004567").outcome is Outcome.INVALID_CODE
        assert _lookup(seeded_registry, "000.00.01.H29-240115-0001", "12").outcome is Outcome.INVALID_FACTOR
    owner = seeded_registry.owner(st.RECEIVED)
    assert _lookup(seeded_registry, owner.code, owner.id_number).outcome is Outcome.FOUND


def test_next_steps_say_what_to_do(seeded_registry: SeededRegistry) -> None:
    """Status 5 lists the documents, 6 the amount, 9 where to collect; closed dossiers are never overdue."""

    def view(status: int):
        owner = seeded_registry.owner(status)
        result = _lookup(seeded_registry, owner.code, owner.id_number, client=f"s{status}")
        assert result.dossier is not None
        return result.dossier

    supplement = view(st.SUPPLEMENT)
    assert supplement.supplement_documents
    assert all(doc in supplement.next_step for doc in supplement.supplement_documents)
    payment = view(st.PAYMENT)
    assert payment.fee_due > 0 and st.format_vnd(payment.fee_due) in payment.next_step
    done = view(st.DONE)
    assert done.finished and not done.overdue and ("nhận kết quả" in done.next_step or "bưu chính" in done.next_step)
    for status in st.CLOSED:
        closed = view(status)
        assert closed.closed and not closed.overdue


def test_overdue_is_derived_from_appointment_and_status(seeded_registry: SeededRegistry) -> None:
    """An open dossier past its appointment is flagged and the citizen told how to chase it."""
    with session_scope(seeded_registry.factory) as session:
        rows = session.execute(select(Dossier.code, Dossier.status, Dossier.appointment_date)).all()
    late = next(r for r in rows if r.status == st.PROCESSING and r.appointment_date < SEED_NOW.date())
    owner = next(o for o in seeded_registry.owners if o.code == late.code)
    view = _lookup(seeded_registry, owner.code, owner.id_number).dossier
    assert view is not None and view.overdue and "quá ngày hẹn" in view.next_step
