"""The canvas as SVG keeps what tells failure apart without colour: the cross."""

from __future__ import annotations

import re

from visualizer.ui.canvas.tracker import FAILED_SPRITE
from visualizer.ui.export import scene_svg


def test_the_svg_of_a_run_with_failures_draws_the_crosses(qtbot, open_window):
    window = open_window("local-no-sticky")
    tracker = window.scene.tracker
    for _ in range(200):  # until failed requests are on their way back
        window.driver.step(0.05)
        window.driver.tick(0.0)
        if (tracker.sprite[tracker._last[0]] == FAILED_SPRITE).any():
            break
    assert (tracker.sprite[tracker._last[0]] == FAILED_SPRITE).any()
    svg = scene_svg(window.scene, "test").decode()
    groups = re.findall(r'<g fill="#d62728"[^>]*stroke="#ffffff"[^>]*>(.*?)</g>', svg, re.S)
    strokes = sum(g.count("<polyline") for g in groups)
    assert strokes >= 2  # white strokes over a red dot: two a cross
    # every piece of text names a real family (not the generic "Sans Serif")
    families = set(re.findall(r'font-family="([^"]+)"[^>]*>\s*<text', svg))
    assert families and "Sans Serif" not in families
