"""The live plots: one meaning per line, legends outside the data, the loss written large
(zero included), plots that end at the canvas's moment, labelled markers that never
overprint, a hover readout, colours visible on dark backgrounds, and presenter support."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from tests.ui.test_theme import distance
from visualizer.sim.config import PLOT_NAMES
from visualizer.sim.metrics import ERROR_CODES
from visualizer.sim.records import ErrorCode, EventKind, LossCause, Marker, Note
from visualizer.ui.colors import (
    CONTRAST,
    DARK,
    ERROR_COLORS,
    FAILURE,
    GREEN,
    LIGHT,
    LOSS_COLORS,
    SERVER_COLORS,
)
from visualizer.ui.plots.panel import PlotPanel, trailing_mean
from visualizer.ui.plots.style import (
    BIG_PT,
    TICK_PT,
    contrast_ratio,
    display_color,
    marker_label,
    setting_label,
)


def draw(window, live: bool = True) -> PlotPanel:
    """Every plot brought up to the moment shown (with that moment's snapshot)."""
    run = window.driver.run
    snap = run.snapshot()
    names = {s.index: s.name for s in snap.servers}
    window.plots.set_samples(run.samples, run.markers, names, live=snap if live else None)
    QApplication.processEvents()
    return window.plots


def ys(plot, key) -> np.ndarray:
    return np.asarray(plot.curves[key].getData()[1], dtype=float)


def pen_color(curve) -> str:
    return curve.opts["pen"].color().name().upper()


def test_five_plots_in_a_stable_order():
    assert PlotPanel.NAMES == PLOT_NAMES == ("lost", "errors", "memory", "latency", "requests")


def test_the_panel_has_five_plots_and_which_picks_them(open_window):
    window = open_window("sticky-crash")
    window.driver.step(20.0)
    plots = window.plots
    assert [p.name for p in plots.plots] == list(PlotPanel.NAMES)
    assert plots.by_name["errors"] is plots.errors and plots.plots[4] is plots.rps
    plots.clear()
    run = window.driver.run
    plots.set_samples(run.samples, run.markers, {}, [2])  # memory only, by index
    assert len(plots.memory.curves[("server", 0)].getData()[0]) >= 19
    assert not plots.latency.curves and not plots.lost.curves
    plots.set_samples(run.samples, run.markers, {}, ["latency"])  # or by name
    assert len(plots.latency.curves["p50"].getData()[0]) >= 19


def test_nothing_lost_reads_zero_while_errors_show_the_crash(open_window):
    window = open_window("shared-store")
    window.driver.step(75.0)  # server-2 crashed at 60 s; the store kept every session
    plots = draw(window)
    assert plots.total_text == "0 sessions lost"
    assert plots.total.isVisible() and plots.total.value == 0
    assert plots.total.color != FAILURE  # zero is not a failure
    for key in plots.lost.curves:
        assert not ys(plots.lost, key).any(), key  # no loss line rises
    assert all(key[0] == "lost" for key in plots.lost.curves)  # no errors on this plot
    assert ys(plots.errors, ("error", ErrorCode.SERVER_DOWN)).max() > 0
    assert not plots.quiet.isVisible()


def test_every_error_code_gets_its_own_line_and_symbol(open_window):
    """(The errors plot once had six symbols for eight codes and failed at the seventh.)"""
    window = open_window("sticky-crash")
    window.driver.step(10.0)
    run = window.driver.run
    every = tuple(1 for _ in ERROR_CODES)
    samples = [dataclasses.replace(s, errors=every) for s in run.samples]
    window.plots.set_samples(samples, [], {}, ["errors"])
    errors = window.plots.errors
    assert {key[1] for key in errors.curves} == set(ERROR_CODES)
    symbols = [entry.symbol for _, entry in errors.legend.items]
    assert len(set(symbols)) == len(ERROR_CODES)


def test_no_failures_says_so(open_window):
    window = open_window("sticky-crash")
    window.driver.step(30.0)
    plots = draw(window)
    assert plots.quiet.isVisible() and plots.quiet.text() == "no failed requests"
    assert plots.total_text == "0 sessions lost"


def test_the_lost_plot_ends_at_the_moment_shown(open_window):
    window = open_window("sticky-crash")
    d = window.driver
    d.step(60.5)  # just after server-2's crash at 60 s: no whole second has counted it yet
    run = d.run
    snap = run.snapshot()
    crashed = snap.lost_by_cause[0]
    assert crashed > 0 and run.samples[-1].lost[0] == 0
    plots = draw(window, live=False)
    assert "crash (0)" in [e.text for _, e in plots.lost.legend.items]  # the old picture
    plots = draw(window)
    x, y = plots.lost.curves[("lost", LossCause.CRASH)].getData()
    assert x[-1] == pytest.approx(snap.t) and y[-1] == crashed
    assert f"crash ({crashed:,})" in [e.text for _, e in plots.lost.legend.items]
    assert plots.total_text == f"{crashed:,} sessions lost"
    # memory ends there too: the crashed server holds nothing any more
    x, y = plots.memory.curves[("server", 1)].getData()
    assert x[-1] == pytest.approx(snap.t) and y[-1] == 0 and y[-2] > 0


def test_legends_lie_outside_the_data_with_16_servers(open_window, qtbot):
    window = open_window("memory-growth", servers__count=16)
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.width() == 1280)
    window.driver.step(40.0)
    plots = draw(window)
    memory = plots.memory
    assert len([k for k in memory.series if k[0] == "server"]) == 16
    for plot in plots.plots:
        QApplication.processEvents()
        data = plot.vb.sceneBoundingRect()
        visible = plot.mapToScene(plot.viewport().rect()).boundingRect()
        rects = plot.legend.entry_rects()
        assert len(rects) >= len(plot.legend.entries), plot.name
        for rect in rects:
            assert not rect.intersects(data), (plot.name, rect, data)
            assert visible.contains(rect), (plot.name, rect, visible)  # nothing clipped
        assert data.height() > 40, plot.name  # the data keeps room
        item = plot.getPlotItem()  # nothing (a long title, say) makes a plot overflow
        assert visible.contains(item.sceneBoundingRect().adjusted(1, 1, -1, -1)), plot.name
        title = item.titleLabel.item  # the title's text
        assert visible.contains(title.mapRectToScene(title.boundingRect())), plot.name
    assert memory.legend.compact  # 16 servers: numbers after a "server" heading
    assert memory.width() < 260  # five plots in a 1280 px window


