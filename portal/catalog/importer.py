"""Import the national procedure catalog (JSONL, optionally gzipped) into the portal database.

Upsert by procedure code: a re-import updates rows in place and replaces their children, so the
row counts stay the same. Every record is imported; a part the parser cannot structure is kept raw
(``Procedure.raw``) and counted as a :class:`CatalogImportIssue`, never dropped silently.

Operators import with ``python -m portal import-catalog`` (:func:`portal.cli.import_catalog_and_index`),
the one entry point: it also rebuilds the search index. In code::

    with session_scope(session_factory(engine)) as session:
        report = import_catalog(session, settings.catalog_path, settings.catalog_data_date)
"""

from __future__ import annotations

import gzip
import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from portal.catalog.brief import COVERAGE_PARTS, brief_coverage, build_brief
from portal.catalog.brief.overlay import source_hash
from portal.catalog.brief.store import stale_corrections, write_briefs
from portal.catalog.corrections import Correction, apply_corrections, corrections_by_code, load_corrections
from portal.catalog.record import Issue, build_procedure, fee_issue, source_text
from portal.models.catalog import (
    CatalogImportIssue,
    DocumentCase,
    Procedure,
    ProcedureChannel,
    ProcedureStep,
    RequiredDocument,
)

_COLUMNS = (
    "name",
    "field",
    "level",
    "procedure_type",
    "decision_number",
    "ministry",
    "agencies",
    "competent_authority",
    "receiving_address",
    "audience",
    "requirements",
    "result",
    "results",
    "legal_basis",
    "related",
    "source_url",
    "data_date",
    "online_url",
    "online_filing",
    "raw",
    "corrections",
)
_CHANNEL_COLUMNS = ("channel", "time_value", "time_unit", "time_text", "fee_amount", "fee_text", "description")


