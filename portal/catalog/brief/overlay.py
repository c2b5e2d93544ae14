"""Staff corrections of a brief, applied on top of the imported brief when it is served.

A correction may reorder the documents to hand in, give them other short names, name the agency
and add a note. It is keyed by procedure code and stored apart from the brief, so a re-import
rebuilds the brief and the correction still applies; when the catalog text it was made against
changed (another ``source_hash``) or a document it names is gone, it is reported as stale.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from portal.catalog.brief.where import authority

# Source cells a brief correction is about: the documents and the agency.
SOURCE_CELLS = ("thanh_phan_ho_so", "co_quan_thuc_hien", "co_quan_co_tham_quyen")


def source_hash(record: dict[str, Any]) -> str:
    """Fingerprint of the catalog text a brief correction depends on."""
    digest = hashlib.sha256()
    for cell in SOURCE_CELLS:
        digest.update(str(record.get(cell) or "").encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def apply_overlay(brief: dict[str, Any], correction: dict[str, Any] | None) -> dict[str, Any]:
    """A copy of ``brief`` with the staff correction applied (``corrected_by_staff`` set)."""
    if not correction or not _has_content(correction):
        return brief
    out = copy.deepcopy(brief)
    documents = out["documents"]
    names = correction.get("document_names") or {}
    order = correction.get("document_order") or []
    position = {name: i for i, name in enumerate(order)}
    submit = sorted(
        documents["submit"],
        key=lambda doc: (position.get(doc["name"], len(position)), documents["submit"].index(doc)),
    )
    for doc in submit:
        if names.get(doc["name"]):
            doc["name"] = names[doc["name"]]
    documents["submit"] = submit
    for doc in documents["show"]:
        if names.get(doc["name"]):
            doc["name"] = names[doc["name"]]
    agency = (correction.get("agency") or "").strip()
    if agency:
        out["where"] = {**out["where"], "agency": agency, "authority": authority(agency), "derived": False}
    note = (correction.get("note") or "").strip()
    if note:
        documents["notes"] = [note, *documents["notes"]]
    out["corrected_by_staff"] = True
    return out


def stale_reasons(correction: dict[str, Any], brief: dict[str, Any] | None, current_hash: str) -> list[str]:
    """Why a correction may no longer fit the imported brief ([] when it still does)."""
    if brief is None:
        return ["the procedure is no longer in the catalog"]
    reasons = []
    if correction.get("base_hash") and correction["base_hash"] != current_hash:
        reasons.append("the catalog's documents or agency text changed since the correction was made")
    known = {doc["name"] for doc in brief["documents"]["submit"] + brief["documents"]["show"]}
    named = set(correction.get("document_order") or []) | set(correction.get("document_names") or {})
    missing = sorted(named - known)
    if missing:
        reasons.append(f"documents no longer in the brief: {', '.join(missing)}")
    return reasons


def _has_content(correction: dict[str, Any]) -> bool:
    return any(correction.get(key) for key in ("document_order", "document_names", "agency", "note"))