def test_requests_show_failed_apart_in_the_failure_red(open_window):
    window = open_window("store-outage")
    window.driver.step(75.0)  # the store died at 60 s: requests fail at every server
    plots = draw(window)
    rps = plots.rps
    failed = rps.curves[("failed",)]
    assert pen_color(failed) == FAILURE
    assert ys(rps, ("failed",))[-1] > 5
    # the server lines count ok requests only
    samples = window.driver.run.samples[-121:]
    ok = np.array([s.servers[0].served for s in samples], dtype=float)
    assert ys(rps, ("server", 0))[-1] == pytest.approx(trailing_mean(ok)[-1])
    assert ys(rps, ("server", 0))[-1] < 5
    assert next(e.text for _, e in rps.legend.items) == "failed (all)"


def test_memory_shows_the_total_in_its_own_colour(open_window):
    window = open_window("memory-growth")
    window.driver.step(150.0)
    plots = draw(window, live=False)
    memory = plots.memory
    last = window.driver.run.samples[-1]
    assert ys(memory, ("total",))[-1] == pytest.approx(last.memory_mb)
    assert last.memory_mb > 200
    color = pen_color(memory.curves[("total",)])
    assert color not in SERVER_COLORS and color != FAILURE
    assert min(distance(color, s) for s in SERVER_COLORS) > 75
    labels = [e.text for _, e in memory.legend.items]
    assert labels[0] == f"total {last.memory_mb:,.0f} MB"


