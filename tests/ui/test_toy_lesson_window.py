"""The toy lesson of ``tests/lessons/test_toy_lesson.py`` in the window: its panel, its
view's headline and its captions, with nothing in the window naming it."""

from __future__ import annotations

import pytest

from tests.lessons.test_toy_lesson import toy  # noqa: F401 (the fixture)


@pytest.mark.usefixtures("toy")
def test_a_toy_lesson_shows_up_in_the_window(open_window):
    window = open_window("toy-demo")
    panel = window.controls
    assert panel.state_box.title() == "Is the toy lit?", "the panel's question"
    assert [t.title for t in panel.toggles] == ["Lit", "Sticky", "Half"], "the panel's toggles"
    shown = {key for key, w in panel.fields.items() if panel.form.isRowVisible(w)}
    assert "toy.share" in shown and "state.ttl_s" not in shown, "the panel's settings"
    window.presenter.enter()
    window.driver.step(5.5)  # the scheduled crash at 5 s
    caption = window.scene.caption
    assert caption.showing and caption.text == "toy: server-2 stopped glowing", "captions"
    rows = window.scene.headline._state.rows
    assert [row.label for row in rows] == ["toy requests"], "the lesson's view"
    assert rows[0].number == window.driver.run.snapshot().sent
    window.presenter.leave()
