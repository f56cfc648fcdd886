"""The explanation strip keeps every line of a long explanation, shrinking its type."""

from __future__ import annotations

from visualizer.ui.explain import Explanation
from visualizer.ui.strip import ExplanationStrip
from visualizer.ui.theme import LIGHT

FOUR = (
    "connections = arrivals × online time = 40/s × 120 s = 4,800",
    "memory = connections × KB = 1,983 × 64 KB = 126.9 MB",
    "jitter 0: a crashed server's N users reconnect in the same instant",
)


def test_a_lessons_four_lines_fit_the_presenter_strip(qtbot):
    strip = ExplanationStrip(LIGHT)
    qtbot.addWidget(strip)
    strip.resize(1280, 100)
    strip.set_scale(1.4, 3)  # presenter mode: larger type, three lines
    strip.show()
    qtbot.waitExposed(strip)
    e = Explanation("WebSocket: one connection per user", "A crashed server's users. " * 8, FOUR)
    strip.show_explanation(e, "measured: delay 40 ms mean, 1,983 connections")
    room = strip.height() - 12
    for label in (strip.words, strip.formulas):
        assert label.heightForWidth(label.width()) <= room
    assert "measured: delay 40 ms" in strip.text  # (the last line kept)
    # a short explanation keeps the full size
    strip.show_explanation(Explanation("Short", "One line.", ("T = 120 ms",)), "")
    assert f"{strip._points:.1f}pt" in strip.formulas.text()
