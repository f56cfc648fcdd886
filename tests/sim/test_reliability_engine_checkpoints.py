"""Every engine object survives a checkpoint: for every preset (and both sides of a
comparison), the engine pickled and restored as ``Run`` checkpoints it, while requests are
at work on its servers, plays on to the numbers of the run that was never copied.

A copy holds copies of everything, so nothing in the engine may find an object by its
identity against a module-level constant (the services lesson once looked a request's
call up in a module tuple with ``.index``: a restored request's call was not in it)."""

from __future__ import annotations

import json
import pickle
import zlib

import pytest

from visualizer.app.compare import sides
from visualizer.sim.config import Config
from visualizer.sim.scenario import list_presets, load
from visualizer.sim.simulation import Simulation
from visualizer.sim.snapshot import take_snapshot
from visualizer.sim.summary import summarize

#: Simulated seconds checked per preset: the presets' first faults come at 60 s or before
#: (later ones are left out to keep the test fast).
HORIZON_S = 65.0
#: A checkpoint every so many seconds, and one just after each fault within the horizon.
EVERY_S = 7.0
#: How long each restored copy plays on before it is compared.
PLAY_ON_S = 2.0
#: Instants stepped through at most to find requests at work on a server.
SETTLE_INSTANTS = 5_000


def _cases() -> list[tuple[str, str]]:
    cases = []
    for preset in list_presets():
        cases.append((preset.name, "a"))
        if load(preset.name).compare is not None:
            cases.append((preset.name, "b"))
    return cases


def _config(name: str, side: str) -> Config:
    a, b = sides(load(name))
    return a if side == "a" else b


def _instants(cfg: Config, horizon: float) -> list[float]:
    grid = [0.5 + k * EVERY_S for k in range(int(horizon // EVERY_S) + 1)]
    after_faults = [f.at_s + 0.0137 for f in cfg.faults]
    return sorted(t for t in {*grid, *after_faults} if t + PLAY_ON_S <= horizon)


def _checkpoint(sim: Simulation) -> Simulation:
    """As ``visualizer.app.run.Checkpoint``: pickled, compressed, then restored."""
    blob = zlib.compress(pickle.dumps(sim, protocol=pickle.HIGHEST_PROTOCOL), 1)
    return pickle.loads(zlib.decompress(blob))


def _settle_at_work(sim: Simulation) -> bool:
    """Go on instant by instant until some server has a request at work (a checkpoint
    that catches requests mid-way is the one that finds identity lookups)."""
    for _ in range(SETTLE_INSTANTS):
        if any(s.active for s in sim.servers):
            return True
        sim.advance(sim.env.peek())
    return False


def _numbers(sim: Simulation, samples: int) -> tuple:
    return (
        json.dumps(summarize(sim)),
        repr(list(sim.samples)[-samples:]),  # repr: NaN-safe, exact floats
        repr(take_snapshot(sim)),
        sim.drain_events(),
        sim.drain_traces(),
    )


@pytest.mark.parametrize(("name", "side"), _cases())
def test_a_restored_checkpoint_plays_on_to_the_same_numbers(name, side):
    cfg = _config(name, side)
    horizon = min(HORIZON_S, cfg.scenario.duration_s)
    straight = Simulation(cfg, record_events=True, traces=True, history_s=100_000)
    caught = 0
    for t in _instants(cfg, horizon):
        if t < straight.now:
            continue
        straight.advance(t)
        caught += _settle_at_work(straight)
        straight.drain_events()  # as Run does before every checkpoint
        straight.drain_traces()
        copy = _checkpoint(straight)
        until = straight.now + PLAY_ON_S
        copy.advance(until)
        straight.advance(until)
        after = len(copy.samples)  # a copy keeps its last sample, then its own
        assert copy.now == straight.now == until
        assert _numbers(copy, after) == _numbers(straight, after), f"checkpoint at {t} s"
    assert caught >= 3, "the checkpoints should catch requests at work"
