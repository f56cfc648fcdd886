"""The F1 help: every key in a dialog that fits the screen; the list scrolls, OK stays
in view."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from visualizer.ui.window.fit import FRAME_GUESS, fitted, frame_margins, place_inside


class HelpDialog(QDialog):
    """``html`` (built by the program, not read from a file) in a scrolling text, with an
    OK button below it; at most the screen's available size, frame included."""

    #: The widest the text is set (wider reads badly); narrower screens get less.
    TEXT_WIDTH = 640

    def __init__(self, parent: QWidget | None, title: str, html: str) -> None:
        super().__init__(parent)
        self.setObjectName("helpDialog")
        self.setWindowTitle(title)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.text.setHtml(html)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.buttons)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setDefault(True)
        self.resize(self.wanted())

    def wanted(self) -> QSize:
        """The size that shows the whole text without scrolling."""
        doc = self.text.document()
        doc.setTextWidth(self.TEXT_WIDTH)
        frame = 2 * self.text.frameWidth() + 2 * round(doc.documentMargin())
        margins = self.layout().contentsMargins()
        spacing = self.layout().spacing()
        width = self.TEXT_WIDTH + frame + margins.left() + margins.right() + 24  # scroll bar
        height = (
            round(doc.size().height())
            + frame
            + self.buttons.sizeHint().height()
            + spacing
            + margins.top()
            + margins.bottom()
        )
        return QSize(width, height)

    def fit_within(self, room: QRect) -> None:
        """At most ``room`` (a screen's available area), frame included; centred in it."""
        size = fitted(self.wanted(), room, frame_margins(self) if self.isVisible() else FRAME_GUESS)
        self.resize(size)
        parent = self.parentWidget()
        centre = parent.frameGeometry().center() if parent is not None else room.center()
        self.move(centre.x() - self.width() // 2, centre.y() - self.height() // 2)
        place_inside(self, room)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        screen = self.screen()
        if screen is not None:
            self.fit_within(screen.availableGeometry())
