"""Synthetic dossiers so the lookup, the bot and the staff console can be tried without real data.

The generator is deterministic for a given seed and ``today``: the same command produces the same
registry, which keeps demos and tests reproducible. Owners' ID numbers and phones exist in clear
only in the returned :class:`SyntheticOwner` list (for tests and the local demo file); the database
gets keyed hashes and masked names, exactly as real synchronised dossiers would.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from portal.dossiers import generator_data as data
from portal.dossiers import statuses as st
from portal.dossiers.protect import hash_id_number, hash_phone_last4, mask_name
from portal.dossiers.timeline import Plan, Step, build_steps, stamp_steps
from portal.models.catalog import Procedure
from portal.models.dossier import Dossier, DossierEvent, SupplementRequest

STATUS_WEIGHTS = {1: 4, 2: 6, 3: 3, 4: 18, 5: 8, 6: 4, 7: 2, 8: 2, 9: 10, 10: 43}
CHANNEL_WEIGHTS = {"in_person": 50, "online": 45, "post": 5}


@dataclass(frozen=True)
class SyntheticOwner:
    """Clear-text credentials of one synthetic dossier: for tests and the local demo file only."""

    code: str
    id_number: str
    phone: str
    status: int

    def __repr__(self) -> str:  # keep clear identifiers out of logs and tracebacks
        return f"SyntheticOwner(code={self.code!r}, status={self.status})"


@dataclass(frozen=True)
class _Person:
    name: str
    id_number: str
    phone: str
    id_hash: str
    phone_hash: str


def _procedures(session: Session) -> list[data.ProcedureSpec]:
    """The built-in specs, with names and working days from the imported catalog when present."""
    codes = [spec.code for spec in data.PROCEDURES]
    rows = {p.code: p for p in session.execute(select(Procedure).where(Procedure.code.in_(codes))).scalars()}
    specs = []
    for spec in data.PROCEDURES:
        row = rows.get(spec.code)
        if row is None:
            specs.append(spec)
            continue
        days = [
            int(ch.time_value)
            for ch in row.channels
            if ch.time_unit == "working_day" and ch.time_value is not None and ch.time_value < 60
        ]
        working_days = min(days) if days else spec.working_days
        specs.append(data.ProcedureSpec(**{**spec.__dict__, "name": row.name, "working_days": working_days}))
    return specs


def _person(rng: random.Random, pii_key: str, used_ids: set[str]) -> _Person:
    female = rng.random() < 0.5
    family = rng.choices([f for f, _ in data.FAMILY_NAMES], weights=[w for _, w in data.FAMILY_NAMES])[0]
    middle = rng.choice(data.FEMALE_MIDDLE if female else data.MALE_MIDDLE)
    given = rng.choice(data.FEMALE_GIVEN if female else data.MALE_GIVEN)
    birth_year = rng.randint(1950, 2011)
    century_gender = (0 if birth_year < 2000 else 2) + (1 if female else 0)
    while True:
        id_number = f"{rng.choice(data.ID_PREFIXES)}{century_gender}{birth_year % 100:02d}{rng.randint(0, 999_999):06d}"
        if id_number not in used_ids:
            used_ids.add(id_number)
            break
    phone = f"{rng.choice(data.PHONE_PREFIXES)}{rng.randint(0, 9_999_999):07d}"
    return _Person(
        name=f"{family} {middle} {given}",
        id_number=id_number,
        phone=phone,
        id_hash=hash_id_number(id_number, pii_key),
        phone_hash=hash_phone_last4(phone, pii_key),
    )


def _working_day_back(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _received_date(rng: random.Random, status: int, spec: data.ProcedureSpec, today: date) -> date:
    """How long ago a dossier in ``status`` was plausibly received."""
    if status == st.NEW:
        back = rng.randint(0, 3)
    elif status == st.RECEIVED:
        back = rng.randint(0, 2 if spec.working_days <= 1 else 6)
    elif status in (st.PROCESSING, st.SUPPLEMENT, st.PAYMENT):
        # Most are within their processing time; the tail past it is the overdue share.
        back = rng.randint(1, max(2, int(spec.working_days * 1.4) + 3)) + (
            rng.randint(5, 40) if rng.random() < 0.15 else 0
        )
    elif status in (st.DONE,):
        back = rng.randint(spec.working_days + 1, spec.working_days + 20)
    else:
        back = rng.randint(3, 180)
    return _working_day_back(today - timedelta(days=back))


def _units(rng: random.Random, spec: data.ProcedureSpec) -> tuple[str, str, str]:
    """(unit code for the dossier code, one-stop unit name, handling unit name)."""
    province = rng.choices(data.PROVINCES, weights=data.PROVINCE_WEIGHTS)[0]
    if spec.agency.startswith("commune"):
        unit_code, commune = rng.choice(province.communes)
        if spec.agency == "commune_police":
            handler = f"Công an {commune}, {province.name}"
            return unit_code, f"Bộ phận tiếp dân, Công an {commune}, {province.name}", handler
        return unit_code, f"Bộ phận Một cửa UBND {commune}, {province.name}", f"UBND {commune}, {province.name}"
    one_stop = f"Trung tâm Phục vụ hành chính công {province.name}"
    handler = {
        "province_justice": f"Sở Tư pháp {province.name}",
        "province_immigration": f"Phòng Quản lý xuất nhập cảnh, Công an {province.name}",
        "province_traffic": f"Phòng Cảnh sát giao thông, Công an {province.name}",
    }[spec.agency]
    return province.center_unit, one_stop, handler


@dataclass(frozen=True)
class _Draft:
    """One generated dossier before insertion (its database id is not known yet)."""

    row: dict[str, Any]
    steps: list[Step]
    stamps: list[datetime]
    documents: tuple[str, ...]
    owner: SyntheticOwner


class _Drafter:
    """Draws dossiers one by one from the seeded random generator."""

    def __init__(self, rng: random.Random, specs: list[data.ProcedureSpec], people: list[_Person], today: date):
        self.rng, self.specs, self.people, self.today = rng, specs, people, today
        self.fee_specs = [s for s in specs if s.fee_in_person > 0]
        self.next_seq: dict[str, int] = defaultdict(lambda: 1)

    def continue_after(self, codes: list[str]) -> None:
        """Make sequence numbers continue after existing codes of the same unit and day."""
        for code in codes:
            prefix, seq = code.rsplit("-", 1)
            self.next_seq[prefix] = max(self.next_seq[prefix], int(seq) + 1)

    def _code(self, unit_code: str, received: date) -> str:
        prefix = f"{unit_code}-{received:%y%m%d}"
        code = f"{prefix}-{self.next_seq[prefix]:04d}"
        self.next_seq[prefix] += 1
        return code

    def _finished(self, spec: data.ProcedureSpec, received: date) -> date:
        """Most dossiers finish on time, some early, about one in eight late."""
        rng = self.rng
        late = rng.randint(1, 5) if rng.random() < 0.12 else 0
        early = rng.randint(0, max(0, spec.working_days - 1)) if not late else 0
        finished = st.add_working_days(received, max(0, spec.working_days - early) + late)
        return min(finished, _working_day_back(self.today))

    def draft(self) -> _Draft:
        rng, today = self.rng, self.today
        status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        pool = self.fee_specs if status == st.PAYMENT else self.specs
        spec = rng.choices(pool, weights=[s.weight for s in pool])[0]
        channel = (
            "online" if status == st.NEW else rng.choices(list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values()))[0]
        )
        person = rng.choice(self.people)
        received = _received_date(rng, status, spec, today)
        unit_code, one_stop, handler = _units(rng, spec)
        code = self._code(unit_code, received)
        appointment = None if status in (st.NEW, st.REJECTED) else st.add_working_days(received, spec.working_days)
        finished = self._finished(spec, received) if status in st.FINISHED else None
        fee = spec.fee_online if channel == "online" else spec.fee_in_person
        documents = tuple(rng.sample(spec.supplements, k=rng.randint(1, len(spec.supplements))))
        plan = Plan(
            status=status,
            channel=channel,
            received=received,
            appointment=appointment,
            finished=finished,
            one_stop_unit=one_stop,
            handling_unit=handler,
            fee=fee,
            supplement_documents=documents,
            had_resolved_supplement=status in (st.PROCESSING, st.DONE, st.RETURNED) and rng.random() < 0.08,
        )
        steps = build_steps(plan, rng, today)
        row = {
            "code": code,
            "procedure_code": spec.code,
            "procedure_name": spec.name,
            "owner_name_masked": mask_name(person.name),
            "owner_id_hash": person.id_hash,
            "owner_phone_last4_hash": person.phone_hash,
            "received_date": received,
            "appointment_date": appointment,
            "finished_date": finished,
            "channel": channel,
            "handling_unit": handler,
            "status": status,
            "fee_amount": fee,
            "fee_paid": 0 if status in (st.NEW, st.REJECTED, st.PAYMENT) else fee,
        }
        owner = SyntheticOwner(code=code, id_number=person.id_number, phone=person.phone, status=status)
        return _Draft(row, steps, stamp_steps(steps, rng, today), documents, owner)


def _insert(session: Session, drafts: list[_Draft]) -> None:
    """Bulk insert (Core executemany); ids come from the database so PostgreSQL sequences stay right."""
    if not drafts:
        return
    before = session.execute(select(func.max(Dossier.id))).scalar() or 0
    session.execute(insert(Dossier.__table__), [d.row for d in drafts])
    ids = dict(session.execute(select(Dossier.code, Dossier.id).where(Dossier.id > before)).all())
    events, supplements = [], []
    for draft in drafts:
        dossier_id = ids[draft.row["code"]]
        for step, at in zip(draft.steps, draft.stamps, strict=True):
            events.append(
                {
                    "dossier_id": dossier_id,
                    "at": at,
                    "unit": step.unit,
                    "actor_role": step.role,
                    "action": step.action,
                    "status": step.status,
                }
            )
            if step.status == st.SUPPLEMENT:
                still_open = draft.row["status"] == st.SUPPLEMENT
                supplements.append(
                    {
                        "dossier_id": dossier_id,
                        "requested_at": at,
                        "due_date": st.add_working_days(at.date(), 5),
                        "documents": "\n".join(draft.documents),
                        "note": "Nộp bổ sung tại nơi đã nộp hồ sơ hoặc trực tuyến.",
                        "resolved_at": None if still_open else at + timedelta(days=1),
                    }
                )
    session.execute(insert(DossierEvent.__table__), events)
    if supplements:
        session.execute(insert(SupplementRequest.__table__), supplements)
    session.flush()


def seed_dossiers(session: Session, count: int, seed: int, pii_key: str, today: date) -> list[SyntheticOwner]:
    """Insert ``count`` synthetic dossiers with timelines; return their clear-text owners.

    Codes never collide with dossiers already in the table (sequence numbers continue after them).
    """
    rng = random.Random(seed)
    used_ids: set[str] = set()
    people = [_person(rng, pii_key, used_ids) for _ in range(max(1, count * 85 // 100))]
    drafter = _Drafter(rng, _procedures(session), people, today)
    drafter.continue_after(list(session.execute(select(Dossier.code)).scalars()))
    drafts = [drafter.draft() for _ in range(count)]
    _insert(session, drafts)
    return [d.owner for d in drafts]


def write_demo_file(owners: list[SyntheticOwner], path: Path, per_status: int = 1) -> Path:
    """Write a few synthetic (code, ID, phone last 4) triples, one per status, for local tries.

    The file sits under ``var/`` (git-ignored) and holds synthetic data only; it is never logged.
    """
    chosen: dict[int, list[SyntheticOwner]] = defaultdict(list)
    for owner in owners:
        if len(chosen[owner.status]) < per_status:
            chosen[owner.status].append(owner)
    entries = [
        {
            "code": owner.code,
            "id_number": owner.id_number,
            "phone_last4": owner.phone[-4:],
            "status": status,
            "status_name": st.OFFICIAL_NAMES[status],
        }
        for status in sorted(chosen)
        for owner in chosen[status]
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {"note": "Synthetic dossiers for local testing only.", "dossiers": entries}, ensure_ascii=False, indent=2
        )
        + "\n",
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path
