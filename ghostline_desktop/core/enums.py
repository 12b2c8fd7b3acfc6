"""Every enumerated value set in the schema, completed where the seed says "etc.".

Pure Python (no SQLAlchemy), so the UI can show labels without loading the ORM.
"""

from __future__ import annotations

import enum


class TransactionType(enum.Enum):
    CREDIT = "credit"
    DEBIT = "debit"


class Genre(enum.Enum):
    FICTION = "Fiction"
    NON_FICTION = "Non-fiction"
    BIOGRAPHY = "Biography"
    MEMOIR = "Memoir"
    AUTOBIOGRAPHY = "Autobiography"
    HISTORY = "History"
    HISTORICAL_FICTION = "Historical fiction"
    LITERARY_FICTION = "Literary fiction"
    FANTASY = "Fantasy"
    SCIENCE_FICTION = "Science fiction"
    MYSTERY = "Mystery"
    THRILLER = "Thriller"
    ROMANCE = "Romance"
    HORROR = "Horror"
    YOUNG_ADULT = "Young adult"
    CHILDRENS = "Children's"
    POETRY = "Poetry"
    SELF_HELP = "Self-help"
    BUSINESS = "Business"
    TRAVEL = "Travel"
    ESSAY = "Essay"
    OTHER = "Other"


class ProjectStatus(enum.Enum):
    CREATED = "Created"
    DATA_COLLECTION = "Collecting material"
    OUTLINING = "Outlining"
    WRITING = "Writing"
    REVIEWING = "Reviewing"
    EDITING = "Editing"
    COMPLETED = "Completed"
    EXPORTED = "Exported"
    ARCHIVED = "Archived"


class MaterialType(enum.Enum):
    PDF = "PDF"
    DOCX = "Word document"
    TEXT = "Plain text"
    MARKDOWN = "Markdown"
    EPUB = "EPUB"
    HTML = "HTML"
    AUDIO = "Audio"
    VOICE_MEMO = "Voice memo"
    IMAGE = "Image"
    NOTE = "Note"


class ProcessingStatus(enum.Enum):
    UPLOADING = "Uploading"
    PROCESSING = "Processing"
    READY = "Ready"
    FAILED = "Failed"


class OutlineStatus(enum.Enum):
    DRAFT = "Draft"
    APPROVED = "Approved"
    ARCHIVED = "Archived"


class ChapterStatus(enum.Enum):
    PLANNED = "planned"
    DRAFT = "draft"
    REVIEWING = "reviewing"
    APPROVED = "approved"


class RevisionSource(enum.Enum):
    MANUAL = "manual"
    AI_DRAFT = "ai_draft"
    AI_REVISION = "ai_revision"
    IMPORT = "import"
    FORK = "fork"
    RESTORE = "restore"


class TaskType(enum.Enum):
    SOURCE_PROCESSING = "Processing source"
    TRANSCRIPTION = "Transcription"
    OCR = "Text recognition"
    EMBEDDING = "Embedding"
    OUTLINE_GENERATION = "Outline generation"
    CHAPTER_GENERATION = "Chapter draft"
    CHAPTER_REVISION = "Chapter revision"
    SUMMARIZATION = "Summary"
    VOICE_ANALYSIS = "Voice analysis"
    QA_CHECK = "QA check"
    EXPORT = "Export"


class TaskStatus(enum.Enum):
    PENDING = "Pending"
    RUNNING = "Running"
    COMPLETED = "Completed"
    FAILED = "Failed"
    CANCELLED = "Cancelled"


class Severity(enum.Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class FindingType(enum.Enum):
    NAME_INCONSISTENCY = "Name inconsistency"
    TIMELINE_ERROR = "Timeline error"
    CONTINUITY_ERROR = "Continuity error"
    FACTUAL_INCONSISTENCY = "Factual inconsistency"
    POV_INCONSISTENCY = "Point-of-view slip"
    TENSE_INCONSISTENCY = "Tense inconsistency"
    REPETITION = "Repetition"
    STYLE_DEVIATION = "Off-voice passage"
    PACING = "Pacing"
    PLOT_HOLE = "Plot hole"
    DIALOGUE_FORMATTING = "Dialogue formatting"
    GRAMMAR = "Grammar"
    SPELLING = "Spelling"
    MISSING_CONTENT = "Missing content"
    WORD_COUNT = "Word count"
    OTHER = "Other"


class FindingStatus(enum.Enum):
    OPEN = "Open"
    RESOLVED = "Resolved"
    WAIVED = "Waived"


class ExportFormat(enum.Enum):
    PDF = "PDF"
    DOCX = "DOCX"
    EPUB = "EPUB"
    MARKDOWN = "Markdown"
    HTML = "HTML"


class ExportStatus(enum.Enum):
    PENDING = "Pending"
    RENDERING = "Rendering"
    READY = "Ready"
    FAILED = "Failed"


class NotificationType(enum.Enum):
    UPLOAD_COMPLETE = "Upload complete"
    PROCESSING_FAILED = "Processing failed"
    OUTLINE_READY = "Outline ready"
    CHAPTER_READY = "Chapter ready"
    REVISION_READY = "Revision ready"
    QA_COMPLETE = "QA complete"
    BLOCKING_FINDING = "Blocking finding"
    EXPORT_READY = "Export ready"
    EXPORT_FAILED = "Export failed"
    TASK_FAILED = "Task failed"
    LOW_TOKEN_BALANCE = "Low token balance"
    QUOTA_RESET = "Quota reset"
    PROJECT_FORKED = "Project forked"
    SYSTEM = "System"


class NotificationChannel(enum.Enum):
    IN_APP = "In app"
    EMAIL = "Email"
    WEBSOCKET = "WebSocket"
