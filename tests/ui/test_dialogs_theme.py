"""Theme: light and dark set the palette (and stylesheet); "system" follows the OS scheme signal."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QPlainTextEdit
from pytestqt.qtbot import QtBot

from ghostline_desktop.ui.theme import DARK, LIGHT, apply_theme, current_theme_is_dark, editor_font, load_stylesheet


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    """The test QApplication, with its look restored afterwards so other tests see the defaults."""
    palette, sheet = QPalette(qapp.palette()), qapp.styleSheet()
    yield qapp
    qapp.setProperty("ghostlineTheme", None)
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)


def window_color(app: QApplication) -> QColor:
    return app.palette().color(QPalette.ColorRole.Window)


def test_light_and_dark_change_the_window_colour(app: QApplication) -> None:
    assert apply_theme(app, "light") == "light"
    assert window_color(app) == QColor(LIGHT.window)
    assert not current_theme_is_dark(app)
    assert "#chapterText" in app.styleSheet()

    assert apply_theme(app, "dark") == "dark"
    assert window_color(app) == QColor(DARK.window)
    assert current_theme_is_dark(app)
    assert "dark theme" in app.styleSheet()


def test_system_follows_the_colour_scheme_signal(app: QApplication) -> None:
    # Offscreen reports an Unknown scheme, which counts as light.
    assert apply_theme(app, "system") == "light"
    hints = app.styleHints()
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert current_theme_is_dark(app)
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert not current_theme_is_dark(app)

    # An explicit choice ignores the OS.
    apply_theme(app, "light")
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert not current_theme_is_dark(app)


def test_unknown_theme_name_behaves_like_system(app: QApplication) -> None:
    assert apply_theme(app, "sepia") == "light"


def test_editor_gets_a_serif_face(app: QApplication, qtbot: QtBot) -> None:
    apply_theme(app, "light")
    editor = QPlainTextEdit()
    editor.setObjectName("chapterText")
    qtbot.addWidget(editor)
    editor.ensurePolished()
    assert editor.font().families()[:2] == ["Literata", "Georgia"]
    assert editor_font().styleHint() == editor_font().StyleHint.Serif


@pytest.mark.parametrize("name", ["light", "dark"])
def test_stylesheet_icons_resolve_to_real_files(name: str) -> None:
    sheet = load_stylesheet(name)
    assert "@ICONS@" not in sheet
    urls = re.findall(r'url\("([^"]+)"\)', sheet)
    assert urls
    assert all(Path(u).is_file() for u in urls)
