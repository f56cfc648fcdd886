"""Compare mode's plots: A and B overlaid (A solid, B dashed) on the same five plots, one
line per side, legends naming the sides by their titles, shared markers shown once."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.test_plots import hover, pen_color, ys
from visualizer.app.compare import Side
from visualizer.lessons.services.model import FIGURES
from visualizer.sim import commands as ev
from visualizer.sim.records import EventKind, Marker
from visualizer.ui.colors import FAILURE
from visualizer.ui.compare.plots import FAILURE_B, ComparePlots, merge_markers
from visualizer.ui.export import actions as exporter
from visualizer.ui.export import render as export
from visualizer.ui.plots.panel import PlotPanel, trailing_mean
from visualizer.ui.plots.style import DASHES
from visualizer.ui.present.presenter import PresenterMode

#: (plot name, the key of each side's line, a side's value per sample)
SERIES = [
    ("lost", "lost", lambda s: sum(s.lost)),
    ("errors", "failed", lambda s: s.failed),
    ("memory", "memory", lambda s: s.memory_mb),
    ("latency", "p50", lambda s: s.p50_ms),
    ("latency", "p95", lambda s: s.p95_ms),
    ("requests", "ok", lambda s: s.ok),
]
RATES = {"errors", "requests"}  # drawn as 5 s means


@pytest.fixture
def comparing(open_window):
    """compare-crash at 70 s: server-2 crashed at 60 s on both sides; A lost carts."""
    window = open_window("compare-crash")
    assert window.driver.comparison is not None
    window.driver.step(70.0)
    window.refresh_plots()
    return window


def test_the_dock_shows_a_and_b_while_comparing_and_one_run_after(qtbot, comparing):
    window = comparing
    dock = window.plot_dock
    assert isinstance(window.plots, ComparePlots)
    assert dock.stack.currentWidget() is window.plots and window.plots.isVisible()
    window.driver.stop_comparing()
    qtbot.waitUntil(lambda: isinstance(window.plots, PlotPanel))
    assert dock.stack.currentWidget() is dock.single and dock.single.isVisible()
    window.refresh_plots()
    assert ("server", 0) in window.plots.memory.curves  # one run's per-server lines again


def test_every_plot_has_an_a_line_and_a_b_line_from_the_runs_samples(comparing):
    window = comparing
    plots = window.plots
    both = window.driver.comparison
    for name, key, value in SERIES:
        plot = plots.by_name[name]
        for side, run in (("A", both.a), ("B", both.b)):
            expected = np.array([value(s) for s in run.samples[-121:]], dtype=float)
            if name in RATES:
                expected = trailing_mean(expected)
            got = ys(plot, (side, key))
            assert got[-1] == pytest.approx(expected[-1], nan_ok=True), (name, side)
            assert np.allclose(got[: len(expected)], expected, equal_nan=True), (name, side)
        # side totals only: no per-server lines
        assert set(plot.curves) <= {(s, k) for s in "AB" for _, k, _ in SERIES}, name
    a_lost = both.a.summary()["sessions"]["lost"]
    assert a_lost > 0
    assert ys(plots.lost, ("A", "lost"))[-1] == a_lost
    assert ys(plots.lost, ("B", "lost"))[-1] == 0  # the shared store kept every cart
    assert plots.total_text == f"A {a_lost:,} · B 0 sessions lost"


def test_b_is_dashed_and_a_solid_and_only_failures_are_red(comparing):
    plots = comparing.plots
    for plot in plots.plots:
        for (side, key), curve in plot.curves.items():
            pen = curve.opts["pen"]
            if side == "A":
                assert pen.style() == Qt.PenStyle.SolidLine, (plot.name, key)
            else:
                assert pen.style() == Qt.PenStyle.CustomDashLine, (plot.name, key)
                assert tuple(pen.dashPattern()) == DASHES
            failure = plot.name in ("lost", "errors")
            color = pen_color(curve)
            if failure:
                assert color == (FAILURE if side == "A" else FAILURE_B), (plot.name, side)
            else:
                assert color not in (FAILURE, FAILURE_B), (plot.name, key)
        entries = {e.key: e for e in plot.legend.entries}
        for key, entry in entries.items():  # the legend draws B's sample dashed too
            assert bool(entry.dashes) == (key[0] == "B")
            assert entry.hollow == (key[0] == "B")  # and its end symbol hollow
    # p95 thinner than p50
    latency = plots.latency.curves
    assert latency[("A", "p95")].opts["pen"].widthF() < latency[("A", "p50")].opts["pen"].widthF()


def test_legends_name_both_sides_by_their_titles(comparing):
    plots = comparing.plots
    title_a, title_b = comparing.driver.comparison.titles
    assert (title_a, title_b) == ("A: sticky, server memory", "B: shared store")
    for plot in plots.plots:
        texts = [e.text for e in plot.legend.entries]
        assert texts[:2] == [title_a, title_b], plot.name
    assert [e.text for e in plots.latency.legend.entries][2:] == ["A p95", "B p95"]


def test_a_marker_both_sides_have_shows_once(comparing):
    plots = comparing.plots
    plots.show_only(["errors"])  # room for every label
    QApplication.processEvents()
    assert plots.errors.marker_labels() == ["✖ server-2"]  # not once per side
    assert len(plots.errors._markers) == 1


def test_a_marker_only_one_side_has_names_its_side(qtbot, comparing):
    window = comparing
    window.driver.apply(ev.CrashServer(2), Side.B)  # server-3 on side B only
    window.driver.step(5.0)
    window.refresh_plots()
    plots = window.plots
    plots.show_only(["errors"])
    QApplication.processEvents()
    assert plots.errors.marker_labels() == ["✖ server-2", "B: ✖ server-3"]


def test_merged_markers():
    def crash(t, server, lost):
        return Marker(
            t,
            f"server-{server} crashed: {lost} sessions lost",
            EventKind.SERVER_CRASHED,
            server - 1,
        )

    setting = Marker(
        10.0, "balancer.sticky = False", EventKind.SETTING_CHANGED, -1, "balancer.sticky", False
    )
    a = [setting, crash(60.0, 2, 262)]
    b = [setting, crash(40.0, 3, 0), crash(60.0, 2, 0)]
    merged = merge_markers(a, b)
    assert [m.t for m in merged.markers] == [10.0, 40.0, 60.0]
    assert merged.sides == {b[1]: "B"}
    assert merged.notes[a[1]] == (
        "A: server-2 crashed: 262 sessions lost · B: server-2 crashed: 0 sessions lost"
    )
    assert setting not in merged.notes  # the same on both sides: its own words


def test_hovering_reads_out_each_side_and_the_crash(comparing):
    plots = comparing.plots
    a_lost = comparing.driver.comparison.a.summary()["sessions"]["lost"]
    hover(plots.lost, 65.0, 1.0)
    lines = plots.lost.readout.splitlines()
    assert lines[:3] == ["t = 65 s", f"A: {a_lost:,}", "B: 0"]
    hover(plots.lost, 60.0, 1.0)
    assert "A: server-2 crashed: " in plots.lost.readout
    assert "B: server-2 crashed: 0 sessions lost" in plots.lost.readout


def test_show_only_the_named_plots_in_compare_mode(comparing):
    window = comparing
    window.show_plots(["lost", "latency"])
    assert window.plots.shown_names() == ["lost", "latency"]
    window.show_plots(None)
    assert window.plots.shown_names() == list(ComparePlots.NAMES)


def test_presenter_mode_scales_the_text_of_whichever_plots_show(qtbot, comparing):
    window = comparing
    pair = window.plots
    window.presenter.enter()
    scale = PresenterMode.PLOT_TEXT_SCALE
    assert scale == pytest.approx(1.4)
    assert pair.text_scale == scale and pair.lost.legend._font.pointSizeF() > 10 * 1.3
    assert pair.shown_names() == ["lost", "latency"]  # the preset's plots
    window.driver.stop_comparing()
    qtbot.waitUntil(lambda: isinstance(window.plots, PlotPanel))
    assert window.plots.text_scale == scale  # the other panel too
    assert window.plots.shown_names() == ["lost", "latency"]
    window.presenter.leave()
    assert window.plots.text_scale == 1.0 and pair.text_scale == 1.0


def test_a_wide_short_plot_has_its_legend_beside_the_data(qtbot, comparing):
    window = comparing
    window.presenter.enter()
    window.showNormal()
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.size().width() == 1280)
    lost = window.plots.lost
    qtbot.waitUntil(lambda: lost.legend_beside)
    QApplication.processEvents()
    data = lost.vb.sceneBoundingRect()
    assert data.height() >= 60  # the data keeps its room at 1.4× text
    title_a, title_b = window.driver.comparison.titles
    assert [text for *_, text in lost.legend._placed] == [title_a, title_b]  # not cut short
    for rect in lost.legend.entry_rects():
        assert not rect.intersects(data) and rect.left() >= data.right()
    window.presenter.leave()
    qtbot.waitUntil(lambda: not window.plots.lost.legend_beside)  # below, five plots in a row


def test_exports_take_the_overlaid_plots(comparing, monkeypatch):
    window = comparing
    drawn = []
    render = export.render_widget
    monkeypatch.setattr(export, "render_widget", lambda w, *a: drawn.append(w) or render(w, *a))
    assert exporter.plot_names(window) == ComparePlots.NAMES
    image = exporter.plot_picture(window, 0, stamp=False)
    assert not image.isNull() and image.width() > 100
    exporter.plots_picture(window, stamp=False)
    pair = window.plot_dock.pair
    assert drawn == [pair.lost, pair]


def test_a_theme_change_keeps_comparing(comparing):
    window = comparing
    window.set_theme("dark")
    plots = window.plots
    assert isinstance(plots, ComparePlots) and plots.theme.name == "dark"
    assert ys(plots.lost, ("B", "lost"))[-1] == 0 and ys(plots.lost, ("A", "lost"))[-1] > 0


def test_a_lesson_figure_that_is_not_a_failure_is_not_written_in_red(open_window):
    """compare-drain at 100 s: A's queue still holds hundreds, B's has drained; messages
    waiting are news, not failures, so neither number is red, and the plot draws the
    queue depth of both sides (the services lesson's first line)."""
    window = open_window("compare-drain")
    window.driver.step(100.0)
    window.refresh_plots()
    plots = window.plots
    a, b = plots.total.values
    assert a > 100 and a > 10 * max(b, 1)
    assert plots.total_text == f"A {a:,} · B {b:,} messages waiting"
    assert all(color != FAILURE for _, color in plots.total._parts())
    depth = window.driver.comparison.a.samples[-1].lesson[FIGURES.index("services_queue_depth")]
    assert ys(plots.lost, ("A", "lesson"))[-1] == depth
