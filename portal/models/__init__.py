"""Portal tables: the procedure catalog and the dossier registry."""

from portal.models.base import Base
from portal.models.brief import BriefCorrection, BriefCorrectionAudit, ProcedureBrief
from portal.models.catalog import (
    CatalogImportIssue,
    DocumentCase,
    Procedure,
    ProcedureChannel,
    ProcedureStep,
    RequiredDocument,
)
from portal.models.dossier import Dossier, DossierEvent, LookupFailure, SupplementRequest
from portal.models.meta import PortalMeta

__all__ = [
    "Base",
    "BriefCorrection",
    "BriefCorrectionAudit",
    "CatalogImportIssue",
    "DocumentCase",
    "Dossier",
    "DossierEvent",
    "LookupFailure",
    "PortalMeta",
    "Procedure",
    "ProcedureBrief",
    "ProcedureChannel",
    "ProcedureStep",
    "RequiredDocument",
    "SupplementRequest",
]
