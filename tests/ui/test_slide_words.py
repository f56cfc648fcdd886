"""Every lesson in its own words, on the slides: what a realtime, services, counter or
sign-in slide shows (canvas, captions, cards, store, strip, plots, scoreboard, the
presenter's bar) says nothing of sessions where the lesson has none, and no raw
``section.key``. (What OCR of the rendered deck would check, read from the widgets that
draw the words.)"""

from __future__ import annotations

import re

import pytest

from visualizer.lessons import spec_for
from visualizer.sim.config import Lesson
from visualizer.sim.schema import key_specs
from visualizer.ui.export.slides import deck, story_moment

#: The slides checked: the first of each lesson without sessions, and their comparisons.
SLIDES = [
    "counter-diverges",
    "compare-counter-signed",
    "jwt-revocation",
    "compare-auth",
    "websocket-reconnect-storm",
    "compare-jitter",
    "gateway-services",
    "compare-drain",
]


def shown_words(window) -> list[str]:
    """Every text the window draws now, place by place."""
    d = window.driver
    scenes = [window.scene] + ([window.comparing.scene] if d.comparison is not None else [])
    out = [window.headline.text, window.presenter.overlay.text()]
    for scene in scenes:
        out += [row.label for row in scene.headline._state.rows]
        if scene.caption.showing:
            out.append(scene.caption.text)
        for card in scene.cards.values():
            state = card._state
            out += [state.words, state.down]
        if scene.store_node.isVisible():
            out += list(scene.store_node.words)
    panel = window.plot_dock.panel
    for plot in panel.plots:
        if plot.isVisible():
            out.append(plot.title)
            out += [entry.text for _, entry in plot.legend.items]
            out += plot.marker_labels()
    if d.comparison is not None:
        out += list(d.comparison.titles)
        out += [row.label for row in window.comparing.stage.scoreboard.rows]
    return [text for text in out if text]


def test_the_slides_checked_are_slides():
    names = [info.name for info in deck()]
    assert set(SLIDES) <= set(names)


@pytest.mark.parametrize("name", SLIDES)
def test_a_slide_speaks_its_lessons_words(open_window, name):
    window = open_window(name)
    window.presenter.enter()
    window.driver.stop()
    config = window.driver.config
    window.driver.step(story_moment(config))
    up = next(i for i, card in window.scene.cards.items() if card.view.up)
    window.steer.toggle_server(up)  # and a crash, as the presenter clicks one: its caption
    window.driver.step(0.2)
    window.driver.tick(0.0)
    window.refresh_plots()
    assert window.scene.caption.showing
    words = shown_words(window)
    assert len(words) > 15, words  # the places were read
    raw = [k for k in key_specs() if any(re.search(rf"\b{re.escape(k)}\b", w) for w in words)]
    assert not raw, (raw, words)
    lesson = spec_for(config).lesson
    if lesson is not Lesson("auth"):  # (sign-in compares server sessions with JWTs)
        said = [w for w in words if "session" in w.lower()]
        assert not said, said
    window.presenter.leave()
