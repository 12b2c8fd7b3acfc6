"""A keyring backend that keeps its secrets in a JSON file named by ``GHOSTLINE_TEST_KEYRING``.

For tests that run the CLI in a subprocess and need the same keyring as the test process
(keyring selects it from ``PYTHON_KEYRING_BACKEND=tests.support.file_keyring.FileKeyring``).
Test-only: a real keyring never writes secrets to a plain file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

ENV_VAR = "GHOSTLINE_TEST_KEYRING"
BACKEND = "tests.support.file_keyring.FileKeyring"


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @property
    def path(self) -> Path:
        return Path(os.environ[ENV_VAR])

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return data if isinstance(data, dict) else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\x00{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\x00{username}"] = password
        self.path.write_text(json.dumps(data), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}\x00{username}", None) is None:
            raise PasswordDeleteError("not found")
        self.path.write_text(json.dumps(data), encoding="utf-8")
