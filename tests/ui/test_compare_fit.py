"""Compare slides at 1280×720, as a laptop and as a projector shows them: every number
and head of the scoreboard whole on one line, both canvases whole under it."""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QRect
from PySide6.QtGui import QFontMetrics, QTextDocument
from PySide6.QtWidgets import QLabel

from visualizer.sim import scenario
from visualizer.ui.compare.view import COMPARE_CANVAS_MIN_H
from visualizer.ui.window.fit import FRAME_GUESS
from visualizer.ui.window.main_window import MainWindow

COMPARE_PRESETS = sorted(p.name for p in scenario.list_presets() if p.name.startswith("compare-"))


def text_size(label: QLabel) -> tuple[float, float]:
    """Width and height the label's text takes on one line per line it has."""
    if label.textFormat() == label.textFormat().PlainText:
        metrics = QFontMetrics(label.font())
        lines = label.text().split("\n")
        return max(metrics.horizontalAdvance(line) for line in lines), metrics.height() * len(lines)
    doc = QTextDocument()
    doc.setDocumentMargin(0)
    doc.setDefaultFont(label.font())
    doc.setHtml(label.text())
    return doc.idealWidth(), doc.size().height()


def in_window(widget, window: MainWindow) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def problems(window: MainWindow, where: str) -> list[str]:
    """What is cut, wrapped or off the window on the board and the canvases."""
    stage = window.comparing.stage
    board = stage.scoreboard
    out = []
    if not board._labels or board._labels[0] != board.rows[0].label:  # the lesson's own
        out.append(f"{where}: the lesson's measure is not on the board: {board._labels}")
    labels = [w for w in board.findChildren(QLabel) if w.isVisibleTo(board)]
    if len(labels) != 4 * len(board._labels) + 3:
        out.append(f"{where}: {len(labels)} labels for {board._labels}")
    for label in labels:
        name = f"{where}: {label.text()!r}"
        room = label.contentsRect()
        width, height = text_size(label)
        if label.wordWrap():
            out.append(f"{name} wraps")
        if width > room.width() + 0.5 or height > room.height() + 1:  # cut
            out.append(f"{name} needs {width:.0f}×{height:.0f} in {room.width()}×{room.height()}")
        if not board.rect().contains(label.geometry()):
            out.append(f"{name} off the board")
    if not stage.rect().contains(board.geometry()):
        out.append(f"{where}: board off the stage")
    for canvas in (stage.canvas_a, stage.canvas_b):
        box = in_window(canvas, window)
        if canvas.height() < COMPARE_CANVAS_MIN_H or not window.rect().contains(box):
            out.append(f"{where}: canvas {box} in {window.rect()}")
        if box.bottom() >= in_window(window.timeline, window).top():
            out.append(f"{where}: canvas {box} under the timeline")
    return out


def check(qtbot, window: MainWindow, where: str) -> None:
    """No problem once the layout has settled (it follows the texts at the next event)."""
    with contextlib.suppress(qtbot.TimeoutError):  # (then say which)
        qtbot.waitUntil(lambda: not problems(window, where), timeout=2000)
    assert problems(window, where) == []


def test_every_compare_slide_fits_1280_by_720_laptop_and_projector(qtbot, open_window):
    window = open_window(COMPARE_PRESETS[0])
    laptop = QRect(0, 0, 1280, 720).marginsRemoved(FRAME_GUESS).size()
    for name in COMPARE_PRESETS:
        window.open_preset(name)
        window.showNormal()
        window.resize(laptop)
        window.driver.step(0.8 * window.driver.config.scenario.duration_s)  # (every column)
        window.driver.tick(0.0)
        # the window, compare mode's board and titles included, fits the screen
        with contextlib.suppress(qtbot.TimeoutError):
            qtbot.waitUntil(lambda: window.size() == laptop)
        need = window.minimumSizeHint().grownBy(FRAME_GUESS)
        assert need.width() <= 1280 and need.height() <= 720, (name, need)
        assert window.size() == laptop, (name, window.size())
        qtbot.waitUntil(lambda: window.comparing.stage.scoreboard.height() > 20)
        check(qtbot, window, f"{name} at {laptop.width()}×{laptop.height()}")
        window.presenter.enter()
        window.showNormal()  # the offscreen screen is not 1280×720: size it as one
        window.resize(1280, 720)
        qtbot.waitUntil(lambda: window.size().width() == 1280 and window.height() == 720)
        board = window.comparing.stage.scoreboard
        assert board.point_size > 11.0 and not board.showing_details  # the room's type
        check(qtbot, window, f"{name} presenting")
        window.presenter.leave()
