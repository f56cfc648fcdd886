"""Presenter mode, scenario files, remembered settings, themes and reduced motion."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import click_card
from visualizer.sim import scenario
from visualizer.sim.config import Mode
from visualizer.sim.simulation import Simulation
from visualizer.sim.summary import summarize
from visualizer.ui.colors import LIGHT
from visualizer.ui.window.app import build_window, startup_config
from visualizer.ui.window.settings import AppSettings


def test_presenter_mode_enters_shows_captions_and_leaves(qtbot, open_window):
    window = open_window("sticky-crash")
    qtbot.keyClick(window.canvas, Qt.Key.Key_F5)
    p = window.presenter
    assert p.active and window.isFullScreen()
    assert not window.controls_dock.isVisible() and not window.menuBar().isVisible()
    assert p.overlay.isVisible()
    window.driver.step(20.0)
    assert "● Stateful (T)" in p.overlay.text() and "sticky-crash " in p.overlay.text()
    click_card(qtbot, window, 1)
    window.driver.step(0.1)
    caption = window.scene.caption
    assert caption.showing and caption.text.startswith("server-2 crashed — ")
    lost = window.driver.run.engine.totals.lost_by_cause
    assert f"{sum(lost.values()):,} sessions lost" in caption.text
    qtbot.keyClick(window.canvas, Qt.Key.Key_Escape)
    assert not p.active and not window.isFullScreen()
    assert window.controls_dock.isVisible() and window.menuBar().isVisible()
    assert not p.overlay.isVisible() and not window.scene.captions


def test_store_captions_name_the_error(qtbot, open_window):
    window = open_window("store-outage")
    window.presenter.enter()
    window.driver.step(61.0)  # the scheduled outage at 60 s
    assert window.scene.caption.text.startswith(
        "store down — requests failing with STORE_UNAVAILABLE"
    )
    window.presenter.leave()


def test_page_down_steps_through_presets_like_slides(qtbot, open_window):
    window = open_window("sticky-crash")
    names = [p.name for p in scenario.list_presets()]
    qtbot.keyClick(window.canvas, Qt.Key.Key_PageDown)  # outside presenter mode: nothing
    assert window.driver.config.scenario.name == "sticky-crash"
    window.presenter.enter()
    qtbot.keyClick(window.canvas, Qt.Key.Key_PageDown)
    after = names[(names.index("sticky-crash") + 1) % len(names)]
    assert window.driver.config.scenario.name == after and window.driver.run.engine.now == 0.0
    qtbot.keyClick(window.canvas, Qt.Key.Key_PageUp)
    qtbot.keyClick(window.canvas, Qt.Key.Key_PageUp)  # (the first slide: it stays)
    assert window.driver.config.scenario.name == "sticky-crash" == names[0]
    window.presenter.leave()


def test_save_then_open_reproduces_the_run(qtbot, open_window, tmp_path):
    window = open_window("sticky-crash")
    d = window.driver
    d.step(10.0)
    qtbot.mouseClick(window.controls.sticky, Qt.MouseButton.LeftButton)
    d.step(5.0)
    click_card(qtbot, window, 2)
    d.step(7.5)
    qtbot.keyClick(window.canvas, Qt.Key.Key_R)  # shared store on
    window.controls.users.setValue(30.0)
    d.step(12.5)
    live = json.dumps(summarize(d.run.engine), indent=1)
    path = window.files.save_path(tmp_path / "session.toml")
    assert path is not None and path.is_file()
    # a headless run of the saved file gives the same numbers, byte for byte
    loaded = scenario.load_file(path)
    assert loaded == d.run.engine.reproducible_config()
    replay = Simulation(loaded)
    replay.advance(35.0)
    assert json.dumps(summarize(replay), indent=1) == live
    # opening it in the window starts it from 0 s with the same settings
    assert window.files.open_path(path)
    assert d.run.engine.now == 0.0 and d.config == loaded
    d.step(35.0)
    assert json.dumps(summarize(d.run.engine), indent=1) == live
    assert str(path.resolve()) in window.settings.recent_files()
    recent = window.files.recent_menu.actions()
    assert recent and recent[0].text() == "session.toml"


def test_a_bad_file_shows_one_message_and_leaves_the_run_alone(qtbot, open_window, tmp_path):
    window = open_window("sticky-crash")
    window.driver.step(12.0)
    before = (window.driver.run.engine, window.driver.run.engine.now, window.driver.config)
    bad = tmp_path / "bad.toml"
    bad.write_text('[state]\nmode = "sticky"\n')
    errors = []
    window.show_error = lambda title, message: errors.append((title, message))
    assert not window.files.open_path(bad)
    assert (window.driver.run.engine, window.driver.run.engine.now, window.driver.config) == before
    ((title, message),) = errors
    assert title == "Cannot open the scenario"
    assert "bad.toml" in message and "state.mode = 'sticky'" in message and "'shared'" in message


def test_open_and_save_dialogs(qtbot, open_window, tmp_path, monkeypatch):
    window = open_window("sticky-crash")
    window.driver.step(3.0)
    monkeypatch.setattr(window.files, "ask_save", lambda name: tmp_path / "mine")
    saved = window.files.save_dialog()
    assert saved == tmp_path / "mine.toml" and saved.is_file()
    monkeypatch.setattr(window.files, "ask_open", lambda: saved)
    assert window.files.open_dialog()
    assert window.driver.run.engine.now == 0.0


def test_settings_remember_layout_theme_scenario_and_export_folder(qtbot, open_window, tmp_path):
    window = open_window("sticky-crash")
    window.set_theme("dark")
    window.set_reduced_motion(True)
    window.open_preset("shared-store")
    window.plots_dock.hide()
    window.settings.export_folder = str(tmp_path)
    window.close()
    settings = AppSettings()
    assert settings.theme == "dark" and settings.reduced_motion
    assert settings.last_scenario == "shared-store"
    assert settings.export_folder == str(tmp_path)
    assert startup_config(None).scenario.name == "shared-store"
    again = build_window(scenario.load("sticky-crash"))
    qtbot.addWidget(again)
    assert again.theme.name == "dark"
    # the dock layout comes back (sizes are clamped to the small offscreen screen here)
    assert again.restore_layout()
    again.show()
    assert again.controls_dock.isVisible() and not again.plots_dock.isVisible()
    assert again.scene.reduced_motion and again.act_motion.isChecked()
    again.close()


def test_startup_falls_back_to_the_default_preset(tmp_path):
    settings = AppSettings()
    settings.last_scenario = str(tmp_path / "gone.toml")
    assert startup_config(None).scenario.name == scenario.DEFAULT_PRESET
    settings.q.remove("scenario/last")


def test_themes_switch_live(qtbot, open_window):
    window = open_window("shared-store", theme=LIGHT)
    window.driver.step(5.0)
    for name in ("dark", "contrast", "light", "system"):
        window.set_theme(name)
        QApplication.processEvents()
        assert window.theme_actions[name].isChecked()
        assert window.scene.backgroundBrush().color().name() == window.theme.canvas.lower()
        assert window.plots is not None and window.plots.theme is window.theme
    window.set_theme("contrast")
    assert window.scene.backgroundBrush().color().name() == "#000000"


def test_reduced_motion_keeps_dots_on_hops_and_chips_still(qtbot, open_window):
    window = open_window("sticky-crash")
    window.set_reduced_motion(True)
    window.driver.play()
    window.driver.tick(0.05)
    window.driver.step(8.0)
    scene = window.scene
    x, y, _ = scene.tracker.positions(window.driver.run.engine.now)
    bx, by = scene.layout_.balancer_point
    lanes = {scene.layout_.lane_anchor(i) for i in range(len(scene.layout_.lanes))}
    cards = list(scene.layout_.servers.values())
    for px, py in zip(x.tolist(), y.tolist(), strict=True):
        at_hop = (px, py) == (bx, by) or any(
            c.x <= px <= c.right and c.y <= py <= c.bottom for c in cards
        )
        assert at_hop or (px, py) in lanes
    click_card(qtbot, window, 1)
    window.driver.step(0.1)
    assert scene.bursts == []  # no scattering chips
    window.set_reduced_motion(False)
    click_card(qtbot, window, 1)  # restart
    window.driver.step(5.0)
    QApplication.processEvents()  # the card paints its new chips
    assert window.scene.cards[1].chips
    click_card(qtbot, window, 1)
    window.driver.step(0.05)
    assert scene.bursts  # chips fly again


def test_mode_toggles_are_saved_as_set_faults(qtbot, open_window, tmp_path):
    window = open_window("stateless-tokens")
    window.driver.step(4.0)
    qtbot.keyClick(window.canvas, Qt.Key.Key_T)
    assert window.driver.config.state.mode is Mode.LOCAL
    path = window.files.save_path(tmp_path / "t.toml")
    text = path.read_text()
    assert 'action = "set"' in text and 'key = "state.mode"' in text and 'value = "local"' in text
