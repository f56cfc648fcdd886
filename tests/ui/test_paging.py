"""Presenter mode's PgDn/PgUp: every preset a numbered slide in teaching order, paging
stops at the ends and says so, and a new slide keeps nothing of the last one (its axes,
its speed)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from visualizer.sim.scenario import list_presets
from visualizer.ui.plots.style import X_STEP_S
from visualizer.ui.present.presenter import slide_text, slides


def test_every_preset_is_a_slide_numbered_once_in_teaching_order():
    presets = list_presets()
    assert [p.slide for p in presets] == list(range(1, len(presets) + 1))
    assert slides() == [p.name for p in presets]
    # the signed-count comparison follows the slide that asks to sign the count
    order = slides()
    assert order.index("compare-counter-signed") == order.index("counter-client") + 1


def test_paging_stops_at_the_last_and_the_first_slide_and_the_bar_says_so(qtbot, open_window):
    order = slides()
    window = open_window(order[-1])
    window.presenter.enter()
    window.driver.step(5.0)
    run = window.driver.run
    qtbot.keyClick(window.canvas, Qt.Key.Key_PageDown)  # past the last: nothing happens
    assert window.driver.run is run and window.driver.now == 5.0
    assert window.driver.config.scenario.name == order[-1]
    assert slide_text(order[-1]) == f"{order[-1]} {len(order)}/{len(order)}, the last (PgUp)"
    window.driver.tick(0.0)
    assert "the last (PgUp)" in window.presenter_bar.text()
    qtbot.keyClick(window.canvas, Qt.Key.Key_PageUp)
    assert window.driver.config.scenario.name == order[-2]
    window.open_preset(order[0])
    qtbot.keyClick(window.canvas, Qt.Key.Key_PageUp)  # before the first: nothing either
    assert window.driver.config.scenario.name == order[0]
    assert slide_text(order[0]) == f"{order[0]} 1/{len(order)} (PgDn)"
    window.presenter.leave()


def test_a_new_slide_starts_at_1x_with_fresh_axes(qtbot, open_window):
    window = open_window("sticky-crash")
    window.presenter.enter()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Plus)
    qtbot.keyClick(window.canvas, Qt.Key.Key_Plus)
    assert window.driver.speed > 1.0
    window.driver.step(150.0)  # past the crash: lost sessions in the hundreds
    window.driver.tick(0.0)  # (paused: every plot drawn at once)
    plots = [p for p in window.plots.plots if p.isVisible()]
    assert plots and all(p.getPlotItem().viewRange()[0][1] > 100 for p in plots)
    qtbot.keyClick(window.canvas, Qt.Key.Key_PageDown)
    assert window.driver.config.scenario.name == slides()[1]
    assert window.driver.speed == 1.0
    window.driver.tick(0.0)
    for plot in window.plots.plots:
        (x0, x1), (y0, y1) = plot.getPlotItem().viewRange()
        assert (x0, x1) == (0.0, X_STEP_S), (plot.name, x0, x1)
        assert y0 == 0.0 and y1 <= 10.0, (plot.name, y1)  # not the last slide's hundreds
    assert "1×" in window.presenter_bar.text()
    window.presenter.leave()
