"""Compare mode on screen: the two canvases with their titles, and the scoreboard.

The stage holds canvas A alone, or, when comparing, the scoreboard above canvases A
and B: side by side on a wide area, stacked on a tall one. The scoreboard has one
column per measure (its unit in the head) and rows A, B and B − A; the better side's
number is bold and ticked (never marked by colour alone), with the causes or codes
under it in small type when there is room. Nothing on it wraps or is cut: at 1280×720
the type shrinks to fit, the causes fold into tooltips, and last the generic columns at
the end leave the board.
"""

from __future__ import annotations

import html
from typing import NamedTuple

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from visualizer.app.compare import CompareTitle, Side
from visualizer.app.scoreboard import ScoreRow
from visualizer.ui.colors import GREEN, Theme

#: Side by side when the stage is at least this much wider than tall (else stacked).
SIDE_BY_SIDE_RATIO = 1.25
#: The least height of each canvas while comparing (alone, a canvas keeps its own).
COMPARE_CANVAS_MIN_H = 120


#: The board's type in points at text scale 1, and the smallest it shrinks to so that
#: every column fits on one line (both × the text scale: the room's type stays larger).
BOARD_PT = 11.0
MIN_PT = 9.0
#: The causes and codes under a total, in this share of the board's type.
DETAIL_SHARE = 8.5 / 11.0
#: Room a cell takes besides its text: 4 px of padding and a 2 px border a side (every
#: cell has the border, transparent but on the better side, so a tick moves nothing).
CELL_EXTRA = 12
SPACING = 14
MARGINS = (10, 4, 10, 6)


class Fit(NamedTuple):
    """How the board fits its width: the type's size, whether the causes and codes show
    under the totals, whether the heads break onto two lines."""

    pt: float
    details: bool
    split: bool

    def head(self, col: Column, metrics: QFontMetrics) -> str:
        return two_lines(col.main.head, metrics) if self.split else col.main.head


class Column:
    """One measure: its main row and the rows that break it down (causes, codes)."""

    def __init__(self, main: ScoreRow) -> None:
        self.main = main
        self.parts: list[ScoreRow] = []

    def details(self, side: Side | None) -> list[str]:
        """The causes or codes under a side's total (``None``: under B − A)."""
        if side is None:
            return [
                f"{p.label} {p.difference_text()}"
                for p in self.parts
                if p.difference_text() != "same"
            ]
        return [
            f"{p.label} {p.text(value)}"
            for p in self.parts
            if (value := p.a if side is Side.A else p.b)
        ]

    def value(self, side: Side | None) -> str:
        """A side's number (unit in the head), or B − A."""
        main = self.main
        if side is None:
            return main.difference_text(unit=False)
        return main.text(main.a if side is Side.A else main.b, unit=False)


def columns(rows: list[ScoreRow]) -> list[Column]:
    out: list[Column] = []
    for row in rows:
        if row.indent and out:
            out[-1].parts.append(row)
        else:
            out.append(Column(row))
    return out


def two_lines(text: str, metrics: QFontMetrics) -> str:
    """A head on at most two lines, broken at the space that makes the wider line the
    narrowest ("Peak reconnects/s" → "Peak" / "reconnects/s")."""
    words = text.split(" ")
    best, best_w = text, metrics.horizontalAdvance(text)
    for i in range(1, len(words)):
        top, bottom = " ".join(words[:i]), " ".join(words[i:])
        w = max(metrics.horizontalAdvance(top), metrics.horizontalAdvance(bottom))
        if w < best_w:
            best, best_w = f"{top}\n{bottom}", w
    return best


