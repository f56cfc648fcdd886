"""The services lesson's notification queue is bounded (``services.queue_limit``): with
the consumers stopped it once grew without end (~0.4 MB a simulated second in a busy
scenario, ~35 GB by a day). A message published to a full queue is dropped and counted;
the order it tells of stands."""

from __future__ import annotations

import dataclasses

import numpy as np

from tests.sim.helpers import config
from visualizer.lessons.services.model import FIGURES
from visualizer.sim.commands import SetValue
from visualizer.sim.records import Note
from visualizer.sim.simulation import Simulation
from visualizer.sim.summary import summarize

LIMIT = 200
FULL = "notification queue full"


def backlog(**changes) -> Simulation:
    """queue-backlog's orders (about 30 a second) with the queue bounded at LIMIT and no
    scheduled faults (the tests stop and start the consumers themselves)."""
    cfg = config(
        "queue-backlog", **{"services__queue_limit": LIMIT, "scenario__duration_s": 150, **changes}
    )
    return Simulation(dataclasses.replace(cfg, faults=()), history_s=1_000)


def column(sim: Simulation, name: str) -> np.ndarray:
    return np.array([s.lesson[FIGURES.index(name)] for s in sim.samples])


def test_a_full_queue_drops_what_is_published_and_counts_it():
    sim = backlog()
    model = sim.lesson
    sim.advance(10)
    sim.apply(SetValue("services.consumer_up", False))
    sim.advance(59)  # down long enough: ~1,500 orders against a limit of 200
    assert model.depth() == LIMIT
    assert model.dropped == model.orders_created - LIMIT - model.notified > 1_000
    sim.apply(SetValue("services.consumer_up", True))
    sim.advance(100)  # drained
    sim.apply(SetValue("services.consumer_up", False))
    sim.advance(150)  # full again
    out = summarize(sim)["services"]
    assert out["dropped"] == model.dropped > 2_000
    assert out["orders_created"] == out["notified"] + model.depth() + out["dropped"]
    assert out["peak_queue_depth"] == LIMIT  # the memory it holds is bounded
    assert column(sim, "services_queue_depth").max() == LIMIT
    assert column(sim, "services_dropped").sum() == out["dropped"]
    # the orders stand: every order request was answered but those still under way
    assert out["orders_failed"] == 0
    assert 0 <= out["orders_requested"] - out["orders_created"] <= sim.totals.in_flight
    full = [m for m in sim.markers if m.note is Note.QUEUE_FULL]
    assert [m.label for m in full] == [f"{FULL} (200 messages): new ones are dropped"] * 2
    assert 10 < full[0].t < 59 and 100 < full[1].t < 150  # once per time it fills


def test_a_limit_lowered_below_the_depth_drops_nothing_already_queued():
    sim = backlog(services__queue_limit=100_000)
    model = sim.lesson
    sim.apply(SetValue("services.consumer_up", False))
    sim.advance(20)
    queued = model.depth()
    assert queued > 300 and model.dropped == 0
    sim.apply(SetValue("services.queue_limit", 100))
    assert model.depth() == queued
    created = model.orders_created
    sim.advance(30)
    assert model.depth() == queued  # nothing joins a queue over its limit
    assert model.dropped == model.orders_created - created > 100
