"""ORM models, one module per domain of the seed schema. Importing this package
registers every table on ``Base.metadata``."""

from ghostline_desktop.core.enums import (
    ChapterStatus,
    ExportFormat,
    ExportStatus,
    FindingStatus,
    FindingType,
    Genre,
    MaterialType,
    NotificationChannel,
    NotificationType,
    OutlineStatus,
    ProcessingStatus,
    ProjectStatus,
    RevisionSource,
    Severity,
    TaskStatus,
    TaskType,
    TransactionType,
)
from ghostline_desktop.db.models.accounts import BillingPlan, TokenTransaction, User
from ghostline_desktop.db.models.base import EMBEDDING_DIMENSIONS, Base
from ghostline_desktop.db.models.exports import ExportedBook, Notification
from ghostline_desktop.db.models.generation import ChapterSummaryCache, RevisionSourceChunk
from ghostline_desktop.db.models.infra import ApiKey, AuditLog
from ghostline_desktop.db.models.projects import ContentChunk, Project, SourceMaterial
from ghostline_desktop.db.models.writing import (
    BookOutline,
    Chapter,
    ChapterRevision,
    GenerationTask,
    QAFinding,
    VoiceProfile,
)

__all__ = [
    "EMBEDDING_DIMENSIONS",
    "ApiKey",
    "AuditLog",
    "Base",
    "BillingPlan",
    "BookOutline",
    "Chapter",
    "ChapterRevision",
    "ChapterStatus",
    "ChapterSummaryCache",
    "ContentChunk",
    "ExportFormat",
    "ExportStatus",
    "ExportedBook",
    "FindingStatus",
    "FindingType",
    "GenerationTask",
    "Genre",
    "MaterialType",
    "Notification",
    "NotificationChannel",
    "NotificationType",
    "OutlineStatus",
    "ProcessingStatus",
    "Project",
    "ProjectStatus",
    "QAFinding",
    "RevisionSource",
    "RevisionSourceChunk",
    "Severity",
    "SourceMaterial",
    "TaskStatus",
    "TaskType",
    "TokenTransaction",
    "TransactionType",
    "User",
    "VoiceProfile",
]
