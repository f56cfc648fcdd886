"""A big engine's checkpoints are written by a forked copy of the process: the window
plays on while they are pickled, and rewinding lands on the same numbers."""

from __future__ import annotations

import json
import os

import pytest

from visualizer.app import checkpoint as checkpoint_module
from visualizer.app import run as run_module
from visualizer.app.checkpoint import Pending
from visualizer.app.run import Run
from visualizer.sim import commands as ev
from visualizer.sim.scenario import load

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def play(run: Run, until: float) -> None:
    t = run.now
    while t < until:
        t = min(until, t + 1.0)
        run.advance(t)
        if t == 30.0:
            run.apply(ev.CrashServer(1))


def pickled_here(monkeypatch) -> list[int]:
    """Engines pickled in this process (the children's calls happen in their own)."""
    calls: list[int] = []
    real = checkpoint_module.snapshot_bytes
    parent = os.getpid()

    def counting(sim):
        if os.getpid() == parent:
            calls.append(1)
        return real(sim)

    monkeypatch.setattr(checkpoint_module, "snapshot_bytes", counting)
    monkeypatch.setattr(run_module, "snapshot_bytes", counting)
    return calls


def test_slow_checkpoints_are_written_beside_the_window_and_seek_exactly(monkeypatch):
    monkeypatch.setattr(run_module, "FORK_ABOVE_S", 0.0)  # every engine counts as slow to copy
    calls = pickled_here(monkeypatch)
    run = Run(load("sticky-crash"), background=True)
    play(run, 80.0)
    forked = [c for c in run._checkpoints if isinstance(c.data, Pending)]
    assert len(calls) == 1  # only the first (at 0 s), before any cost was known
    assert len(forked) >= 6 and all(c.blob for c in forked)  # 10 s apart, as for small ones
    straight = Run(load("sticky-crash"))
    play(straight, 80.0)
    for t in (75.0, 31.5, 12.0, 64.2):
        run.seek(t)
        straight.seek(t)
        assert json.dumps(run.summary()) == json.dumps(straight.summary())
        assert run.snapshot() == straight.snapshot() and run.samples == straight.samples


def test_a_child_that_fails_leaves_no_checkpoint_and_the_run_copies_in_process(monkeypatch):
    monkeypatch.setattr(run_module, "FORK_ABOVE_S", 0.0)
    parent = os.getpid()
    real = checkpoint_module.snapshot_bytes

    def failing_in_children(sim):
        if os.getpid() != parent:
            raise MemoryError("the child could not pickle")
        return real(sim)

    monkeypatch.setattr(checkpoint_module, "snapshot_bytes", failing_in_children)
    monkeypatch.setattr(run_module, "snapshot_bytes", failing_in_children)
    run = Run(load("sticky-crash"), background=True)
    play(run, 10.0)
    assert isinstance(run._checkpoints[-1].data, Pending)  # the first child, at 10 s
    assert run._checkpoints[-1].blob is None  # (waits for it) it failed
    play(run, 11.0)
    assert not run._background  # in-process from now on
    assert [c.t for c in run._checkpoints] == [0.0, 11.0]  # the failed one forgotten
    assert all(isinstance(c.data, bytes) for c in run._checkpoints)
    play(run, 25.0)
    run.seek(17.5)
    straight = Run(load("sticky-crash"))
    play(straight, 17.5)
    assert json.dumps(run.summary()) == json.dumps(straight.summary())
