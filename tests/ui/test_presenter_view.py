"""The presenter view: the presenter's own window with the notes, the slide, what comes
next and the clock; the window's keys work in it too."""

from __future__ import annotations

from PySide6.QtCore import Qt

from visualizer.sim import scenario
from visualizer.ui.present.presenter import slides


def test_the_presenter_view_shows_notes_slide_and_next_and_follows_the_slides(qtbot, open_window):
    window = open_window("store-outage")
    window.presenter.enter()
    qtbot.keyClick(window.canvas, Qt.Key.Key_F5, Qt.KeyboardModifier.ControlModifier)
    view = window.presenter.view
    assert view is not None and view.isVisible()
    names = slides()
    k = names.index("store-outage")
    config = scenario.load("store-outage")
    assert view.slide.text().startswith(f"Slide {k + 1} of {len(names)} · store-outage")
    assert view.notes.text() == config.scenario.notes
    nxt = scenario.load(names[k + 1]).scenario
    assert view.next.text() == f"Next: {k + 2} · {names[k + 1]}: {nxt.title}"
    assert not window.speaker_notes.isVisible()  # the projected screen shows no notes
    # the window's keys work from the presenter's window: PgDn turns the slide
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    qtbot.keyClick(view, Qt.Key.Key_PageDown)
    assert window.driver.config.scenario.name == names[k + 1]
    window.driver.step(1.0)
    window.driver.tick(0.0)
    assert view.slide.text().startswith(f"Slide {k + 2} of")
    assert view.notes.text() == nxt.notes
    assert "run at t = 1 s" in view.clock.text() and "paused" in view.clock.text()
    qtbot.keyClick(view, Qt.Key.Key_F5, Qt.KeyboardModifier.ControlModifier)
    assert not view.isVisible()
    window.presenter.leave()


def test_the_last_slide_says_nothing_comes_next(open_window):
    names = slides()
    window = open_window(names[-1])
    window.presenter.open_view()
    assert window.presenter.view.next.text() == "Next: none, this is the last slide"
    window.presenter.close_view()
