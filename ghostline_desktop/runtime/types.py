"""Plain results of the runtime, shared by the services and the UI."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from ghostline_desktop.core.enums import TaskStatus, TaskType


@dataclass(frozen=True)
class JobInfo:
    """One background job (a ``generation_tasks`` row) as the UI shows it."""

    id: uuid.UUID
    project_id: uuid.UUID
    task_type: TaskType
    status: TaskStatus
    label: str
    progress: float  # 0..1
    message: str | None
    error: str | None
    source_id: uuid.UUID | None
    created_at: datetime
    started_at: datetime | None = None
    completed_at: datetime | None = None
    retryable: bool = False

    @property
    def active(self) -> bool:
        return self.status in (TaskStatus.PENDING, TaskStatus.RUNNING)
