"""The explanation strip keeps every line of a long explanation, shrinking its type."""

from __future__ import annotations

from visualizer.ui.colors import LIGHT
from visualizer.ui.lesson.explain import Explanation
from visualizer.ui.lesson.strip import ExplanationStrip

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


def _points(label) -> float:
    import re

    return float(re.search(r"font-size: ([\d.]+)pt", label.text()).group(1))


def test_a_long_explanation_stays_readable_growing_the_strip_then_cutting_its_body(qtbot):
    strip = ExplanationStrip(LIGHT)
    qtbot.addWidget(strip)
    strip.resize(1280, 100)
    strip.set_scale(1.3, 3)  # presenter mode at 1280×720
    strip.show()
    qtbot.waitExposed(strip)
    own = strip.height()
    longer = Explanation("A lesson with a lot to say", "One more thing to say here. " * 9, FOUR)
    strip.show_explanation(longer, "measured: delay 40 ms mean, 1,983 connections")
    floor = strip._points * strip.FLOOR  # 12 pt: 16 px at 96 dpi
    for label in (strip.words, strip.formulas):
        assert _points(label) >= floor - 0.05, label.text()[:60]  # (it went down to 62%)
        assert label.heightForWidth(label.width()) <= strip.height() - 12
    assert own < strip.height() <= own + strip.MORE_LINES * strip._line
    assert "…" not in strip.words.text()
    # far too long: the body is cut at a sentence, the headline and every formula kept
    endless = Explanation("Endless", "A sentence that goes on and on. " * 40, FOUR)
    strip.show_explanation(endless, "measured: all of it")
    assert "<b>Endless.</b>" in strip.words.text() and "…" in strip.words.text()
    assert strip.words.heightForWidth(strip.words.width()) <= strip.height() - 12
    assert "measured: all of it" in strip.formulas.text()
    # another explanation starts from the strip's own height
    strip.show_explanation(Explanation("Short", "One line.", ("T = 120 ms",)), "")
    assert strip.height() == own


def test_a_narrower_strip_refits_its_text_at_once_paused_or_not(qtbot):
    strip = ExplanationStrip(LIGHT)
    qtbot.addWidget(strip)
    strip.resize(1280, 100)
    strip.show()
    qtbot.waitExposed(strip)
    e = Explanation("WebSocket: one connection per user", "A crashed server's users. " * 6, FOUR)
    strip.show_explanation(e, "measured: delay 40 ms mean")
    strip.resize(700, strip.height())  # nobody calls show_explanation again

    def fits() -> bool:
        return all(
            label.heightForWidth(label.width()) <= strip.height() - 12
            for label in (strip.words, strip.formulas)
        )

    qtbot.waitUntil(fits)


def test_a_quantity_is_never_split_across_lines():
    from visualizer.ui.lesson.strip import unbroken

    line = unbroken("T = 80 ms network + 40 ms processing = 120 ms")
    assert "=\u00a0120\u00a0ms" in line and "80\u00a0ms network" in line
    assert " ms" not in line and " = " not in line
    assert unbroken("(1/c)^(k-1)") == "(1/\u2060c)^(k-1)"
    assert unbroken("at 60 s. Then 5 servers") == "at 60\u00a0s. Then 5 servers"
