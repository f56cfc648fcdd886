"""The explanation strip under the canvas: what the settings mean, and live formulas."""

from __future__ import annotations

import html
import re

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from visualizer.ui.colors import Theme
from visualizer.ui.lesson.explain import Explanation

#: In a formula (the app's own words: a scenario file's are shown as written), a number
#: and its unit, "= 120 ms" and a fraction like "1/c" stay on one line: a wrapped formula
#: left "ms" or "= 122 ms" alone on a line.
_UNIT = re.compile(r"(\d) (?=(?:ms|s|MB|KB|GB|B|%|/s|req/s|×)(?:\W|$))")
_EQUALS = re.compile(r" = (\S+)")
_SLASH = re.compile(r"(?<=[\w(])/(?=[\w(])")


def unbroken(text: str) -> str:
    """``text`` with no-break spaces where a line break would split a quantity."""
    text = _UNIT.sub("\\1\u00a0", text)
    text = _EQUALS.sub("\u00a0=\u00a0\\1", text)
    return _SLASH.sub("/\u2060", text)


class ExplanationStrip(QWidget):
    """Plain words on the left, one formula per line on the right. Its height stays put
    while the run plays, so new numbers never re-lay out the canvas above it: a longer
    text first takes smaller type (down to ``FLOOR`` of the size, still readable: 16 px
    in presenter mode), then the strip grows by a line or two, and only past that is the
    explanation's body cut at a sentence ("…"). A new explanation (another preset or
    other settings) starts again from the strip's own height."""

    LINES = 4
    #: The smallest type, as a share of the strip's size (0.8 × 15 pt = 16 px presented).
    FLOOR = 0.8
    #: Lines the strip may grow by when a text does not fit at ``FLOOR``.
    MORE_LINES = 2

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
        self._shown: tuple[Explanation, str] | None = None
        self._headline = ""  # the explanation the height was chosen for
        self._extra = 0  # lines grown by for it
        self.set_theme(theme)

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._restyle()

    def set_scale(self, scale: float, lines: int = 4) -> None:
        """Larger type in fewer lines (presenter mode); the strip's height follows."""
        self._scale = scale
        self.LINES = lines
        self._extra = 0
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
        self._line = self.words.fontMetrics().lineSpacing()
        self._set_lines(self.LINES + self._extra)
        if self._shown is not None:
            self.show_explanation(*self._shown)

    def _set_lines(self, lines: int) -> None:
        self.setFixedHeight(self._line * lines + 16)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # the columns' widths changed: the type that fits may be another (paused too)
        if self._shown is not None and event.oldSize().width() != event.size().width():
            self._headline = ""  # (and its own height again)
            QTimer.singleShot(0, lambda: self._shown and self.show_explanation(*self._shown))

    def show_explanation(self, e: Explanation, measured: str) -> None:
        self._shown = (e, measured)
        if e.headline != self._headline:  # another explanation: the strip's own height
            self._headline = e.headline
            if self._extra:
                self._extra = 0
                self._set_lines(self.LINES)
        head = f"<b>{html.escape(e.headline)}.</b> "
        lines = [*e.formulas, measured] if measured else list(e.formulas)
        formulas = "<br>".join(f"<b>{html.escape(unbroken(line))}</b>" for line in lines)
        while True:
            # (the body may be a scenario file's words: shown as written)
            words_fit = self._fit(self.words, head + html.escape(e.body))
            formulas_fit = self._fit(self.formulas, formulas)
            if (words_fit and formulas_fit) or self._extra >= self.MORE_LINES:
                break
            self._extra += 1  # a line more (the canvas gives it up once, not every frame)
            self._set_lines(self.LINES + self._extra)
        if not words_fit:
            self._cut(self.words, head, e.body)

    def _fit(self, label: QLabel, body: str) -> bool:
        """``body`` in the largest type (down to ``FLOOR``) that fits the strip's height;
        whether it fits at all."""
        room = self.height() - 12
        steps = [f for f in (1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7) if f >= self.FLOOR]
        for factor in steps:
            label.setText(self._sized(body, factor))
            width = label.width()
            if width <= 0 or label.heightForWidth(width) <= room:
                return True
        return False

    def _cut(self, label: QLabel, head: str, body: str) -> None:
        """The body's last sentences dropped until the rest fits, at ``FLOOR`` ("…")."""
        room, width = self.height() - 12, label.width()
        sentences = body.split(". ")
        for keep in range(len(sentences) - 1, -1, -1):
            text = ". ".join(sentences[:keep])
            label.setText(self._sized(head + html.escape(text + (" …" if text else "…")), 0))
            if label.heightForWidth(width) <= room:
                return

    def _sized(self, body: str, factor: float) -> str:
        points = self._points * (factor or self.FLOOR)
        return f"<div style='font-size: {points:.1f}pt'>{body}</div>"

    @property
    def text(self) -> str:
        """What it says (as markup), its no-break spaces as plain ones."""
        said = f"{self.words.text()}\n{self.formulas.text()}"
        return said.replace("\u00a0", " ").replace("\u2060", "")
