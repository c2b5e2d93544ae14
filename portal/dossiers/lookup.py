"""Dossier lookup for citizens (tra cứu hồ sơ): code + one verification factor.

Like the national lookup pages, a dossier is shown only when the code AND the owner's ID number
(or, as a lighter factor, the last four digits of the owner's phone) match. A wrong code and a wrong
factor produce the same answer, through the same work, padded to the same minimum duration, so
the answers cannot be used to learn which codes exist. Failures are throttled per client, and the
weak phone factor per code (see :mod:`portal.dossiers.throttle`).
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from enum import Enum

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.dossiers import statuses as st
from portal.dossiers.codes import parse_dossier_code
from portal.dossiers.protect import keyed_hash, parse_factor, resolve_pii_key
from portal.dossiers.throttle import (
    PHONE_CODE_WINDOW_SECONDS,
    client_throttle_key,
    over_budget,
    phone_code_throttle_key,
    record_failure,
)
from portal.models.dossier import Dossier
from portal.settings import PortalSettings

VIETNAM_TZ = timezone(timedelta(hours=7))
# Compared against when the code does not exist, so both failure paths do the same work.
_ABSENT_HASH = "0" * 64


class Outcome(str, Enum):
    FOUND = "found"
    NOT_FOUND = "not_found"  # wrong code or wrong factor: deliberately one answer
    THROTTLED = "throttled"
    ID_NUMBER_REQUIRED = "id_number_required"  # this code's phone-factor budget is spent: ID number only
    INVALID_CODE = "invalid_code"  # not shaped like a dossier code at all (reveals nothing)
    INVALID_FACTOR = "invalid_factor"  # neither 12 ID digits nor phone digits


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    unit: str
    actor_role: str
    action: str
    status: int
    status_name: str


@dataclass(frozen=True)
class DossierView:
    """What a citizen may see about their dossier: never the ID number or the phone."""

    code: str
    procedure_code: str
    procedure_name: str
    owner_name_masked: str
    status: int
    status_name: str
    status_label: str
    channel: str
    channel_label: str
    handling_unit: str
    received_date: date
    appointment_date: date | None
    finished_date: date | None
    overdue: bool
    finished: bool
    closed: bool
    fee_amount: int
    fee_paid: int
    fee_due: int
    next_step: str
    supplement_documents: list[str] = field(default_factory=list)
    supplement_due_date: date | None = None
    timeline: list[TimelineEntry] = field(default_factory=list)


@dataclass(frozen=True)
class LookupResult:
    outcome: Outcome
    dossier: DossierView | None = None
    retry_after_seconds: int | None = None


def vietnam_now() -> datetime:
    """Current wall-clock time in Vietnam (naive, like the stored timestamps)."""
    return datetime.now(VIETNAM_TZ).replace(tzinfo=None)


def lookup_dossier(
    session: Session,
    code_text: str,
    factor: str,
    client_key: str,
    settings: PortalSettings,
    now: datetime,
) -> LookupResult:
    """Look a dossier up for its owner; see the module docstring for the guarantees."""
    started = time.perf_counter()
    try:
        return _lookup(session, code_text, factor, client_key, settings, now)
    finally:
        remaining = settings.lookup_min_seconds - (time.perf_counter() - started)
        if remaining > 0:
            time.sleep(remaining)


def _lookup(
    session: Session, code_text: str, factor_text: str, client_key: str, settings: PortalSettings, now: datetime
) -> LookupResult:
    code = parse_dossier_code(code_text)
    if code is None:
        return LookupResult(Outcome.INVALID_CODE)
    factor = parse_factor(factor_text)
    if factor is None:
        return LookupResult(Outcome.INVALID_FACTOR)
    key = resolve_pii_key(settings)
    client = client_throttle_key(client_key, key)
    if over_budget(session, client, settings.lookup_max_failures, settings.lookup_window_seconds, now):
        return LookupResult(Outcome.THROTTLED, retry_after_seconds=settings.lookup_window_seconds)
    phone_key = phone_code_throttle_key(code, key)
    phone_limit = settings.lookup_phone_failures_per_code_per_day
    if factor.kind != "id" and over_budget(session, phone_key, phone_limit, PHONE_CODE_WINDOW_SECONDS, now):
        return LookupResult(Outcome.ID_NUMBER_REQUIRED)

    dossier = session.execute(select(Dossier).where(Dossier.code == code)).scalar_one_or_none()
    presented = keyed_hash(factor.kind, factor.value, key)
    if dossier is None:
        expected = _ABSENT_HASH
    else:
        expected = dossier.owner_id_hash if factor.kind == "id" else dossier.owner_phone_last4_hash
    matches = hmac.compare_digest(presented, expected)  # always compared, found or not
    if dossier is None or not matches:
        keys = [client] if factor.kind == "id" else [client, phone_key]
        record_failure(session, keys, settings.lookup_window_seconds, now)
        return LookupResult(Outcome.NOT_FOUND)
    return LookupResult(Outcome.FOUND, dossier=dossier_view(session, dossier.id, now.date()))


def dossier_view(session: Session, dossier_id: int, today: date) -> DossierView:
    """Build the citizen-facing view of one dossier (timeline, overdue flag, next step)."""
    query = (
        select(Dossier)
        .where(Dossier.id == dossier_id)
        .options(selectinload(Dossier.events), selectinload(Dossier.supplements))
    )
    dossier = session.execute(query).scalar_one()
    open_requests = sorted((r for r in dossier.supplements if r.resolved_at is None), key=lambda r: r.requested_at)
    latest = open_requests[-1] if open_requests else None
    documents = [d for d in latest.documents.splitlines() if d.strip()] if latest else []
    fee_due = max(0, dossier.fee_amount - dossier.fee_paid)
    status = dossier.status
    return DossierView(
        code=dossier.code,
        procedure_code=dossier.procedure_code,
        procedure_name=dossier.procedure_name,
        owner_name_masked=dossier.owner_name_masked,
        status=status,
        status_name=st.OFFICIAL_NAMES.get(status, ""),
        status_label=st.PLAIN_LABELS.get(status, ""),
        channel=dossier.channel,
        channel_label=st.CHANNEL_LABELS.get(dossier.channel, dossier.channel),
        handling_unit=dossier.handling_unit,
        received_date=dossier.received_date,
        appointment_date=dossier.appointment_date,
        finished_date=dossier.finished_date,
        overdue=st.is_overdue(status, dossier.appointment_date, today),
        finished=status in st.FINISHED,
        closed=status in st.CLOSED,
        fee_amount=dossier.fee_amount,
        fee_paid=dossier.fee_paid,
        fee_due=fee_due,
        next_step=st.next_step(
            status,
            unit=dossier.handling_unit,
            channel=dossier.channel,
            appointment=dossier.appointment_date,
            today=today,
            fee_due=fee_due,
            supplement_documents=documents,
            supplement_due=latest.due_date if latest else None,
        ),
        supplement_documents=documents,
        supplement_due_date=latest.due_date if latest else None,
        timeline=[
            TimelineEntry(e.at, e.unit, e.actor_role, e.action, e.status, st.OFFICIAL_NAMES.get(e.status, ""))
            for e in dossier.events
        ],
    )
