"""The window must not wait for heavy imports: SQLAlchemy and the ORM load on the service thread
while the database starts (app._import_backend), the AI client and the extractors on first use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_importing_the_app_loads_no_backend_module() -> None:
    code = (
        "import sys, ghostline_desktop.app\n"
        "heavy = ('sqlalchemy', 'openai', 'pypdf', 'onnxruntime', 'docx', 'ebooklib',"
        " 'ghostline_desktop.db.database')\n"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
        cwd=Path(__file__).resolve().parents[1], env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
