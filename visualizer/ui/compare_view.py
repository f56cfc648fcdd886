"""Compare mode on screen: the two canvases with their titles, and the scoreboard.

The stage holds canvas A alone, or, when comparing, the scoreboard above canvases A
and B: side by side on a wide area, stacked on a tall one. The scoreboard has one
column per measure and rows A, B and B − A; the better side's number is bold and
ticked (never marked by colour alone), with the causes or codes under it in small type.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from visualizer.app.compare import Side
from visualizer.app.scoreboard import ScoreRow
from visualizer.ui.theme import GREEN, Theme

#: Side by side when the stage is at least this much wider than tall (else stacked).
SIDE_BY_SIDE_RATIO = 1.25


class Column:
    """One measure: its main row and the rows that break it down (causes, codes)."""

    def __init__(self, main: ScoreRow) -> None:
        self.main = main
        self.parts: list[ScoreRow] = []


def columns(rows: list[ScoreRow]) -> list[Column]:
    out: list[Column] = []
    for row in rows:
        if row.indent and out:
            out[-1].parts.append(row)
        else:
            out.append(Column(row))
    return out


class Scoreboard(QFrame):
    """Measures as columns, A / B / B − A as rows."""

    ROWS = ("A", "B", "B − A")

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scoreboard")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(10, 4, 10, 6)
        self._grid.setHorizontalSpacing(14)
        self._grid.setVerticalSpacing(2)
        self._labels: list[str] = []
        self.cells: dict[tuple[str, str], QLabel] = {}  # (row "A"/"B"/"B − A", measure)
        self._scale = 1.0
        self._theme = theme
        self.rows: list[ScoreRow] = []
        self.details = True  # causes and codes under the totals (not in presenter mode)
        # (cells wrap: the board never makes the window wider than the screen)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Maximum)
        self.set_theme(theme)

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._restyle()
        self._fill()

    def set_text_scale(self, scale: float) -> None:
        """Projector-sized type in presenter mode."""
        self._scale = scale
        self._restyle()
        self._fill()

    def _restyle(self) -> None:
        t = self._theme
        size = 11.0 * self._scale
        self.setStyleSheet(
            f"QFrame#scoreboard {{ background: {t.card}; border-bottom: 1px solid "
            f"{t.card_border}; }}"
            f"QLabel {{ color: {t.text}; font-size: {size:.1f}pt; padding: 1px 4px; }}"
            f"QLabel[better='true'] {{ border: 2px solid {GREEN}; border-radius: 4px; }}"
        )

    def show_rows(self, rows: list[ScoreRow]) -> None:
        self.rows = rows
        labels = [c.main.label for c in columns(rows)]
        if labels != self._labels:
            self._build(labels)
        self._fill()

    def _build(self, labels: list[str]) -> None:
        grid = self._grid
        while grid.count():
            item = grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:  # off the board now, not when the loop deletes it
                widget.hide()  # (an export renders before then)
                widget.setParent(None)
                widget.deleteLater()
        self._labels = labels
        self.cells = {}
        for c, label in enumerate(labels, start=1):
            head = QLabel(label)
            head.setObjectName("head")
            head.setWordWrap(True)
            head.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(head, 0, c)
        for r, name in enumerate(self.ROWS, start=1):
            side = QLabel(name)
            side.setObjectName("side")
            grid.addWidget(side, r, 0)
            for c, label in enumerate(labels, start=1):
                cell = QLabel()
                cell.setWordWrap(True)
                cell.setTextFormat(Qt.TextFormat.RichText)
                cell.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                grid.addWidget(cell, r, c)
                self.cells[(name, label)] = cell
        grid.setColumnStretch(len(labels) + 1, 1)

    def _fill(self) -> None:
        if not self.cells:
            return
        small = f"font-size: {8.5 * self._scale:.1f}pt; color: {self._theme.muted}"
        for col in columns(self.rows):
            main = col.main
            for name, side in (("A", Side.A), ("B", Side.B)):
                better = main.better is side
                value = main.text(main.a if side is Side.A else main.b)
                text = f"✓ <b>{html.escape(value)}</b>" if better else html.escape(value)
                details = [  # the causes or codes this side has
                    f"{p.label} {p.text(value)}"
                    for p in col.parts
                    if (value := p.a if side is Side.A else p.b)
                ]
                self._set(name, main.label, text, details, small, better)
            diff = main.difference_text()
            details = [
                f"{p.label} {p.difference_text()}"
                for p in col.parts
                if p.difference_text() != "same"
            ]
            self._set("B − A", main.label, html.escape(diff), details, small, False)

    def _set(
        self, row: str, label: str, text: str, details: list[str], small: str, better: bool
    ) -> None:
        cell = self.cells[(row, label)]
        if details and self.details:
            text += f"<br><span style='{small}'>{html.escape(' · '.join(details))}</span>"
        cell.setText(text)
        if cell.property("better") != better:
            cell.setProperty("better", better)
            cell.style().unpolish(cell)
            cell.style().polish(cell)

    def text(self) -> str:
        """What the board says, row by row (for tests and the accessible description)."""
        lines = ["\t".join(["", *self._labels])]
        for name in self.ROWS:
            cells = [self.cells[(name, label)].text() for label in self._labels]
            lines.append("\t".join([name, *cells]))
        return "\n".join(lines)


class SideTitle(QLabel):
    """ "A: sticky, server memory": what this side is, in big type above its canvas."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self._scale = 1.0
        self.set_theme(theme)

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._restyle()

    def set_text_scale(self, scale: float) -> None:
        self._scale = scale
        self._restyle()

    def _restyle(self) -> None:
        t = self._theme
        self.setStyleSheet(
            f"QLabel {{ background: {t.canvas}; color: {t.text}; padding: 4px 10px;"
            f" font-size: {13.0 * self._scale:.1f}pt; font-weight: bold; }}"
        )

    def show_title(self, title: str, only_here: list[str]) -> None:
        text = html.escape(title)
        if only_here:
            side = title.split(":", 1)[0]
            note = f"{side} only: " + ", ".join(only_here)
            text += f" <span style='font-weight: normal'>· ⚑ {html.escape(note)}</span>"
        self.setText(text)


