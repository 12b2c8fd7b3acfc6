"""Test helpers shared across test packages (the OpenAI-compatible test server and its fixtures)."""
