"""The realtime lesson's own drawing: empty polls go back as grey rings, messages as
diamonds of their own, open WebSocket connections as lines to the card holding them."""

from __future__ import annotations

import numpy as np
import pytest

from tests.ui.test_lesson_window import paused_at
from tests.ui.test_plots import ys
from visualizer.lessons.realtime.model import FIGURES
from visualizer.ui.canvas.tracker import EMPTY_SPRITE, MESSAGE_SPRITE


def sprites_seen(window, seconds: float, step: float = 0.01) -> set[int]:
    """Sprites of the dots drawn over ``seconds`` of the run, a frame every ``step``."""
    seen: set[int] = set()
    for _ in range(round(seconds / step)):
        paused_at(window, step)
        idx = window.scene.tracker._last[0]
        seen.update(window.scene.tracker.sprite[idx].tolist())
    return seen


def test_empty_polls_go_back_as_grey_rings_and_answers_with_messages_as_diamonds(
    qtbot, open_window
):
    window = open_window("polling-waste", realtime__messages_per_min=6.0)
    paused_at(window, 30.0)
    seen = sprites_seen(window, 2.0, step=0.02)
    assert EMPTY_SPRITE in seen and MESSAGE_SPRITE in seen
    # the outward polls keep their users' colours
    assert seen - {EMPTY_SPRITE, MESSAGE_SPRITE}


def test_websocket_messages_are_dots_of_their_own_and_connections_are_lines(qtbot, open_window):
    window = open_window("websocket-memory")
    snap = paused_at(window, 60.0)
    lines = window.scene.connections.counts
    by_server = {c.server: c.connections for c in snap.lesson.by_server if c.connections}
    assert lines == by_server and sum(lines.values()) == snap.lesson.connections > 0
    tracker = window.scene.tracker
    pushed = 0
    for _ in range(100):
        paused_at(window, 0.01)
        idx = tracker._last[0]
        pushed += int(
            np.count_nonzero((tracker.sprite[idx] == MESSAGE_SPRITE) & (tracker.rid[idx] < 0))
        )
    assert pushed > 0  # frames pushed over the connections, not answers to requests
    # a crash cuts the line of its card at once
    window.steer.toggle_server(0)
    paused_at(window, 0.01)
    assert 0 not in window.scene.connections.counts


def test_the_latency_plot_shows_how_late_messages_arrive(qtbot, open_window):
    """Short polling every 5 s: requests take about 100 ms, messages wait seconds."""
    window = open_window("polling-waste")
    paused_at(window, 60.0)
    window.refresh_plots()
    latency = window.plots.latency
    p95 = ys(latency, "p95")
    delivery = ys(latency, ("lesson", "realtime_delivery_p50_ms"))
    assert np.nanmax(p95) < 500 and 1_000 < np.nanmean(delivery) < 5_000


def test_polling_shows_its_traffic_where_websocket_shows_its_memory(qtbot, open_window):
    window = open_window("polling-waste")
    paused_at(window, 40.0)
    window.refresh_plots()
    memory = window.plots.memory
    assert memory.title == "Traffic (kB/s)"  # polling holds nothing on the servers
    kb = ys(memory, ("lesson", "realtime_bytes"))
    at = FIGURES.index("realtime_bytes")
    last5 = [s.lesson[at] for s in window.driver.run.samples[-5:]]
    assert kb[-1] == pytest.approx(sum(last5) / 5 / 1000.0)  # a 5 s mean, in kB
    window.open_preset("websocket-memory")
    paused_at(window, 40.0)
    window.refresh_plots()
    assert window.plots.memory.title == "Memory (MB)"
