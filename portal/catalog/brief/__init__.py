"""The procedure brief: what a citizen needs from a catalog record, built once at import time.

``build_brief(data)`` takes the importer's parsed procedure (portal.catalog.record, with staff
field corrections applied) and returns the brief in the shape shared by the portal, the answers
and the evaluation (:mod:`actions.brief` reads it). ``brief_coverage`` names the parts
a brief has, for the import report.
"""

from __future__ import annotations

import re
from typing import Any

from portal.catalog.brief.documents import build_documents
from portal.catalog.brief.fees import build_fees, build_times
from portal.catalog.brief.steps import build_steps
from portal.catalog.brief.text import capitalize
from portal.catalog.brief.where import build_where

COVERAGE_PARTS = (
    "documents_submit",
    "documents_show",
    "documents_cases",
    "fee_any",
    "fee_every_channel",
    "fee_derived",
    "fee_by_province",
    "time_any",
    "time_every_channel",
    "agency_record",
    "agency_derived",
    "steps",
    "online",
)


def build_brief(data: dict[str, Any]) -> dict[str, Any]:
    """The brief of one parsed procedure (plain JSON-ready data)."""
    return {
        "name": display_name(data["name"]),
        "documents": build_documents(data["cases"], display_name(data["name"])),
        "fees": build_fees(data["channels"], data.get("data_date", "")),
        "times": build_times(data["channels"], _steps_text(data["steps"])),
        "where": build_where(data),
        "steps": build_steps(data["steps"]),
        "online": {
            "available": bool(data.get("online_filing")) or any(c["channel"] == "online" for c in data["channels"]),
            "url": data.get("online_url") or None,
        },
        "source": {"url": data.get("source_url", ""), "data_date": data.get("data_date", "")},
        "corrected_by_staff": False,
    }


def _steps_text(steps: list[dict[str, Any]]) -> str:
    return " ".join(f"{step['title']} {step['description']}" for step in steps)


def display_name(name: str) -> str:
    """ "Thủ tục đăng ký khai sinh." -> "Đăng ký khai sinh"."""
    name = re.sub(r"^\s*thủ tục\s+", "", name or "", flags=re.IGNORECASE).strip().rstrip(".")
    return capitalize(name)


def brief_coverage(brief: dict[str, Any], channels: list[dict[str, Any]]) -> list[str]:
    """Which of ``COVERAGE_PARTS`` this brief has (counted per procedure by the importer)."""
    documents, where = brief["documents"], brief["where"]
    kinds = {row["channel"] for row in channels}
    fee_channels = {fee["channel"] for fee in brief["fees"]}
    time_channels = {time["channel"] for time in brief["times"]}
    flags = {
        "documents_submit": bool(documents["submit"]),
        "documents_show": bool(documents["show"]),
        "documents_cases": bool(documents["cases"]),
        "fee_any": bool(brief["fees"]),
        "fee_every_channel": bool(kinds) and kinds <= fee_channels,
        "fee_derived": any(fee["derived"] for fee in brief["fees"]),
        "fee_by_province": any(fee["by_province"] for fee in brief["fees"]),
        "time_any": bool(brief["times"]),
        "time_every_channel": bool(kinds) and kinds <= time_channels,
        "agency_record": bool(where["agency"]) and not where["derived"],
        "agency_derived": bool(where["agency"]) and where["derived"],
        "steps": bool(brief["steps"]),
        "online": brief["online"]["available"],
    }
    return [part for part in COVERAGE_PARTS if flags[part]]
