"""The window runs the garbage collector on its frames' schedule: young objects never pile
up between frames (they did by the hundred thousand, and the collection that came at
last took up to a second), and an engine a seek replaced is collected soon after."""

from __future__ import annotations

import gc
import weakref

from visualizer.ui.window import collector as collector_module


def test_every_frame_that_advances_the_run_leaves_no_young_objects_behind(qtbot, open_window):
    window = open_window("sticky-crash")
    d = window.driver
    d.set_speed(50.0)
    d.play()
    for _ in range(25):  # (the middle generation too: every frame)
        d.tick(1 / 60)
        assert len(gc.get_objects(0)) < 200 and len(gc.get_objects(1)) < 200
    assert d.collector.frames == 25
    d.pause()


def test_an_engine_replaced_by_a_seek_is_collected_soon_after(qtbot, open_window, monkeypatch):
    monkeypatch.setattr(collector_module, "FULL_AFTER_MS", 10)
    window = open_window("sticky-crash")
    d = window.driver
    d.collector._full.setInterval(10)
    gc.disable()  # (only the collector's own collections count here)
    try:
        for t in range(1, 41):
            d.run.advance(float(t))
        old = weakref.ref(d.run.engine)
        d.seek(12.0)
        assert old() is not None  # a cycle: only a full collection frees it
        qtbot.waitUntil(lambda: d.collector.full_collections == 1)
        assert old() is None
    finally:
        gc.enable()
