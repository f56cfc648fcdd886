"""Plots at 1280×720: legends keep the words that tell A from B, titles whole, no empty
memory plot where nothing takes memory, and presenter mode's "all plots" (P) shows only
as many as keep a readable data area."""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QRect
from PySide6.QtGui import QFontMetricsF

from visualizer.ui.plots.style import font
from visualizer.ui.window.fit import FRAME_GUESS
from visualizer.ui.window.main_window import MainWindow


def laptop(qtbot, window: MainWindow, preset: str, t: float) -> None:
    """``preset`` at ``t`` in a window the size a 1280×720 screen leaves it."""
    size = QRect(0, 0, 1280, 720).marginsRemoved(FRAME_GUESS).size()
    window.open_preset(preset)
    window.showNormal()
    window.resize(size)
    qtbot.waitUntil(lambda: window.size() == size)
    window.driver.step(t)
    window.driver.tick(0.0)


def shown(window: MainWindow):
    return [p for p in window.plot_dock.panel.plots if p.isVisible()]


def legend_texts(plot) -> list[str]:
    """What the legend writes for each series, as drawn (cut to the room if need be)."""
    return [text for _, _, entry, text in plot.legend._placed if entry is not None]


def test_plots_keep_their_words_at_1280_by_720(qtbot, open_window):
    window = open_window("compare-counter-signed")
    # compare: the legends name each side by what differs from the other, whole
    laptop(qtbot, window, "compare-counter-signed", 30.0)
    a, b = window.driver.comparison.titles  # "A: count on the client, unsigned", …
    assert a.endswith("unsigned") and b.endswith(", signed")
    plots = shown(window)
    assert len(plots) >= 4
    for plot in plots:
        if plot.name == "errors" and not plot.legend.entries:
            continue
        qtbot.waitUntil(lambda plot=plot: bool(plot.legend._placed))
        texts = legend_texts(plot)
        assert "A: unsigned" in texts and "B: signed" in texts, (plot.name, texts)
        assert not any("…" in text for text in texts), (plot.name, texts)
    # a long title, in a plot a fifth of the row: every word of it, inside the plot
    laptop(qtbot, window, "compare-polling", 20.0)
    lost = window.plot_dock.panel.lost
    assert lost.isVisible() and lost.title == "Polls, reconnects and connections"
    with contextlib.suppress(qtbot.TimeoutError):  # (then say what it shows)
        qtbot.waitUntil(lambda: lost._title_shown[1].split() == lost.title.split())
    assert lost._title_shown[1].split() == lost.title.split(), lost._title_shown
    points, text = lost._title_shown
    metrics = QFontMetricsF(font(points, True))
    widest = max(metrics.horizontalAdvance(line) for line in text.split("\n"))
    assert widest <= lost.width() - 16, (text, widest, lost.width())
    title = lost.getPlotItem().titleLabel.item
    inside = lost.mapToScene(lost.viewport().rect()).boundingRect()

    def title_inside() -> bool:
        return inside.contains(title.mapRectToScene(title.boundingRect()))

    qtbot.waitUntil(title_inside)  # (once the plot's layout has taken the new title)


def test_no_empty_memory_plot_and_p_shows_only_readable_plots(qtbot, open_window):
    window = open_window("counter-diverges")
    laptop(qtbot, window, "counter-diverges", 30.0)
    names = window.plot_dock.panel.shown_names()
    assert "memory" not in names and len(names) == 4  # counts take no memory
    window.presenter.enter()
    window.showNormal()  # the offscreen screen is not 1280×720: size the window as one
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.size().width() == 1280 and window.height() == 720)
    share = window.presenter.PLOTS_SHARE
    qtbot.waitUntil(lambda: window.plots_dock.height() <= round(720 * share))
    window.presenter.cycle_plots()  # P: all the plots there is room for
    assert window.presenter.plots_view == "all"
    panel = window.plot_dock.panel

    def readable() -> bool:
        return all(p.vb.height() >= 50 and p.width() >= 250 for p in shown(window))

    qtbot.waitUntil(readable)  # (laid out at the next events)
    assert "memory" not in panel.shown_names()
    assert set(window.driver.config.scenario.plots.split()) <= set(panel.shown_names())
    window.presenter.leave()
    # a lesson whose sessions take memory keeps its memory plot
    laptop(qtbot, window, "sticky-crash", 5.0)
    assert "memory" in window.plot_dock.panel.shown_names()


def test_a_slide_keeps_only_the_plots_whose_data_a_room_can_read(qtbot, open_window):
    """gateway-services asks for three plots; at 1280x720 in presenter mode their legends
    fill once the run has data, and then only two keep a readable data area (the third
    was kept with 35 px of data: which plots fit is decided again when a legend grows)."""
    from PySide6.QtCore import QSize

    from visualizer.ui.export.slides import deck, render_slide
    from visualizer.ui.plots.row import MIN_DATA_H

    window = open_window()
    info = next(s for s in deck() if s.name == "gateway-services")
    render_slide(window, info, QSize(1280, 720))
    plots = shown(window)
    assert window.driver.config.scenario.plots.split() == ["lost", "errors", "requests"]
    assert 1 <= len(plots) < 3
    row = window.plot_dock.panel.plots[0].parentWidget()
    for plot in plots:
        data = plot.getPlotItem().vb.height()
        assert data >= MIN_DATA_H * row.text_scale, (plot.title, data)
