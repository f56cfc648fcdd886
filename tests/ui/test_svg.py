"""The canvas as SVG keeps what tells failure apart without colour: the cross."""

from __future__ import annotations

import re

from tests.ui.conftest import step_until_failed_dots
from visualizer.ui.export.render import scene_svg


def test_the_svg_of_a_run_with_failures_draws_the_crosses(qtbot, open_window):
    window = open_window("local-no-sticky")
    assert step_until_failed_dots(window)
    svg = scene_svg(window.scene, "test").decode()
    groups = re.findall(r'<g fill="#d62728"[^>]*stroke="#ffffff"[^>]*>(.*?)</g>', svg, re.S)
    strokes = sum(g.count("<polyline") for g in groups)
    assert strokes >= 2  # white strokes over a red dot: two a cross
    # every piece of text names a real family (not the generic "Sans Serif")
    families = set(re.findall(r'font-family="([^"]+)"[^>]*>\s*<text', svg))
    assert families and "Sans Serif" not in families
