"""Text from a scenario file shown as text, never as HTML.

A scenario file is something people share, and Qt shows a string as HTML whenever it
looks like HTML (``Qt.mightBeRichText``: a known tag before the first line ends): a
title, a note or a key quoted in an error could then load images (one of 30,000 ×
30,000 pixels took gigabytes and froze the window) or carry a working external link.
Labels that show such text are ``PlainText``; a message box is made with ``warning``;
a tooltip, which has no text format of its own, goes through ``tooltip``.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def tooltip(text: str) -> str:
    """``text`` for ``setToolTip`` so that it shows literally: left as it is when Qt
    would take it as plain text anyway, else escaped inside HTML that keeps its lines."""
    if "<" not in text and "&" not in text:
        return text
    return f"<p style='white-space:pre'>{html.escape(text, quote=False)}</p>"


def message_box(parent: QWidget | None, title: str, message: str) -> QMessageBox:
    """A warning box showing ``message`` as plain text (``QMessageBox.warning`` would show
    it as HTML if it looked like HTML, links included)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box


def warning(parent: QWidget | None, title: str, message: str) -> None:
    """``QMessageBox.warning`` with ``message`` shown as plain text."""
    message_box(parent, title, message).exec()
