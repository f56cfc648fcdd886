"""Small builders shared by the engine tests."""

from __future__ import annotations

import math
from typing import Any

from visualizer.sim import scenario
from visualizer.sim.config import Config
from visualizer.sim.schema import with_values
from visualizer.sim.simulation import Simulation


def config(base: str | None = None, **changes: Any) -> Config:
    """A validated config from a preset (or the defaults) with ``section__key=value`` changes."""
    cfg = scenario.load(base) if base else Config()
    return with_values(cfg, {k.replace("__", "."): v for k, v in changes.items()}, "test")


def simulate(cfg: Config, until: float | None = None, **kwargs: Any) -> Simulation:
    sim = Simulation(cfg, **kwargs)
    sim.advance(cfg.scenario.duration_s if until is None else until)
    return sim


def erlang_c_response(k: int, lam: float, mu: float) -> float:
    """Mean time in an M/M/k system (wait + service) by the Erlang C formula."""
    a = lam / mu
    assert a < k, "unstable queue"
    top = a**k / math.factorial(k) * k / (k - a)
    p_wait = top / (sum(a**n / math.factorial(n) for n in range(k)) + top)
    return p_wait / (k * mu - lam) + 1.0 / mu