@dataclass
class ImportReport:
    """What an import did; ``coverage`` counts records with at least one parsed item per part."""

    total: int = 0
    inserted: int = 0
    updated: int = 0
    issues_by_part: dict[str, int] = field(default_factory=dict)
    duration: float = 0.0
    corrections_applied: int = 0
    coverage: dict[str, int] = field(default_factory=dict)
    steps_styles: dict[str, int] = field(default_factory=dict)
    # Procedures whose brief has each part (portal.catalog.brief.COVERAGE_PARTS).
    brief_coverage: dict[str, int] = field(default_factory=dict)
    # Staff brief corrections that no longer fit the imported catalog: {code: reasons}.
    brief_corrections_stale: dict[str, list[str]] = field(default_factory=dict)

    def percent(self, part: str) -> float:
        """Share of records (0-100) with at least one parsed item of ``part``."""
        return 100.0 * self.coverage.get(part, 0) / self.total if self.total else 0.0

    def brief_percent(self, part: str) -> float:
        """Share of procedures (0-100) whose brief has ``part``."""
        return 100.0 * self.brief_coverage.get(part, 0) / self.total if self.total else 0.0

    def brief_summary(self) -> str:
        """One line for logs: every brief part with its share."""
        return ", ".join(f"{part} {self.brief_percent(part):.1f}%" for part in COVERAGE_PARTS)


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """Source records, one JSON object a line; ``.gz`` files are decompressed on the fly."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{number}: not a JSON object ({exc.msg})") from exc


def import_catalog(session: Session, path: Path, data_date: str, corrections: Path | None = None) -> ImportReport:
    """Import (or re-import) every record of ``path``; the caller commits.

    ``corrections`` is the staff overrides file; ``None`` uses the packaged ``corrections.yml``.
    Writes go through bulk Core statements (tens of thousands of child rows), so ORM objects of
    the catalog already loaded in ``session`` are stale afterwards.
    """
    started = time.perf_counter()
    report = ImportReport()
    by_code = corrections_by_code(load_corrections(corrections))
    procedures: dict[str, dict[str, Any]] = {}
    issues: dict[str, list[Issue]] = {}
    styles: Counter[str] = Counter()
    coverage: Counter[str] = Counter()
    for record in read_records(Path(path)):
        data, record_issues = build_procedure(record, data_date)
        record_issues += _correct(data, by_code.get(data["code"], []), record)
        procedures[data["code"]] = data  # a code listed twice: the last line wins
        issues[data["code"]] = _one_per_part(record_issues)
    briefs: dict[str, tuple[dict[str, Any], str]] = {}
    brief_parts: Counter[str] = Counter({part: 0 for part in COVERAGE_PARTS})
    for data in procedures.values():
        report.corrections_applied += len(data["corrections"])
        coverage.update(_covered(data))
        styles[data["steps_style"] or "none"] += 1
        brief = build_brief(data)
        briefs[data["code"]] = (brief, source_hash(data["raw"]))
        brief_parts.update(brief_coverage(brief, data["channels"]))
    report.total = len(procedures)
    report.inserted, report.updated = write_procedures(session, list(procedures.values()))
    write_briefs(session, briefs)
    report.brief_coverage = dict(brief_parts)
    report.brief_corrections_stale = stale_corrections(session, briefs)
    for code, reasons in report.brief_corrections_stale.items():
        issues.setdefault(code, []).append(Issue("brief_correction", "; ".join(reasons)))
    _replace_issues(session, issues)
    report.issues_by_part = dict(sorted(Counter(i.part for found in issues.values() for i in found).items()))
    report.coverage = dict(coverage)
    report.steps_styles = dict(styles)
    report.duration = time.perf_counter() - started
    return report


def _correct(data: dict[str, Any], corrections: list[Correction], record: dict[str, Any]) -> list[Issue]:
    """Apply staff corrections; report the ones that no longer fit and any uncorrected fee conflict."""
    issues = []
    if corrections:
        problems = apply_corrections(data, corrections, source_text(record))
        if problems:
            issues.append(Issue("corrections", "; ".join(problems)))
    conflict = fee_issue(data["channels"])
    if conflict:
        issues.append(conflict)
    return issues


def write_procedures(session: Session, procedures: list[dict[str, Any]]) -> tuple[int, int]:
    """Upsert procedure rows by code and replace all their children; return (inserted, updated)."""
    table = Procedure.__table__
    ids = dict(session.execute(select(table.c.code, table.c.id)).all())
    new = [_columns(data) for data in procedures if data["code"] not in ids]
    old = [{**_columns(data), "_id": ids[data["code"]]} for data in procedures if data["code"] in ids]
    if new:
        session.execute(insert(table), new)
    if old:
        values = {column: bindparam(column) for column in _COLUMNS}
        session.execute(update(table).where(table.c.id == bindparam("_id")).values(values), old)
    ids = dict(session.execute(select(table.c.code, table.c.id)).all())
    _delete_children(session, [ids[data["code"]] for data in procedures])
    _insert_children(session, procedures, ids)
    return len(new), len(old)


def _columns(data: dict[str, Any]) -> dict[str, Any]:
    return {"code": data["code"], **{column: data[column] for column in _COLUMNS}}


def _chunks(values: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _delete_children(session: Session, procedure_ids: list[int]) -> None:
    """Remove the children of re-imported procedures so the fresh parse replaces them exactly."""
    cases = DocumentCase.__table__
    for chunk in _chunks(procedure_ids):
        case_ids = select(cases.c.id).where(cases.c.procedure_id.in_(chunk))
        session.execute(delete(RequiredDocument.__table__).where(RequiredDocument.__table__.c.case_id.in_(case_ids)))
        for child in (cases, ProcedureChannel.__table__, ProcedureStep.__table__):
            session.execute(delete(child).where(child.c.procedure_id.in_(chunk)))


def _insert_children(session: Session, procedures: list[dict[str, Any]], ids: dict[str, int]) -> None:
    channels, steps, cases = [], [], []
    for data in procedures:
        pid = ids[data["code"]]
        channels += [
            {"procedure_id": pid, "position": i, "fee_flag": row.get("fee_flag", "")}
            | {column: row[column] for column in _CHANNEL_COLUMNS}
            for i, row in enumerate(data["channels"])
        ]
        steps += [{"procedure_id": pid, "position": i, **step} for i, step in enumerate(data["steps"])]
        cases += [{"procedure_id": pid, "position": i, "title": c["title"]} for i, c in enumerate(data["cases"])]
    for table, rows in ((ProcedureChannel, channels), (ProcedureStep, steps), (DocumentCase, cases)):
        if rows:
            session.execute(insert(table.__table__), rows)
    _insert_documents(session, procedures, ids)


def _insert_documents(session: Session, procedures: list[dict[str, Any]], ids: dict[str, int]) -> None:
    cases = DocumentCase.__table__
    procedure_ids = list(ids[data["code"]] for data in procedures)
    case_ids: dict[tuple[int, int], int] = {}
    for chunk in _chunks(procedure_ids):
        query = select(cases.c.procedure_id, cases.c.position, cases.c.id).where(cases.c.procedure_id.in_(chunk))
        case_ids.update({(pid, position): cid for pid, position, cid in session.execute(query)})
    documents = [
        {"case_id": case_ids[(ids[data["code"]], c)], "position": i, **doc}
        for data in procedures
        for c, case in enumerate(data["cases"])
        for i, doc in enumerate(case["documents"])
    ]
    if documents:
        session.execute(insert(RequiredDocument.__table__), documents)


def _one_per_part(issues: list[Issue]) -> list[Issue]:
    merged: dict[str, Issue] = {}
    for issue in issues:
        merged.setdefault(issue.part, issue)
    return list(merged.values())


def _replace_issues(session: Session, issues: dict[str, list[Issue]]) -> None:
    """This import's issues replace those of earlier imports for the same procedures."""
    codes = list(issues)
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        session.execute(delete(CatalogImportIssue).where(CatalogImportIssue.procedure_code.in_(chunk)))
    rows = [
        {"procedure_code": code, "part": i.part, "reason": i.reason, "raw_text": i.raw_text}
        for code, found in issues.items()
        for i in found
    ]
    if rows:
        session.execute(insert(CatalogImportIssue), rows)


def _covered(data: dict[str, Any]) -> list[str]:
    parts = []
    if data["channels"]:
        parts.append("channels")
    if any(c["time_value"] is not None for c in data["channels"]):
        parts.append("channel_time")
    if any(c["fee_amount"] is not None for c in data["channels"]):
        parts.append("channel_fee_amount")
    if any(case["documents"] for case in data["cases"]):
        parts.append("documents")
    if data["steps"]:
        parts.append("steps")
    if data["steps_style"] in ("buoc", "list"):
        parts.append("steps_structured")
    if any(row["number"] for row in data["legal_basis"]):
        parts.append("legal_basis")
    if data["results"]:
        parts.append("results")
    return parts
