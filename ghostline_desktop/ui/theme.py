"""Light and dark themes: Fusion style, a calm palette and a small stylesheet.

Fusion looks the same on every platform and honours a QPalette fully, so one palette
per theme gives a consistent look; the stylesheets in ``resources/styles`` only add
spacing and a few accents (dock titles, table rows, the editor page). ``"system"``
follows the OS colour scheme and re-applies itself when the OS switches.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from ghostline_desktop.resources import resource_path

THEMES = ("system", "light", "dark")

#: Serif faces that read well at length, best first; Qt falls back along the list.
EDITOR_FONT_FAMILIES = ["Literata", "Georgia", "Cambria", "Charter", "Source Serif 4", "DejaVu Serif", "Noto Serif"]
EDITOR_POINT_SIZE = 13

_THEME_PROPERTY = "ghostlineTheme"
_LISTENING_PROPERTY = "ghostlineThemeListening"
_STYLE_SET_PROPERTY = "ghostlineFusionSet"


@dataclass(frozen=True)
class _Colors:
    window: str
    window_text: str
    base: str
    alternate_base: str
    text: str
    button: str
    button_text: str
    highlight: str
    highlighted_text: str
    mid: str
    dark: str
    light: str
    placeholder: str
    link: str
    tooltip_base: str
    tooltip_text: str
    disabled_text: str


# Warm paper and ink for light; a soft charcoal (not black) for dark. One muted blue accent.
LIGHT = _Colors(
    window="#f6f5f2",
    window_text="#2a2a2a",
    base="#ffffff",
    alternate_base="#f3f2ee",
    text="#262626",
    button="#eeede9",
    button_text="#2a2a2a",
    highlight="#3f6f93",
    highlighted_text="#ffffff",
    mid="#d6d3cc",
    dark="#a9a59c",
    light="#ffffff",
    placeholder="#8c8980",
    link="#2f6690",
    tooltip_base="#fffdf6",
    tooltip_text="#2a2a2a",
    disabled_text="#a3a09a",
)

DARK = _Colors(
    window="#202124",
    window_text="#e2e0db",
    base="#26272b",
    alternate_base="#2b2c30",
    text="#e6e4df",
    button="#2e2f34",
    button_text="#e2e0db",
    highlight="#5a8cb0",
    highlighted_text="#ffffff",
    mid="#3b3c42",
    dark="#17181a",
    light="#45464c",
    placeholder="#85837e",
    link="#8ab8dc",
    tooltip_base="#2e2f34",
    tooltip_text="#e2e0db",
    disabled_text="#6c6b68",
)


def build_palette(colors: _Colors) -> QPalette:
    """A complete palette, including disabled roles, so Fusion never mixes in its defaults."""
    p = QPalette()
    role = QPalette.ColorRole
    pairs = {
        role.Window: colors.window,
        role.WindowText: colors.window_text,
        role.Base: colors.base,
        role.AlternateBase: colors.alternate_base,
        role.Text: colors.text,
        role.Button: colors.button,
        role.ButtonText: colors.button_text,
        role.BrightText: "#ffffff",
        role.Highlight: colors.highlight,
        role.HighlightedText: colors.highlighted_text,
        role.Mid: colors.mid,
        role.Midlight: colors.mid,
        role.Dark: colors.dark,
        role.Light: colors.light,
        role.Shadow: colors.dark,
        role.PlaceholderText: colors.placeholder,
        role.Link: colors.link,
        role.LinkVisited: colors.link,
        role.ToolTipBase: colors.tooltip_base,
        role.ToolTipText: colors.tooltip_text,
    }
    for r, value in pairs.items():
        p.setColor(r, QColor(value))
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(disabled, r, QColor(colors.disabled_text))
    p.setColor(disabled, role.Highlight, QColor(colors.mid))
    return p


def editor_font(point_size: int = EDITOR_POINT_SIZE) -> QFont:
    """The chapter editor's body font: a comfortable serif, falling back along a list."""
    font = QFont()
    font.setFamilies(EDITOR_FONT_FAMILIES)
    font.setStyleHint(QFont.StyleHint.Serif)
    font.setPointSize(point_size)
    return font


def system_prefers_dark(scheme: Qt.ColorScheme | None = None) -> bool:
    """The OS colour scheme; Unknown (e.g. offscreen, older desktops) counts as light."""
    if scheme is None:
        scheme = QGuiApplication.styleHints().colorScheme()
    return scheme == Qt.ColorScheme.Dark


def resolve_theme(theme: str, scheme: Qt.ColorScheme | None = None) -> str:
    """``"light"`` or ``"dark"`` for a stored theme choice; unknown values behave like system.

    ``scheme`` is the OS scheme when the caller already knows it (from the change signal).
    """
    choice = (theme or "system").lower()
    if choice in ("light", "dark"):
        return choice
    return "dark" if system_prefers_dark(scheme) else "light"


def load_stylesheet(name: str) -> str:
    """The QSS for ``name`` ("light"/"dark"); a missing file yields an unstyled but working app."""
    path = resource_path("styles", f"{name}.qss")
    try:
        sheet = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    # QSS url() paths are relative to the working directory, so icons get an absolute path here.
    return sheet.replace("@ICONS@", resource_path("icons").as_posix())


def apply_theme(app: QApplication, theme: str, *, scheme: Qt.ColorScheme | None = None) -> str:
    """Apply ``theme`` ("system", "light" or "dark") to ``app``; returns the resolved light/dark."""
    choice = (theme or "system").lower()
    if choice not in THEMES:
        choice = "system"
    app.setProperty(_THEME_PROPERTY, choice)
    resolved = resolve_theme(choice, scheme)
    # Set Fusion once: app.style() reports a stylesheet wrapper after the first call, and
    # re-setting the style repolishes every widget for nothing.
    if not app.property(_STYLE_SET_PROPERTY):
        style = QStyleFactory.create("Fusion")
        if style is not None:
            app.setStyle(style)
        app.setProperty(_STYLE_SET_PROPERTY, True)
    app.setPalette(build_palette(DARK if resolved == "dark" else LIGHT))
    app.setStyleSheet(load_stylesheet(resolved))
    _listen_to_system(app)
    return resolved


def _listen_to_system(app: QApplication) -> None:
    """Connect once to the OS colour-scheme signal; it only matters while the choice is "system"."""
    if app.property(_LISTENING_PROPERTY):
        return
    app.setProperty(_LISTENING_PROPERTY, True)

    def on_scheme_changed(scheme: Qt.ColorScheme) -> None:
        if app.property(_THEME_PROPERTY) == "system":
            apply_theme(app, "system", scheme=scheme)

    QGuiApplication.styleHints().colorSchemeChanged.connect(on_scheme_changed)


def current_theme_is_dark(app: QApplication) -> bool:
    """Whether the palette in effect is dark (judged by the window colour, whatever set it)."""
    return app.palette().color(QPalette.ColorRole.Window).lightness() < 128