def hover(plot, t: float, y: float, below: int = 0) -> None:
    """A mouse move over the plot at data point (t, y), or ``below`` pixels under it."""
    scene = plot.vb.mapViewToScene(QPointF(t, y))
    pos = plot.mapFromScene(scene) + QPoint(0, below)
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(pos),
        QPointF(plot.viewport().mapToGlobal(pos)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(plot.viewport(), event)


def test_hovering_a_plot_reads_out_each_series_at_that_time(open_window):
    window = open_window("sticky-crash")
    window.driver.step(40.0)
    plots = draw(window)
    memory = plots.memory
    sample = next(s for s in window.driver.run.samples if s.t == 20.0)
    hover(memory, 20.2, 5.0)
    lines = memory.readout.splitlines()
    assert lines[0] == "t = 20 s"
    assert lines[1].startswith("total: ")  # in legend order
    assert f"server-1: {sample.servers[0].memory_mb:,.1f} MB" in lines
    assert f"total: {sample.memory_mb:,.1f} MB" in lines
    assert memory.hover_line.isVisible() and memory.hover_line.value() == 20.0
    assert len(memory.hover_dots.data) == 5
    # outside the data area (over the axis): the readout goes
    hover(memory, 20.0, 0.0, below=12)
    assert memory.readout == "" and not memory.hover_line.isVisible()


def test_the_readout_names_a_marker_at_that_time(open_window):
    window = open_window("sticky-crash")
    window.driver.step(70.0)
    plots = draw(window)
    hover(plots.lost, 60.0, 1.0)
    assert "server-2 crashed" in plots.lost.readout
    assert "crash: " in plots.lost.readout


def test_setting_markers_carry_short_labels(open_window):
    window = open_window("sticky-crash")
    d = window.driver
    d.step(5.0)
    d.set_value("balancer.sticky", False)
    d.step(30.0)
    d.set_value("state.mode", "shared")
    d.step(30.0)
    d.set_value("servers.count", 6)
    d.step(10.0)
    plots = draw(window)
    plots.show_only(["errors"])  # room for every label
    QApplication.processEvents()
    labels = plots.errors.marker_labels()
    for expected in ("sticky off", "store on", "6 servers"):
        assert expected in labels, labels
    assert "✖ server-2" in labels  # the crash at 60 s keeps its label
    assert not any(label.startswith("+ server") for label in labels)  # "6 servers" says it


@pytest.mark.parametrize(
    ("key", "value", "before", "short"),
    [
        ("balancer.sticky", True, None, "sticky on"),
        ("balancer.sticky", False, None, "sticky off"),
        ("state.mode", "shared", None, "store on"),
        ("state.mode", "token", None, "tokens"),
        ("state.mode", "local", "shared", "store off"),
        ("state.mode", "local", "token", "stateful"),
        ("servers.count", 6, None, "6 servers"),
        ("balancer.algorithm", "least_connections", None, "least conn."),
        ("traffic.users_per_s", 40.0, None, "40 users/s"),
        ("state.session_kb", 100.0, None, "sessions 100 KB"),
        ("store.replicas", 0, None, "0 replicas"),
        ("balancer.health_check_s", 0.0, None, "no health check"),
        ("traffic.on_error", "retry", None, "on error retry"),
        ("services.consumer_up", False, None, "consumers stopped"),
        ("services.orders_db_up", True, None, "orders database up"),
        ("auth.blocklist", True, None, "blocklist on"),
    ],
)
def test_setting_labels(key, value, before, short):
    marker = Marker(1.0, f"{key} = {value}", EventKind.SETTING_CHANGED, -1, key, value)
    assert setting_label(marker, before) == short
    # the label is not read back: the same words under another key say that key
    other = dataclasses.replace(marker, key="servers.count", value=6)
    assert setting_label(other, before) == "6 servers"


def test_a_note_marker_says_its_typed_note_not_its_words():
    words = "crash server-9 skipped: no such server"
    note = Marker(1.0, words, EventKind.SETTING_CHANGED, -1, note=Note.SKIPPED)
    assert setting_label(note) == "skipped"
    full = Marker(1.0, "notification queue full (9 messages)", EventKind.SETTING_CHANGED, -1)
    assert setting_label(dataclasses.replace(full, note=Note.QUEUE_FULL)) == "queue full"
    # words that look like a note are not one: no word is read back out of a label
    assert setting_label(dataclasses.replace(note, note=Note.QUEUE_FULL)) == "queue full"


def test_one_command_that_set_two_keys_is_one_marker_saying_both():
    marker = Marker(
        1.0,
        "balancer.sticky = True, state.mode = shared",
        EventKind.SETTING_CHANGED,
        -1,
        "balancer.sticky",
        True,
        also=(("state.mode", "shared"),),
    )
    assert marker_label(marker) == "sticky on · store on"


def test_marker_labels_for_faults():
    def m(kind, label, server=0):
        return marker_label(Marker(1.0, label, kind, server))

    # the name is the marker's server, not the label's first word
    assert m(EventKind.SERVER_CRASHED, "server-2 crashed: 120 sessions lost", 1) == "✖ server-2"
    assert m(EventKind.SERVER_CRASHED, "out of memory: 9 sessions lost", 2) == "✖ server-3"
    assert m(EventKind.STORE_CRASHED, "store down: 5 sessions lost", -2) == "✖ store"
    assert m(EventKind.SERVER_RESTARTED, "server-2 restarted (empty)", 1) == "↺ server-2"
    assert m(EventKind.SERVER_ADDED, "added", 4) == "+ server-5"


def test_crowded_marker_labels_never_overprint(open_window):
    window = open_window("sticky-crash")
    window.driver.step(100.0)
    plots = draw(window)
    markers = [
        Marker(40.0 + k * 0.5, f"balancer.sticky = {k % 2 == 0}", EventKind.SETTING_CHANGED, -1)
        for k in range(30)
    ] + [Marker(55.0, "server-3 crashed: 10 sessions lost", EventKind.SERVER_CRASHED, 2)]
    for plot in plots.plots:
        plot.set_markers(markers, 0.0)
        shown = [m.label for m in plot._markers.values() if m.label.isVisible()]
        assert 0 < len(shown) < 31
        rects = [label.mapRectToParent(label.boundingRect()) for label in shown]
        for a, b in itertools.combinations(rects, 2):
            assert not a.intersects(b)
        assert "✖ server-3" in plot.marker_labels()  # crashes go first
        vb = plot.vb.rect()
        assert all(vb.contains(r) for r in rects)
    total = plots.lost.reserved[0]
    big = total.mapRectToParent(total.boundingRect())
    assert not any(
        big.intersects(m.label.mapRectToParent(m.label.boundingRect()))
        for m in plots.lost._markers.values()
        if m.label.isVisible()
    )


def test_show_only_the_named_plots(open_window):
    plots = open_window("sticky-crash").plots
    plots.show_only(["errors", "lost"])
    assert plots.shown_names() == ["lost", "errors"]
    plots.show_only(None)
    assert plots.shown_names() == list(PlotPanel.NAMES)
    with pytest.raises(ValueError, match="no plot named speed"):
        plots.show_only(["speed"])


def test_text_scale_grows_every_plot_text(open_window):
    window = open_window("sticky-crash")
    window.driver.step(70.0)
    plots = draw(window)
    lost = plots.lost
    axis = lost.getPlotItem().getAxis("left")
    assert axis.style["tickFont"].pointSizeF() >= 10.0 == TICK_PT
    before = {
        "title": lost._title_pt,
        "legend": lost.legend._font.pointSizeF(),
        "marker": next(iter(lost._markers.values())).label.font().pointSizeF(),
    }
    plots.show_only(["lost", "errors"])  # as in presenter mode: wider plots
    plots.set_text_scale(1.5)
    QApplication.processEvents()
    assert axis.style["tickFont"].pointSizeF() == pytest.approx(15.0)
    assert lost.legend._font.pointSizeF() == pytest.approx(1.5 * before["legend"])
    assert next(iter(lost._markers.values())).label.font().pointSizeF() == pytest.approx(
        1.5 * before["marker"]
    )
    plots.total.fit(2000, 2000)  # given room, the big number is 1.5 × its size
    assert plots.total.number_points == pytest.approx(1.5 * BIG_PT)
    assert lost._title_pt > before["title"]
    bottom = lost.getPlotItem().getAxis("bottom")
    assert "15.0pt" in bottom.labelStyle["font-size"]


@pytest.mark.parametrize("theme", [DARK, CONTRAST], ids=["dark", "contrast"])
def test_code_and_loss_colours_stand_out_on_dark_plots(theme):
    codes = [display_color(c, theme.plot_bg) for c in ERROR_COLORS.values()]
    losses = [display_color(c, theme.plot_bg) for c in LOSS_COLORS.values()]
    servers = [display_color(c, theme.plot_bg) for c in SERVER_COLORS]
    for color in codes + losses:
        assert contrast_ratio(color, theme.plot_bg) >= 3.0, color
    for color in servers:  # the cards' colours: changed only when nearly invisible
        assert contrast_ratio(color, theme.plot_bg) >= 2.5, color
    assert servers[0] == SERVER_COLORS[0]  # server-1's blue stays the cards' blue
    assert display_color(FAILURE, theme.plot_bg) == FAILURE  # the one red stays itself
    # lightened, the families stay apart (as tests/ui/test_theme.py asks of the palettes)
    others = [c for c in codes if c != FAILURE]
    assert min(distance(a, b) for a, b in itertools.combinations(codes, 2)) >= 90
    assert min(distance(a, b) for a in others for b in [*servers, GREEN]) >= 75
    assert min(distance(a, b) for a, b in itertools.combinations(servers, 2)) >= 90


def test_light_plots_use_the_palettes_as_they_are():
    for color in [*ERROR_COLORS.values(), *LOSS_COLORS.values(), *SERVER_COLORS]:
        assert display_color(color, LIGHT.plot_bg) == color


def test_a_dark_window_draws_codes_in_their_lightened_colours(open_window):
    window = open_window("sticky-crash", theme=DARK)
    window.driver.step(65.0)
    plots = draw(window)
    curve = plots.errors.curves[("error", ErrorCode.SERVER_DOWN)]
    color = pen_color(curve)
    assert color == display_color(ERROR_COLORS[ErrorCode.SERVER_DOWN], DARK.plot_bg)
    assert contrast_ratio(color, DARK.plot_bg) >= 3.0
    assert contrast_ratio(ERROR_COLORS[ErrorCode.SERVER_DOWN], DARK.plot_bg) < 1.5


def test_updates_leave_no_readout_when_the_mouse_is_elsewhere(open_window):
    window = open_window("sticky-crash")
    window.driver.step(30.0)
    plots = draw(window)
    for plot in plots.plots:
        assert plot.hover_x is None and not plot.hover_line.isVisible()
        assert plot.readout == ""


def test_the_big_number_fits_a_short_plot(open_window):
    window = open_window("store-outage")
    window.driver.step(65.0)
    plots = draw(window)
    total = plots.total
    assert total.value > 1000
    total.fit(400, 200)
    assert total.number_points == BIG_PT and total.shown == total.text
    total.fit(150, 24)  # a plots dock squeezed to its minimum
    rect = total.boundingRect()
    assert rect.height() <= 24 and rect.width() <= 150 - 16
    assert total.number_points < BIG_PT
    assert total.shown in (total.text, f"{total.value:,} lost")


def test_a_new_run_leaves_nothing_of_the_old_one(open_window):
    window = open_window("store-outage")
    window.driver.step(75.0)
    plots = draw(window)
    assert ("error", ErrorCode.STORE_UNAVAILABLE) in plots.errors.curves
    assert "store outage (" in " ".join(e.text for _, e in plots.lost.legend.items)
    window.open_preset("sticky-crash")
    window.driver.step(20.0)
    plots = draw(window)
    assert not plots.errors.curves and not plots.errors.legend.entries
    assert [e.text for _, e in plots.lost.legend.items] == ["crash (0)"]
    assert ("store",) not in plots.memory.curves  # no store in sticky-crash
    assert plots.lost.marker_labels() == []  # the store's crash was the old run's


def test_a_short_plot_shows_server_shapes_in_fleet_order(open_window):
    window = open_window("memory-growth", servers__count=16)
    window.driver.step(20.0)
    legend = draw(window).memory.legend
    legend.set_max_height(10_000)
    assert legend.level == legend.NUMBERS  # 16 full names would take too many rows
    roomy = legend.maximumHeight()
    legend.set_max_height(50)  # a plots dock at its minimum: a third of 150 px
    assert legend.level == legend.SHAPES
    texts = [text for _, _, _, text in legend._placed]
    assert "server 1–16" in texts
    assert legend.maximumHeight() < roomy
    shapes = [entry.symbol for _, _, entry, text in legend._placed if entry and not text]
    assert len(shapes) == 16  # each server's shape, no number
