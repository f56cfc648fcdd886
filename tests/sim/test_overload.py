"""Overload is bounded: full queues refuse at once, traffic a laptop cannot hold is refused,
and a frame can stop the engine early without splitting an instant."""

from __future__ import annotations

import json

import pytest

from tests.sim.helpers import config, simulate
from visualizer.sim.records import ErrorCode
from visualizer.sim.schema import ConfigError
from visualizer.sim.simulation import Simulation
from visualizer.sim.summary import summarize


def test_a_full_queue_refuses_with_overloaded_and_stays_bounded():
    # 4 servers x 1 worker x 100 ms = 40 req/s of capacity against far more demand
    cfg = config(
        "stateless-tokens",
        servers__workers=1,
        servers__service_ms=100.0,
        servers__queue_limit=25,
        traffic__users_per_s=60.0,
        traffic__on_error="retry",
        traffic__max_retries=100,
        scenario__duration_s=60.0,
    )
    sim = Simulation(cfg)
    peak = 0
    for t in range(1, 61):
        sim.advance(float(t))
        peak = max(peak, *(len(s.queue) for s in sim.servers))
    assert peak == 25
    assert sim.totals.by_code[ErrorCode.OVERLOADED] > 1_000
    assert sim.totals.sent == sim.totals.ok + sim.totals.failed + sim.totals.in_flight


def test_below_the_limit_nothing_is_refused():
    sim = simulate(config("sticky-crash"))
    assert sim.totals.by_code[ErrorCode.OVERLOADED] == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"traffic__users_per_s": 10_000.0, "traffic__requests_per_user": 100.0},
            "users online at once; at most 500,000",
        ),
        ({"traffic__users_per_s": 5_000.0, "state__ttl_s": 3_600.0}, "sessions kept"),
    ],
)
def test_traffic_a_laptop_cannot_hold_is_refused_with_the_arithmetic(changes, message):
    with pytest.raises(ConfigError, match=message) as info:
        config("sticky-crash", **changes)
    assert "lower one of them" in str(info.value)


def test_users_per_s_has_a_laptop_sized_upper_bound():
    with pytest.raises(ConfigError, match="0 to 10,000"):
        config(traffic__users_per_s=100_000.0)


def test_advance_some_stops_between_instants_and_changes_nothing():
    cfg = config("sticky-crash", scenario__duration_s=30.0)
    whole = simulate(cfg)
    sliced = Simulation(cfg)
    calls = 0
    while not sliced.advance_some(30.0, 50):
        calls += 1
        assert sliced.env.peek() > sliced.now  # nothing left at the instant it stopped on
    assert calls > 100
    assert sliced.now == 30.0
    assert json.dumps(summarize(sliced)) == json.dumps(summarize(whole))
