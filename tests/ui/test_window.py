"""The window drives the engine: clicks, toggles, shortcuts, plots, explanation, status."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QContextMenuEvent, QImage, QPainter
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import card_point, click_card
from visualizer.sim import commands as ev
from visualizer.sim.config import Mode
from visualizer.sim.records import ErrorCode, LossCause
from visualizer.ui.colors import DARK


def test_clicking_a_server_card_crashes_it_and_clicking_again_restarts_it(qtbot, open_window):
    window = open_window("sticky-crash")
    sim = window.driver.run.engine
    window.driver.step(20.0)
    held = len(sim.servers[1].sessions)
    assert held > 0
    click_card(qtbot, window, 1)
    assert not sim.servers[1].up
    assert sim.totals.lost_by_cause[LossCause.CRASH] == held
    window.driver.step(0.5)
    assert window.scene.cards[1].status()[0] == "DOWN"
    click_card(qtbot, window, 1)
    assert sim.servers[1].up
    assert len(sim.servers[1].sessions) == 0


def test_clicking_the_store_crashes_and_restores_it(qtbot, open_window):
    window = open_window("shared-store")
    window.driver.step(5.0)
    store = window.scene.store_node
    assert store.isVisible()
    pos = window.canvas.mapFromScene(store.sceneBoundingRect().center())
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert not window.driver.run.engine.store.up
    window.driver.step(1.0)
    assert window.driver.run.engine.totals.by_code[ErrorCode.STORE_UNAVAILABLE] > 0
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert window.driver.run.engine.store.up


def test_the_three_toggles_change_the_engine(qtbot, open_window):
    window = open_window("sticky-crash")
    c, sim_config = window.controls, lambda: window.driver.config
    qtbot.mouseClick(c.sticky, Qt.MouseButton.LeftButton)
    assert sim_config().balancer.sticky is False
    qtbot.mouseClick(c.shared, Qt.MouseButton.LeftButton)
    assert sim_config().state.mode is Mode.SHARED
    assert c.stateful.isChecked()
    qtbot.mouseClick(c.stateful, Qt.MouseButton.LeftButton)
    assert sim_config().state.mode is Mode.TOKEN
    assert not c.shared.isChecked()
    qtbot.mouseClick(c.stateful, Qt.MouseButton.LeftButton)
    assert sim_config().state.mode is Mode.LOCAL
    labels = [m.label for m in window.driver.run.markers]
    assert "balancer.sticky = False" in labels and "state.mode = token" in labels


def test_parameter_controls_change_the_engine(qtbot, open_window):
    window = open_window("sticky-crash")
    c, d = window.controls, window.driver
    c.algorithm.setCurrentIndex(c.algorithm.findData("least_connections"))
    assert d.config.balancer.algorithm.value == "least_connections"
    c.servers.setValue(7)
    assert sum(s.live for s in d.run.engine.servers) == 7
    window.driver.step(0.2)
    assert len(window.scene.cards) == 7
    c.users.setValue(33.0)
    c.session_kb.setValue(120.0)
    c.store_ms.setValue(30.0)
    assert d.config.traffic.users_per_s == 33.0
    assert d.config.state.session_kb == 120.0
    assert d.config.store.latency_ms == 30.0
    c.speed.setValue(c.speed.maximum())
    assert d.speed == 50.0
    c.seed.setValue(42)
    assert d.config.scenario.seed == 42 and d.run.engine.now == 0.0
    qtbot.mouseClick(c.step, Qt.MouseButton.LeftButton)
    assert d.run.engine.now == pytest.approx(0.1)
    qtbot.mouseClick(c.play, Qt.MouseButton.LeftButton)
    assert d.running and c.play.text() == "❚❚ Pause"
    qtbot.mouseClick(c.reset, Qt.MouseButton.LeftButton)
    assert d.run.engine.now == 0.0


@pytest.mark.parametrize(
    ("key", "check"),
    [
        (Qt.Key.Key_T, lambda w: w.driver.config.state.mode is Mode.TOKEN),
        (Qt.Key.Key_S, lambda w: w.driver.config.balancer.sticky is False),
        (Qt.Key.Key_R, lambda w: w.driver.config.state.mode is Mode.SHARED),
        (Qt.Key.Key_2, lambda w: not w.driver.run.engine.servers[1].up),
        (Qt.Key.Key_Space, lambda w: w.driver.running),
        (Qt.Key.Key_Plus, lambda w: w.driver.speed == 2.0),
        (Qt.Key.Key_Minus, lambda w: w.driver.speed == 0.5),
        (Qt.Key.Key_Right, lambda w: w.driver.run.engine.now == pytest.approx(0.1)),
    ],
)
def test_keyboard_shortcuts(qtbot, open_window, key, check):
    window = open_window("sticky-crash")
    qtbot.keyClick(window.canvas, key)
    assert check(window)


def test_space_toggles_and_server_keys_restart(qtbot, open_window):
    window = open_window("sticky-crash")
    qtbot.keyClick(window.canvas, Qt.Key.Key_Space)
    qtbot.keyClick(window.canvas, Qt.Key.Key_Space)
    assert not window.driver.running
    qtbot.keyClick(window.canvas, Qt.Key.Key_3)
    qtbot.keyClick(window.canvas, Qt.Key.Key_3)
    server = window.driver.run.engine.servers[2]
    assert server.up and server.crashes == 1
    qtbot.keyClick(window.canvas, Qt.Key.Key_9)  # there is no server-9: a message, no crash
    assert "no server-9" in window.statusBar().currentMessage()


def test_f11_full_screen_and_ctrl_q_quits(qtbot, open_window):
    window = open_window("sticky-crash")
    qtbot.keyClick(window.canvas, Qt.Key.Key_F11)
    assert window.isFullScreen()
    qtbot.keyClick(window.canvas, Qt.Key.Key_F11)
    assert not window.isFullScreen()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible())
    assert not window.driver.timer_active


def test_playing_advances_simulated_time_with_the_timer(qtbot, open_window):
    window = open_window("sticky-crash")
    window.driver.set_speed(20.0)
    window.driver.play()
    qtbot.waitUntil(lambda: window.driver.run.engine.now > 3.0, timeout=10_000)
    assert window.driver.fps > 0
    window.driver.pause()


def test_plots_receive_data_and_markers(qtbot, open_window):
    window = open_window("sticky-crash")
    window.driver.step(65.0)
    plots = window.plots
    assert plots.updates >= 1
    x, y = plots.memory.curves[("server", 0)].getData()
    assert len(x) >= 60 and y[-1] > 0
    _, lost = plots.lost.curves[("lost", LossCause.CRASH)].getData()
    assert lost[-1] > 0
    _, p95 = plots.latency.curves["p95"].getData()
    assert np.nanmax(p95) > 0
    assert any("server-2 crashed" in key[1] for key in plots.lost._markers)
    assert plots.lost.marker_labels() == ["✖ server-2"]
    assert [label.text for _, label in plots.latency.legend.items] == ["p50 (median)", "p95"]
    lost_legend = [label.text for _, label in plots.lost.legend.items]
    assert f"crash ({int(lost[-1]):,})" in lost_legend
    # each line ends in a symbol (series differ by shape, not colour alone)
    assert len(plots.memory.ends.data) == 5  # 4 servers and the total
    assert {p["symbol"] for p in plots.latency.ends.data} == {"o", "t1"}


def test_explanation_and_status_show_live_numbers(qtbot, open_window):
    window = open_window("sticky-crash")
    window.driver.step(10.0)
    text = window.headline.text
    held = sum(len(s.sessions) for s in window.driver.run.engine.servers)
    assert f"M_total = {held:,} sessions × 50 KB" in text
    assert "T = 80 ms network + 40 ms processing = 120 ms" in text
    assert "measured: p50 " in text
    assert window.status_labels["time"].text() == "t = 10.0 s"
    assert "sessions" in window.status_labels["sessions"].text()


def test_hover_tooltip_has_the_cards_live_numbers(qtbot, open_window):
    window = open_window("sticky-crash")
    window.driver.step(10.0)
    tip = window.scene.cards[0].toolTip()
    s = window.driver.run.engine.servers[0]
    assert "server-1 — UP" in tip and f"sessions: {len(s.sessions):,}" in tip
    assert "Click the name bar: crash" in tip


def test_right_click_menu_offers_the_same_actions(qtbot, open_window):
    window = open_window("sticky-crash")
    window.driver.step(5.0)
    pos = card_point(window, 3)
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, pos, window.canvas.viewport().mapToGlobal(pos)
    )
    QApplication.sendEvent(window.canvas.viewport(), event)
    menu = window._menu
    texts = [a.text() for a in menu.actions()]
    assert texts == ["Crash server-4", "Remove server-4", "Add a server"]
    menu.actions()[0].trigger()
    menu.close()
    assert not window.driver.run.engine.servers[3].up


def test_bad_values_show_a_message_and_change_nothing(qtbot, open_window):
    window = open_window("sticky-crash")
    before = window.driver.config
    assert not window.driver.set_value("servers.count", 0)
    assert window.driver.config is before
    assert "servers.count = 0" in window.statusBar().currentMessage()


def test_sixteen_servers_fit_without_overlap(qtbot, open_window):
    window = open_window("sticky-crash")
    window.controls.servers.setValue(16)
    window.driver.step(0.1)
    rects = [c.sceneBoundingRect() for c in window.scene.cards.values()]
    assert len(rects) == 16
    scene = window.scene.sceneRect()
    for i, a in enumerate(rects):
        assert scene.contains(a)
        for b in rects[i + 1 :]:
            assert not a.intersects(b)


def _render(window) -> QImage:
    scene = window.scene
    image = QImage(1600, int(scene.height()), QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    scene.render(painter)
    painter.end()
    return image


def _mean_rgb(image: QImage, rect) -> float:
    ptr = image.constBits()
    arr = np.frombuffer(ptr, np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    x0, y0 = int(rect.x()), int(rect.y())
    patch = arr[y0 + 10 : y0 + int(rect.height()) - 10, x0 + 10 : x0 + int(rect.width()) - 10, :3]
    return float(patch.mean())


def test_a_crashed_card_looks_different_from_a_live_one(qtbot, open_window):
    window = open_window("sticky-crash")
    window.driver.step(30.0)
    click_card(qtbot, window, 1)
    window.driver.step(3.0)  # the chip burst has faded; cards redrawn
    image = _render(window)
    live = _mean_rgb(image, window.scene.cards[0].sceneBoundingRect())
    dead = _mean_rgb(image, window.scene.cards[1].sceneBoundingRect())
    assert live > 200  # light card
    assert dead < 120  # dark card with a DOWN badge
    assert live - dead > 100


def test_dark_theme_builds_and_paints(qtbot, open_window):
    window = open_window("shared-store", theme=DARK)
    window.driver.step(5.0)
    image = _render(window)
    corner = image.pixelColor(5, 5)
    assert corner.lightness() < 60


def test_no_timer_keeps_running_after_close(qtbot, open_window):
    window = open_window("sticky-crash")
    window.driver.play()
    window.close()
    assert not window.driver.timer_active
    assert not any(t.isActive() for t in window.findChildren(QTimer))


def test_dots_follow_requests_in_flight(qtbot, open_window):
    window = open_window("sticky-crash")
    window.driver.step(10.0)
    in_flight = window.driver.run.engine.totals.in_flight
    assert in_flight > 0
    assert len(window.scene.tracker) == in_flight
    assert window.scene.dots.count >= 1


def test_failed_requests_flash_their_code(qtbot, open_window):
    window = open_window("local-no-sticky")
    window.driver.step(5.0)
    assert ErrorCode.SESSION_MISSING in window.scene.flashes.visible_codes


def test_open_preset_from_the_menu_restarts_on_it(qtbot, open_window):
    window = open_window("sticky-crash")
    window.driver.step(5.0)
    window.open_preset("stateless-tokens")
    assert window.driver.config.scenario.name == "stateless-tokens"
    assert window.driver.run.engine.now == 0.0
    assert "Stateless tokens" in window.windowTitle()
    assert not window.controls.stateful.isChecked()


def test_actual_speed_is_measured_over_a_second(qtbot, open_window):
    window = open_window("sticky-crash")
    d = window.driver
    d.set_speed(5.0)
    d.play()
    for _ in range(30):
        d.tick(1 / 60)
    assert d.actual_speed == pytest.approx(5.0, rel=0.05)
    d.start_recording(20.0, lambda t: None)  # captures every 0.25 s: most ticks move nothing
    for _ in range(60):
        d.tick(1 / 60)
    assert d.actual_speed == pytest.approx(5.0, rel=0.3)
    d.stop_recording()


def test_the_headline_counters_follow_every_frame_of_a_recording(open_window):
    """They agree with a recording's clock band, frame by frame (playing, every number
    on screen changes together a few times a second: test_one_number)."""
    window = open_window("sticky-crash")
    window.driver.step(60.5)  # just after the crash: failures mount every frame
    window.driver.play()
    window.driver.start_recording(20.0, lambda t: None)
    for _ in range(12):
        window.driver.tick(0.05)
        snap = window.driver.run.snapshot()
        lost, _, failed = window.scene.headline._state.rows
        assert (lost.number, failed.number) == (snap.lost, snap.failed)
        assert failed.label == f"failed requests ({snap.failed / snap.sent:.1%})"
    window.driver.stop_recording()


def test_a_jump_to_a_moment_with_servers_the_canvas_has_not_laid_out_yet(open_window):
    """Records of servers added since the canvas's last frame, read after a jump: the
    canvas lays the new fleet out before it places their requests (it read server-66's
    records against 64 anchor points: IndexError in the event loop, found by a 5,000-action
    monkey run in compare mode)."""
    window = open_window("sticky-crash")
    d = window.driver
    d.step(10.0)  # a frame: the canvas's anchor points cover servers 0-63
    for count in (64, 4, 8):  # names are never reused: the last four are server-65 to -68
        d.apply(ev.SetValue("servers.count", count))
    d.run.advance(30.0)  # the run goes on (they join at a health check), no frame drawn
    d.seek(28.0)  # a jump: the canvas reads the records afresh
    snap = d.run.snapshot()
    assert max(s.index for s in snap.servers) >= 64
    assert sorted(window.scene.cards) == [s.index for s in snap.servers]
    tracker = window.scene.tracker
    assert any(int(s) >= 64 for s in tracker.server[tracker.active])
