"""The window never freezes or lies: fleets up to the scenario limit, recordings that follow
the speed, cards that always show up/down, GIFs encoded off the GUI thread, controls that
snap back when a value is refused, and saved sessions that open again."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QApplication

from visualizer.sim import commands as ev
from visualizer.sim import scenario
from visualizer.sim.config import MAX_SERVERS
from visualizer.sim.simulation import Simulation
from visualizer.sim.summary import summarize
from visualizer.ui.export.actions import render_artifact


def test_the_canvas_takes_every_server_the_engine_can_have(qtbot, open_window):
    window = open_window("stateless-tokens", servers__count=MAX_SERVERS)
    d = window.driver
    assert window.controls.servers.value() == MAX_SERVERS
    d.step(3.0)
    assert len(window.scene.cards) == MAX_SERVERS
    busy = next(s.index for s in d.run.engine.servers if s.outstanding > 0)
    assert d.apply(ev.RemoveServer(busy))  # drains: still drawn
    assert d.apply(ev.AddServer())  # the 65th server object, index 64
    assert d.run.engine.servers[-1].name == f"server-{MAX_SERVERS + 1}"
    d.play()
    for _ in range(20):
        d.tick(0.05)
    d.pause()
    d.tick(0.0)
    assert MAX_SERVERS in window.scene.cards
    card = window.scene.cards[MAX_SERVERS]
    assert card.view is not None and card.view.name == "server-65"
    assert window.scene.dots.count > 0


def test_slowing_down_while_recording_keeps_capturing(qtbot, open_window):
    window = open_window("sticky-crash")
    d, exporter = window.driver, window.exporter
    d.set_speed(50.0)
    exporter.start_recording("canvas", 20.0)
    d.play()
    for _ in range(3):
        d.tick(0.05)
    frames = exporter.recording.frames
    d.set_speed(0.1)
    for _ in range(10):  # one wall second at 0.1×: 0.1 simulated s, 20 captures
        d.tick(0.1)
    assert exporter.recording.frames - frames >= 15
    exporter.stop_recording(discard=True)


def test_a_crash_during_a_plot_frame_reaches_the_card_and_the_pause_shows_it(qtbot, open_window):
    window = open_window("sticky-crash")
    d = window.driver
    d.step(10.0)
    d.play()
    d.tick(0.02)
    window.plot_dock.due = [0, 1, 2, 3]  # this frame redraws a plot, and leaves the cards
    assert d.apply(ev.CrashServer(1))
    d.tick(0.02)
    d.pause()
    d.tick(0.0)
    assert window.scene.cards[1].view.up is False
    assert window.scene.cards[1].status()[0] == "DOWN"


def test_cards_and_engine_agree_after_a_pause_whatever_the_frame(qtbot, open_window):
    window = open_window("sticky-crash")
    d = window.driver
    d.play()
    for k in range(40):
        window.plot_dock.due = [0, 1]
        if k % 7 == 3:
            up = d.run.engine.servers[k % 4].up
            d.apply(ev.CrashServer(k % 4) if up else ev.RestartServer(k % 4))
        d.tick(0.03)
    d.pause()
    d.tick(0.0)
    for s in d.run.engine.servers:
        assert window.scene.cards[s.index].view.up == s.up


def test_a_gif_is_encoded_while_the_window_keeps_running(qtbot, open_window, tmp_path):
    window = open_window("sticky-crash")
    d, exporter = window.driver, window.exporter
    exporter.start_recording("canvas", 20.0)
    d.play()
    for _ in range(30):
        d.tick(0.05)
    folder = exporter.recording._dir
    job = exporter.stop_recording(tmp_path / "clip.gif")
    assert job is not None and job.total >= 20
    t0 = d.run.engine.now
    frames = 0
    while job.running:  # the event loop and the run go on while the thread encodes
        d.tick(0.02)
        frames += 1
        QApplication.processEvents()
        qtbot.waitUntil(lambda: job.done > 0 or not job.running, timeout=10_000)
    assert job.error is None and job.path == tmp_path / "clip.gif"
    assert (tmp_path / "clip.gif").stat().st_size > 1_000
    assert frames > 0 and d.run.engine.now > t0
    assert not folder.exists()  # frames released


def test_a_refused_value_snaps_the_control_back(qtbot, open_window):
    window = open_window("sticky-crash", state__ttl_s=3_000.0)
    c = window.controls
    c.users.setValue(2_000.0)  # 2,000 users/s × 3,000 s of TTL: too many sessions to keep
    assert window.driver.config.traffic.users_per_s == 20.0
    assert c.users.value() == 20.0
    assert "sessions kept" in window.statusBar().currentMessage()


def test_lowering_servers_below_a_scheduled_target_still_saves_a_file_that_opens(
    qtbot, open_window, tmp_path
):
    window = open_window("sticky-crash")
    errors = []
    window.show_error = lambda title, message: errors.append(message)
    window.driver.step(10.0)
    window.controls.servers.setValue(1)
    window.driver.step(100.0)  # past the preset's crash and restart of server-2
    live = summarize(window.driver.run.engine)
    path = window.files.save_path(tmp_path / "one.toml")
    assert path is not None
    assert render_artifact(window, "metrics_csv")[0][1].startswith("t_s,")
    replay = Simulation(scenario.load_file(path))
    replay.advance(window.driver.run.engine.now)
    assert json.dumps(summarize(replay)) == json.dumps(live)
    assert window.files.open_path(path)
    assert errors == []