class Stage(QWidget):
    """Canvas A alone, or the scoreboard above canvases A and B."""

    def __init__(self, canvas_a: QWidget, canvas_b: QWidget, theme: Theme) -> None:
        super().__init__()
        self.canvas_a, self.canvas_b = canvas_a, canvas_b
        self.scoreboard = Scoreboard(theme)
        self.title_a, self.title_b = SideTitle(theme), SideTitle(theme)
        self.panel_a = self._panel(self.title_a, canvas_a)
        self.panel_b = self._panel(self.title_b, canvas_b)
        self.pair = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.pair.setSpacing(2)
        self.pair.addWidget(self.panel_a, 1)
        self.pair.addWidget(self.panel_b, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.scoreboard)
        box.addLayout(self.pair, 1)
        self.comparing = False
        self._show(False)

    @staticmethod
    def _panel(title: QLabel, canvas: QWidget) -> QWidget:
        panel = QWidget()
        box = QVBoxLayout(panel)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(title)
        box.addWidget(canvas, 1)
        return panel

    def set_comparing(self, on: bool) -> None:
        if on != self.comparing:
            self.comparing = on
            self._show(on)
            self._orient()

    def _show(self, on: bool) -> None:
        for widget in (self.scoreboard, self.title_a, self.title_b, self.panel_b):
            widget.setVisible(on)

    @property
    def side_by_side(self) -> bool:
        return self.pair.direction() == QBoxLayout.Direction.LeftToRight

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._orient()

    def _orient(self) -> None:
        wide = self.width() >= SIDE_BY_SIDE_RATIO * self.height()
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.pair.direction() != direction:
            self.pair.setDirection(direction)

    def set_theme(self, theme: Theme) -> None:
        for widget in (self.scoreboard, self.title_a, self.title_b):
            widget.set_theme(theme)

    def set_text_scale(self, scale: float) -> None:
        for widget in (self.scoreboard, self.title_a, self.title_b):
            widget.set_text_scale(scale)
