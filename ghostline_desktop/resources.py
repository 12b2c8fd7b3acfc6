"""Where the app's bundled files (stylesheets, icons, fonts) live."""

from __future__ import annotations

from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1] / "resources"


def resource_path(*parts: str) -> Path:
    """Path to a file under the repository's ``resources/`` dir (not checked for existence)."""
    return _ROOT.joinpath(*parts)
