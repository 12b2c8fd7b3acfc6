"""The import preview's chapter buttons under the app theme: tried as an author, "Merge with
next" and "Split at cursor" were clipped (the splitter squeezed a row of four buttons
below their labels' width)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ghostline_desktop.core.manuscript_split import split_manuscript
from ghostline_desktop.services.manuscript_import import ManuscriptPreview
from ghostline_desktop.ui.dialogs.import_manuscript import ImportManuscriptDialog
from ghostline_desktop.ui.theme import apply_theme

BOOK = "\n\n".join(f"CHAPTER {n}. PART {n}\n\nThe text of chapter {n}, long enough to count." for n in (1, 2, 3))


def test_chapter_buttons_fit_at_the_default_size_under_the_theme(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, "light")
    try:
        preview = ManuscriptPreview("book.txt", "TEXT", "Book", split_manuscript(BOOK))
        dialog = ImportManuscriptDialog(preview)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        buttons = (dialog.rename_button, dialog.merge_button, dialog.split_button, dialog.exclude_button)
        for button in buttons:
            assert button.isVisible()
            assert button.width() >= button.sizeHint().width(), button.text()
            # Inside the dialog, not cut off at its right edge either.
            right = button.mapTo(dialog, button.rect().topRight()).x()
            assert right <= dialog.width(), button.text()
    finally:
        app.setStyleSheet("")
