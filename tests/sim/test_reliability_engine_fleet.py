"""A step of the engine costs what the servers that exist cost, not every server a long
run of adds and removes has made (names are never reused, so a fleet flapped between 64
servers and 1 leaves thousands of names behind: 400 such faults once took 35 s).

Not a timed test: the work is counted as the Python calls the engine makes, which must
be the same for a fleet with 190 servers behind it as for one with 3,800."""

from __future__ import annotations

import dataclasses
import gc
import pickle
import sys
from collections.abc import Callable

import pytest

from tests.sim.helpers import config
from visualizer.sim import commands as ev
from visualizer.sim.config import MAX_SERVERS, Config, Fault, FaultAction
from visualizer.sim.simulation import Simulation

FLAP_AT_S = 1.0
#: By then the flaps' servers have had their one health check (every 5 s in the presets).
SETTLED_S = 5.5


def flapped(preset: str, faults: int) -> Config:
    """``preset`` with ``faults`` settings of servers.count at one instant, 64 and 1 in
    turn (an even number ends with one server: those of the preset that were busy drain)."""
    base = config(preset, scenario__duration_s=30.0)
    flaps = tuple(
        Fault(FLAP_AT_S, FaultAction.SET, None, "servers.count", MAX_SERVERS if k % 2 == 0 else 1)
        for k in range(faults)
    )
    return dataclasses.replace(base, faults=flaps)


def calls(work: Callable[[], object]) -> int:
    """Python and C function calls made while ``work`` runs (the garbage collector held
    off: finalizers of other tests' objects would call code of their own)."""
    n = 0

    def count(frame, event, arg):
        nonlocal n
        if event in ("call", "c_call"):
            n += 1

    gc.disable()
    sys.setprofile(count)
    try:
        work()
    finally:
        sys.setprofile(None)
        gc.enable()
    return n


def steps(sim: Simulation) -> list[int]:
    """Calls made by a few seconds of the run steered the ways that touch every server:
    a flap of the fleet, workers, memory settings, crashes and restarts, and the views'
    reads of the lesson."""
    t = sim.now
    made = [
        calls(lambda: sim.apply(ev.SetValue("servers.count", MAX_SERVERS))),
        calls(lambda: sim.apply(ev.SetValue("servers.workers", 8))),
        calls(lambda: sim.apply(ev.SetValue("servers.memory_mb", 1_000.0))),
        calls(lambda: sim.apply(ev.CrashServer(0))),
        calls(lambda: sim.advance(t + 6.0)),  # samples, health checks (new servers join)
        calls(sim.lesson.facts),
        calls(lambda: sim.apply(ev.RestartServer(0))),
        calls(lambda: sim.apply(ev.RemoveServer(None))),
        calls(lambda: sim.apply(ev.AddServer())),
        calls(lambda: sim.apply(ev.SetValue("servers.count", 1))),
        calls(lambda: sim.advance(t + 9.0)),
    ]
    return made


@pytest.mark.parametrize(
    "preset", ["sticky-crash", "counter-shared-rmw", "websocket-memory", "gateway-services"]
)
def test_a_step_costs_the_same_however_many_servers_were_made_before(preset):
    few = Simulation(flapped(preset, 6))
    many = Simulation(flapped(preset, 120))
    few.advance(SETTLED_S)  # the flaps, the sample that takes the last figures of their
    many.advance(SETTLED_S)  # servers, and their health checks
    assert len(many.servers) - len(few.servers) == 57 * 63
    assert len(few.fleet.live()) == len(many.fleet.live()) == 1
    steps(pickle.loads(pickle.dumps(few)))  # first calls of anything (imports, caches)
    assert steps(many) == steps(few)
