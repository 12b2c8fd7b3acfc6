"""Pytest fixtures for the OpenAI-compatible test server (registered from tests/conftest.py).

``openai_server``: a fresh server per test (starting one costs a few milliseconds).
``openai_server_module``: one per test module, for modules that only read; call ``reset()`` if you program it.
``openai_env``: a fresh server plus ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY`` pointing at it, for code that
configures itself from the environment exactly as the app does.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.openai_server import OpenAITestServer

TEST_API_KEY = "sk-test-ghostline-0123456789abcdef"


@pytest.fixture
def openai_server() -> Iterator[OpenAITestServer]:
    with OpenAITestServer() as server:
        yield server


@pytest.fixture(scope="module")
def openai_server_module() -> Iterator[OpenAITestServer]:
    with OpenAITestServer() as server:
        yield server


@pytest.fixture
def openai_env(openai_server: OpenAITestServer, monkeypatch: pytest.MonkeyPatch) -> OpenAITestServer:
    """The server, with the environment set as a user of a local OpenAI-compatible server would set it."""
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", TEST_API_KEY)
    openai_server.require_api_key = TEST_API_KEY
    return openai_server
