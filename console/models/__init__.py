"""Console tables; importing this package registers them on ``Base.metadata``."""

from console.models.accounts import ROLES, AuditEntry, LoginFailure, User, WebSession
from console.models.base import Base, utcnow
from console.models.cases import HANDOFF_STATES, Complaint, Handoff, ReferenceCounter
from console.models.desk import StaffReply
from console.models.faq import FAQ_STATES, Faq
from console.models.training import RUN_STATES, ModelActivation, ReviewCorrection, TrainingRun

__all__ = [
    "FAQ_STATES",
    "HANDOFF_STATES",
    "ROLES",
    "RUN_STATES",
    "AuditEntry",
    "Base",
    "Complaint",
    "Faq",
    "Handoff",
    "LoginFailure",
    "ModelActivation",
    "ReferenceCounter",
    "ReviewCorrection",
    "StaffReply",
    "TrainingRun",
    "User",
    "WebSession",
    "utcnow",
]
