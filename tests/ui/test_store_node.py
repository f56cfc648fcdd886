"""The store is drawn whenever the lesson's design keeps something there (from the
first frame, so nothing shifts when it crashes), named for what it holds."""

from __future__ import annotations

import pytest

from visualizer.lessons import spec_for
from visualizer.sim import scenario


@pytest.mark.parametrize(
    ("preset", "name"),
    [
        ("counter-shared", "Count store"),
        ("jwt-blocklist", "Revocation list"),
        ("session-revocation", "Session store"),
        ("shared-store", "Session store"),
    ],
)
def test_the_store_a_design_uses_is_drawn_from_the_start_and_named(open_window, preset, name):
    window = open_window(preset)
    window.driver.step(1.0)
    store = window.scene.store_node
    assert spec_for(window.driver.config).uses_store(window.driver.config)
    assert store.isVisible()
    assert store.words[0] == name
    before = {i: c.sceneBoundingRect() for i, c in window.scene.cards.items()}
    window.steer.toggle_store()  # a crash: the cards stay where they were
    window.driver.step(0.5)
    assert not window.driver.run.snapshot().store.up
    assert {i: c.sceneBoundingRect() for i, c in window.scene.cards.items()} == before


def test_a_design_that_keeps_nothing_in_the_store_does_not_draw_it(open_window):
    window = open_window("jwt-revocation")  # a JWT checked alone
    window.driver.step(1.0)
    config = window.driver.config
    assert not spec_for(config).uses_store(config)
    assert not window.scene.store_node.isVisible()
    before = {i: c.sceneBoundingRect() for i, c in window.scene.cards.items()}
    window.steer.toggle_store()  # its outage changes nothing here: no store pops in
    window.driver.step(0.5)
    assert not window.driver.run.snapshot().store.up
    assert not window.scene.store_node.isVisible()
    assert {i: c.sceneBoundingRect() for i, c in window.scene.cards.items()} == before
    # the counter lesson with the count in the store says the count, not sessions
    window.driver.restart(scenario.load("counter-shared"))
    window.driver.step(5.0)
    words = window.scene.store_node.words
    facts = window.driver.run.snapshot().lesson
    assert words[1] in (f"count {facts.store_count:,}", "each user's count")
