"""Rewinding a services run: a seek reaches the moment asked for and shows the numbers a
run that never rewound had then, and playing on from there gives the same future.

(The services lesson once lost requests caught in a gateway's token check by a
checkpoint: the seek stopped short, at 40.05 s instead of 47 s.)"""

from __future__ import annotations

import json

import pytest

from visualizer.app.run import Run
from visualizer.sim.scenario import load
from visualizer.sim.simulation import Simulation
from visualizer.sim.snapshot import take_snapshot
from visualizer.sim.summary import summarize

FRAME_S = 0.05  # as the window's timer plays the run
PLAYED_S = 60.0


def played() -> Run:
    run = Run(load("gateway-services"))
    for frame in range(1, int(PLAYED_S / FRAME_S) + 1):
        run.advance(round(frame * FRAME_S, 10))
    return run


def stopped_at(t: float) -> Simulation:
    sim = Simulation(load("gateway-services"), history_s=10_000)
    sim.advance(t)
    return sim


@pytest.fixture(scope="module")
def run() -> Run:
    return played()


@pytest.mark.parametrize("t", [25.0, 33.0, 47.0])
def test_a_seek_reaches_the_moment_with_the_numbers_the_run_had(run, t):
    run.seek(t)
    reference = stopped_at(t)
    assert run.now == t
    assert repr(run.snapshot()) == repr(take_snapshot(reference))  # NaN-safe, exact floats
    assert repr(run.samples) == repr(list(reference.samples))
    assert json.dumps(run.summary()) == json.dumps(summarize(reference))


def test_playing_on_after_the_seeks_gives_the_same_future(run):
    for t in (25.0, 33.0, 47.0):
        run.seek(t)
    run.advance(PLAYED_S)
    assert json.dumps(run.summary()) == json.dumps(summarize(stopped_at(PLAYED_S)))
    assert len(run.samples) == int(PLAYED_S)
