"""Long work in the window (a far seek, undo, computing a comparison) shows its progress,
can be cancelled, and never lets the run move on half-way through."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer

from visualizer.app import compare as compare_module
from visualizer.app import group as group_module
from visualizer.app import run as run_module
from visualizer.app.compare import with_b_changes
from visualizer.app.run import Run
from visualizer.sim import commands as ev
from visualizer.sim.scenario import load
from visualizer.ui.window import long_work


@pytest.fixture
def slow_work(monkeypatch):
    """Work in many small slices, a dialog at once and events after every slice: what a
    big run does in seconds, a small one does here in many steps."""
    monkeypatch.setattr(long_work, "DELAY_S", 0.0)
    monkeypatch.setattr(long_work, "EVENTS_EVERY_S", 0.0)
    monkeypatch.setattr(run_module, "REPLAY_EVENTS", 40)
    monkeypatch.setattr(group_module, "REPLAY_EVENTS", 40)  # (runs on one clock)


def play_to(driver, t: float) -> None:
    """As playing does: checkpoints every 10 s on the way."""
    while driver.now < t:
        driver._driven.advance(min(t, driver.now + 1.0))
    driver.redraw()


def straight(config, t: float) -> Run:
    run = Run(config)
    run.advance(t)
    return run


def test_a_far_seek_shows_progress_and_cancel_leaves_an_exact_earlier_moment(
    qtbot, open_window, slow_work
):
    window = open_window("sticky-crash")
    d = window.driver
    play_to(d, 100.0)
    seen: list[float] = []
    ticked: list[float] = []

    def on_dialog(dialog):
        def step():  # a frame comes while the work goes on: it must not move the run
            d.play()
            before = d.run.now
            d.tick(0.5)
            ticked.append(d.run.now - before)
            seen.append(dialog.value())
            dialog.cancel()

        QTimer.singleShot(0, step)

    d.work.on_dialog = on_dialog
    d.seek(38.0)  # from the checkpoint at 30 s (38 - 5 s of lookback)
    assert d.work.dialogs_shown == 1 and not d.work.busy
    assert ticked == [0.0]
    assert 30.0 <= d.now < 38.0  # cancelled on the way
    reference = straight(load("sticky-crash"), d.now)
    assert json.dumps(d.run.summary()) == json.dumps(reference.summary())
    assert d.run.snapshot() == reference.snapshot()
    assert "rewound" in window.status_labels["time"].text()
    d.pause()


def test_a_seek_that_is_not_cancelled_reaches_its_moment(qtbot, open_window, slow_work):
    window = open_window("sticky-crash")
    d = window.driver
    play_to(d, 100.0)
    d.seek(38.0)
    assert d.now == 38.0 and d.work.dialogs_shown == 1
    assert json.dumps(d.run.summary()) == json.dumps(straight(load("sticky-crash"), 38).summary())


def test_undo_and_compare_go_through_the_progress_dialog(qtbot, open_window, slow_work):
    window = open_window("sticky-crash")
    d = window.driver
    play_to(d, 80.0)
    d.seek(25.0)
    d.apply(ev.CrashServer(0))
    d.step(5.0)
    shown = d.work.dialogs_shown
    assert d.undo() and d.now == 25.0  # replayed from the checkpoint at 20 s
    assert d.work.dialogs_shown == shown + 1
    d.work.on_dialog = lambda dialog: QTimer.singleShot(0, dialog.cancel)
    before = d.run
    assert not d.compare(with_b_changes(d.reproducible_config(), {"state.mode": "shared"}))
    assert d.comparison is None and d.run is before  # cancelled: nothing changed
    d.work.on_dialog = None
    assert d.compare(with_b_changes(d.reproducible_config(), {"state.mode": "shared"}))
    assert d.comparison is not None and d.comparison.a.now == d.comparison.b.now == 25.0


def test_a_cancelled_comparison_seek_leaves_both_sides_at_one_moment(slow_work):
    both = compare_module.Comparison(with_b_changes(load("sticky-crash"), {"state.mode": "shared"}))
    for t in range(1, 91):
        both.advance(float(t))
    for slices in (1, 5, 30):  # (stopped while one side catches up with the other, too)
        # B restores an earlier checkpoint than A (thinned away, or still being written)
        both.b._checkpoints = [c for c in both.b._checkpoints if not 25.0 < c.t < 40.0]
        steps = both.seeking(44.0)
        for _ in range(slices):
            next(steps)
        steps.close()
        assert both.a.now == both.b.now < 44.0
        both.seek(90.0)


def test_clicks_during_long_work_are_not_taken(qtbot, open_window, slow_work):
    window = open_window("sticky-crash")
    d = window.driver
    play_to(d, 100.0)

    def on_dialog(dialog):
        def try_things():
            assert not d.apply(ev.CrashServer(2))  # refused while busy
            d.seek(90.0)  # ignored while busy
            d.step(1.0)
            dialog.cancel()

        QTimer.singleShot(0, try_things)

    d.work.on_dialog = on_dialog
    d.seek(38.0)
    assert d.now < 38.0 and not any(c for _, c in d.run.commands)
    tl = window.timeline
    qtbot.mouseClick(tl, Qt.MouseButton.LeftButton, pos=QPoint(tl.width() // 2, tl.height() // 2))
