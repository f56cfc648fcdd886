"""The timeline: drag back to any moment, keys that jump, a new future and its undo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from tests.ui.conftest import click_card


def timeline_point(window, t: float) -> QPoint:
    tl = window.timeline
    span = tl.span(tl.state)
    x = tl.PAD + (tl.width() - 2 * tl.PAD) * t / span
    return QPoint(round(x), tl.height() // 2)


def test_dragging_the_timeline_back_before_the_crash_shows_the_card_up_with_its_sessions(
    qtbot, open_window
):
    window = open_window("sticky-crash")
    d = window.driver
    d.step(70.0)  # server-2 crashed at 60 s
    assert window.scene.cards[1].view.up is False
    tl = window.timeline
    qtbot.mousePress(tl, Qt.MouseButton.LeftButton, pos=timeline_point(window, 65.0))
    qtbot.mouseMove(tl, pos=timeline_point(window, 45.0))
    qtbot.mouseRelease(tl, Qt.MouseButton.LeftButton, pos=timeline_point(window, 45.0))
    qtbot.waitUntil(lambda: abs(d.now - 45.0) < 0.6)
    d.tick(0.0)
    card = window.scene.cards[1].view
    assert card.up and card.sessions > 100
    assert d.run.rewound and d.run.end == pytest.approx(70.0)
    assert "rewound" in window.status_labels["time"].text()
    # the plots show the same instant as the canvas
    assert window.driver.run.samples[-1].t <= d.now


def test_keys_move_along_the_timeline(qtbot, open_window):
    window = open_window("sticky-crash")
    d = window.driver
    d.step(100.0)
    view = window.canvas
    qtbot.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert d.now == pytest.approx(95.0)
    qtbot.keyClick(view, Qt.Key.Key_BracketLeft)  # previous marker: the 90 s restart...
    assert 89.0 < d.now <= 95.0
    while d.now > 61.0:
        before = d.now
        qtbot.keyClick(view, Qt.Key.Key_BracketLeft)
        assert d.now < before
    assert d.now == pytest.approx(60.0)  # ... down to the 60 s crash
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert d.now == 0.0
    qtbot.keyClick(view, Qt.Key.Key_BracketRight)  # markers ahead are known while rewound
    assert 0.0 < d.now <= 60.0
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert d.now == pytest.approx(100.0) and not d.run.rewound
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert d.now == pytest.approx(100.0)  # nothing computed beyond the latest moment


def test_a_command_in_the_past_starts_a_new_future_and_ctrl_z_returns_to_the_old(
    qtbot, open_window
):
    window = open_window("sticky-crash")
    d = window.driver
    d.step(80.0)
    lost_before = d.run.summary()["sessions"]["lost"]
    d.seek(30.0)
    click_card(qtbot, window, 2)  # crash server-3 at 30 s: a new future
    assert not d.run.rewound and d.run.end == pytest.approx(30.0, abs=0.01)
    assert d.run.can_undo
    d.step(20.0)
    assert d.run.summary()["servers"]["server-3"]["crashes"] == 1
    qtbot.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert d.now == pytest.approx(30.0, abs=0.01) and d.run.end == pytest.approx(80.0)
    d.seek(80.0)
    assert d.run.summary()["sessions"]["lost"] == lost_before
    assert d.run.summary()["servers"]["server-3"]["crashes"] == 0
    qtbot.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "nothing to undo" in window.statusBar().currentMessage()


def test_the_timeline_draws_markers_and_what_is_scheduled_ahead(qtbot, open_window):
    window = open_window("sticky-crash")
    window.driver.step(30.0)
    state = window.timeline.state
    assert state.now == pytest.approx(30.0)
    assert [t for t, _ in state.ahead] == [60.0, 90.0]  # the preset's crash and restart
    window.driver.step(40.0)
    state = window.timeline.state
    assert any("server-2 crashed" in m.label for m in state.markers)
    image = window.timeline.grab().toImage()
    assert image.width() > 300


def test_the_track_ends_at_the_scenarios_length_while_the_run_is_in_it(open_window):
    """A 120 s preset's track reads 0 to 120 s (it read 150 s, rounded up), and grows
    past it only when the run does."""
    window = open_window("sticky-crash")
    d = window.driver
    d.step(30.0)
    d.tick(0.0)
    tl = window.timeline
    assert d.config.scenario.duration_s == 120.0
    assert tl.span(tl.state) == 120.0
    d.step(100.0)  # played on past the scenario's end
    d.tick(0.0)
    assert tl.span(tl.state) == 150.0
