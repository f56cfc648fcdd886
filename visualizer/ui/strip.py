"""The explanation strip under the canvas: what the settings mean, and live formulas."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from visualizer.ui.explain import Explanation
from visualizer.ui.theme import Theme


class ExplanationStrip(QWidget):
    """Plain words on the left, one formula per line on the right; a fixed height, so new
    text never resizes (and re-lays out) the canvas above it."""

    LINES = 4

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("explanation")
        self.words = QLabel()
        self.words.setWordWrap(True)
        self.words.setTextFormat(Qt.TextFormat.RichText)
        self.words.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.formulas = QLabel()
        self.formulas.setTextFormat(Qt.TextFormat.RichText)
        self.formulas.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.formulas.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.formulas.setWordWrap(True)  # a narrow window wraps rather than widens
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.setSpacing(18)
        layout.addWidget(self.words, 5)
        layout.addWidget(self.formulas, 4)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._scale = 1.0
        self.set_theme(theme)

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._restyle()

    def set_scale(self, scale: float, lines: int = 4) -> None:
        """Larger type in fewer lines (presenter mode); the strip's height follows."""
        self._scale = scale
        self.LINES = lines
        self._restyle()

    def _restyle(self) -> None:
        theme, size = self._theme, 11.5 * getattr(self, "_scale", 1.0)
        self._points = size
        self.setStyleSheet(
            f"QWidget#explanation {{ background: {theme.card};"
            f" border-top: 1px solid {theme.card_border}; }}"
            f"QLabel {{ color: {theme.text}; font-size: {size:.1f}pt; }}"
        )
        self.ensurePolished()
        self.words.ensurePolished()
        line = self.words.fontMetrics().lineSpacing()
        self.setFixedHeight(line * self.LINES + 16)

    def show_explanation(self, e: Explanation, measured: str) -> None:
        words = f"<b>{html.escape(e.headline)}.</b> {html.escape(e.body)}"
        lines = [*e.formulas, measured] if measured else list(e.formulas)
        self._fit(self.words, words)
        self._fit(self.formulas, "<br>".join(f"<b>{html.escape(line)}</b>" for line in lines))

    def _fit(self, label: QLabel, body: str) -> None:
        """``body`` in the largest type (down to 62%) that fits the strip's height: a long
        explanation or a lesson's arithmetic in presenter mode shrinks rather than loses
        its last line."""
        room = self.height() - 12
        for factor in (1.0, 0.9, 0.8, 0.7, 0.62):
            label.setText(f"<div style='font-size: {self._points * factor:.1f}pt'>{body}</div>")
            width = label.width()
            if width <= 0 or label.heightForWidth(width) <= room:
                return

    @property
    def text(self) -> str:
        return f"{self.words.text()}\n{self.formulas.text()}"