class Scoreboard(QFrame):
    """Measures as columns, A / B / B − A as rows. Nothing wraps or is cut: the units go
    in the heads, the heads on two lines; when the columns do not fit the width, the
    type shrinks (down to ``MIN_PT``), then the causes and codes fold into the cells'
    tooltips, and last the columns at the end (the generic measures after the lesson's
    own) leave the board, named in its tooltip."""

    ROWS = ("A", "B", "B − A")
    SIDES: tuple[Side | None, ...] = (Side.A, Side.B, None)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scoreboard")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(*MARGINS)
        self._grid.setHorizontalSpacing(SPACING)
        self._grid.setVerticalSpacing(2)
        self._labels: list[str] = []
        self.heads: dict[str, QLabel] = {}
        self.cells: dict[tuple[str, str], QLabel] = {}  # (row "A"/"B"/"B − A", measure)
        self._scale = 1.0
        self._theme = theme
        self.rows: list[ScoreRow] = []
        self._details = True  # causes and codes under the totals (not in presenter mode)
        self.hidden: list[str] = []  # measures left off for want of room
        self.fit = Fit(BOARD_PT, True, False)  # type size, details shown, heads split
        self._heights = (0, 0)  # the board's height without and with the details
        # (never wider than its room: the board never makes the window wider than the
        # screen; it fits itself to the width it gets)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Maximum)
        self.set_theme(theme)

    @property
    def details(self) -> bool:
        return self._details

    @details.setter
    def details(self, on: bool) -> None:
        self._details = on
        self._refit()

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._restyle()
        self._refit()

    def set_text_scale(self, scale: float) -> None:
        """Projector-sized type in presenter mode."""
        self._scale = scale
        self._refit()

    def _restyle(self) -> None:
        t = self._theme
        self.setStyleSheet(
            f"QFrame#scoreboard {{ background: {t.card}; border-bottom: 1px solid "
            f"{t.card_border}; }}"
            f"QLabel {{ color: {t.text}; padding: 1px 4px; border: 2px solid transparent;"
            " border-radius: 4px; }"
            f"QLabel[better='true'] {{ border-color: {GREEN}; }}"
        )

    def show_rows(self, rows: list[ScoreRow]) -> None:
        self.rows = rows
        self._refit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size() != event.oldSize():
            self._refit()

    # --- fitting the width ------------------------------------------------------------

    def _font(self, pt: float, bold: bool = False) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(pt)
        font.setBold(bold)
        return font

    def _needed(self, cols: list[Column], fit: Fit) -> int:
        """The width the board needs for ``cols`` as ``fit`` says."""
        plain = QFontMetrics(self._font(fit.pt))
        bold = QFontMetrics(self._font(fit.pt, bold=True))
        small = QFontMetrics(self._font(fit.pt * DETAIL_SHARE))
        total = MARGINS[0] + MARGINS[2] + plain.horizontalAdvance("B − A") + CELL_EXTRA
        for col in cols:
            head = fit.head(col, plain).split("\n")
            widths = [plain.horizontalAdvance(line) for line in head]
            for side in self.SIDES:
                value = col.value(side)
                if side is not None and col.main.better is side:
                    widths.append(bold.horizontalAdvance(f"✓ {value}"))
                else:
                    widths.append(plain.horizontalAdvance(value))
                if fit.details and (words := col.details(side)):
                    widths.append(small.horizontalAdvance(" · ".join(words)))
            total += SPACING + max(widths) + CELL_EXTRA + 2  # (+2: rounding)
        return total

    def _choose(self, cols: list[Column], details: bool) -> tuple[list[Column], Fit]:
        """The columns and type that fit the width: the largest type with the details,
        the heads on one line if they fit, else on two; else the largest type without
        the details; else the fewest columns left off."""
        top, floor = BOARD_PT * self._scale, MIN_PT * self._scale
        room = self.width()
        sizes = [top]
        while sizes[-1] - 0.5 >= floor:
            sizes.append(sizes[-1] - 0.5)
        if room <= 0 or not cols:
            return cols, Fit(top, details, False)
        for with_details in (True, False) if details else (False,):
            for pt in sizes:
                for split in (False, True):
                    fit = Fit(pt, with_details, split)
                    if self._needed(cols, fit) <= room:
                        return cols, fit
        shown = list(cols)
        fit = Fit(floor, False, True)
        while len(shown) > 1 and self._needed(shown, fit) > room:
            shown.pop()
        return shown, fit

    def _refit(self) -> None:
        """Columns, type and details for the board's width, then for its height: the
        causes and codes show only when the stage gives the board the height they take
        (its minimum is the board without them, so a small screen's canvases keep their
        room)."""
        all_cols = columns(self.rows)
        cols, fit = self._choose(all_cols, self._details)
        self._place(all_cols, cols, fit._replace(details=False))
        folded = super().sizeHint().height()
        full = folded
        if fit.details:
            self._place(all_cols, cols, fit)
            full = super().sizeHint().height()
            if full > self.height():  # no room for them: the largest type without
                cols, fit = self._choose(all_cols, False)
                self._place(all_cols, cols, fit)
                folded = super().sizeHint().height()
        if (folded, full) != self._heights:
            self._heights = (folded, full)
            self.updateGeometry()

    def _place(self, all_cols: list[Column], cols: list[Column], fit: Fit) -> None:
        self.fit = fit
        self._grid.invalidate()  # (hints measured right after the texts change)
        self.hidden = [c.main.label for c in all_cols[len(cols) :]]
        labels = [c.main.label for c in cols]
        if labels != self._labels:
            self._build(labels)
        tip = f"Not shown for want of room: {', '.join(self.hidden)}" if self.hidden else ""
        self.setToolTip(tip)
        self._fill(cols)
        self._grid.invalidate()

    @property
    def point_size(self) -> float:
        return self.fit.pt

    @property
    def showing_details(self) -> bool:
        return self.fit.details

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width(), max(hint.height(), self._heights[1]))

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(hint.width(), self._heights[0] or hint.height())

    def _build(self, labels: list[str]) -> None:
        grid = self._grid
        while grid.count():
            item = grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:  # off the board now, not when the loop deletes it
                widget.hide()  # (an export renders before then)
                widget.setParent(None)
                widget.deleteLater()
        for c in range(grid.columnCount()):
            grid.setColumnStretch(c, 0)
        self._labels = labels
        self.cells, self.heads = {}, {}
        for c, label in enumerate(labels, start=1):
            head = QLabel()
            head.setObjectName("head")
            head.setTextFormat(Qt.TextFormat.PlainText)
            head.setIndent(0)  # (a frame's default indent: width the fit does not count)
            head.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
            grid.addWidget(head, 0, c)
            self.heads[label] = head
        for r, name in enumerate(self.ROWS, start=1):
            side = QLabel(name)
            side.setObjectName("side")
            side.setIndent(0)
            grid.addWidget(side, r, 0)
            for c, label in enumerate(labels, start=1):
                cell = QLabel()
                cell.setTextFormat(Qt.TextFormat.RichText)
                cell.setIndent(0)
                cell.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                grid.addWidget(cell, r, c)
                self.cells[(name, label)] = cell
        grid.setColumnStretch(len(labels) + 1, 1)
        for i in range(grid.count()):  # (not at the next event: measured at once)
            item = grid.itemAt(i)
            if item is not None and item.widget() is not None:
                item.widget().show()

    def _fill(self, cols: list[Column]) -> None:
        if not self.cells:
            return
        pt = self.fit.pt
        font = self._font(pt)
        metrics = QFontMetrics(font)
        for label in self.findChildren(QLabel):
            label.setFont(font)
        small = f"font-size: {pt * DETAIL_SHARE:.1f}pt; color: {self._theme.muted}"
        for col in cols:
            label = col.main.label
            self.heads[label].setText(self.fit.head(col, metrics))
            for name, side in zip(self.ROWS, self.SIDES, strict=True):
                better = side is not None and col.main.better is side
                value = html.escape(col.value(side))
                text = f"✓ <b>{value}</b>" if better else value
                self._set(name, label, text, col.details(side), small, better)

    def _set(
        self, row: str, label: str, text: str, details: list[str], small: str, better: bool
    ) -> None:
        cell = self.cells[(row, label)]
        words = " · ".join(details)
        if words and self.showing_details:
            text += f"<br><span style='{small}'>{html.escape(words)}</span>"
        cell.setText(text)
        cell.setToolTip("" if self.showing_details else words)
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

    def show_title(self, title: CompareTitle, only_here: list[str]) -> None:
        text = html.escape(title)
        if only_here:
            note = f"{title.side} only: " + ", ".join(only_here)
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
        self._alone_min_h = canvas_a.minimumHeight()
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
        # two compact canvases under the board: each may be shorter than one alone, so
        # the window, board and titles included, still fits a 1280×720 screen
        for canvas in (self.canvas_a, self.canvas_b):
            canvas.setMinimumHeight(COMPARE_CANVAS_MIN_H if on else self._alone_min_h)

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
