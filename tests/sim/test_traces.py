"""Request traces say why: the route decision, the session lookup, the outcome and where
the time went, for every request."""

from __future__ import annotations

import json

import pytest

from tests.sim.helpers import config
from visualizer.sim.commands import CrashServer
from visualizer.sim.records import RequestKind
from visualizer.sim.routing.strategies import describe
from visualizer.sim.scenario import list_presets, load
from visualizer.sim.schema import with_values
from visualizer.sim.simulation import Simulation
from visualizer.sim.summary import summarize


def traced(cfg, until: float) -> tuple[Simulation, list]:
    sim = Simulation(cfg, traces=True, trace_buffer=10_000_000)
    sim.advance(until)
    return sim, sim.drain_traces()


def test_traces_change_no_number():
    cfg = load("sticky-crash")
    plain = Simulation(cfg)
    plain.run()
    sim, traces = traced(cfg, cfg.scenario.duration_s)
    assert json.dumps(summarize(sim)) == json.dumps(summarize(plain))
    assert len(traces) == sim.totals.ok + sim.totals.failed
    assert sum(t.ok for t in traces) == sim.totals.ok


@pytest.mark.parametrize("name", [p.name for p in list_presets()])
def test_every_trace_adds_up_to_its_latency(name):
    cfg = load(name)
    sim, traces = traced(cfg, min(cfg.scenario.duration_s, 150.0))
    assert traces
    for t in traces:
        parts = t.network + t.queue + t.processing + t.state
        assert parts == pytest.approx(t.latency, abs=1e-9), t
        assert min(t.network, t.queue, t.processing, t.state) >= -1e-12, t
    ok = [t.latency for t in traces if t.ok]
    assert sum(ok) == pytest.approx(sim.totals.latency_sum, rel=1e-9)
    assert all(describe(t.route) for t in traces[:2_000])


def test_after_a_crash_pinned_users_are_repinned_and_find_their_session_lost():
    """sticky-crash: server-2 dies at 60 s and leaves the rotation at the 65 s health
    check. The next request of every user pinned to it is re-pinned and finds nothing."""
    cfg = load("sticky-crash")
    sim = Simulation(cfg, traces=True, trace_buffer=10_000_000)
    sim.advance(59.999)
    crashed = sim.servers[1]
    pinned = {uid for uid, s in sim.balancer.affinity.items() if s is crashed}
    assert len(pinned) > 50
    sim.drain_traces()
    sim.advance(120.0)
    first_after: dict[int, object] = {}
    for t in sim.drain_traces():
        if t.user in pinned and t.t_sent > 65.0 and t.user not in first_after:
            first_after[t.user] = t
    assert len(first_after) > 50
    for t in first_after.values():
        assert t.route.how == "sticky-repin" and t.route.pinned == 1, t
        assert t.lookup == "local-lost" and t.outcome == "SESSION_LOST", t
        assert "server-2 left the rotation" in describe(t.route)
    assert {t.route.how for t in first_after.values()} == {"sticky-repin"}


def test_between_crash_and_health_check_the_balancer_still_sends_to_the_dead_server():
    cfg = load("sticky-crash")
    _, traces = traced(cfg, 66.0)
    window = [t for t in traces if 60.0 < t.t_sent < 65.0 and t.server == 1]
    assert window  # pinned users, and new users whose turn falls on it, still go there
    assert {t.route.how for t in window} == {"sticky-hit", "sticky-new"}
    assert {t.outcome for t in window} == {"SERVER_DOWN"}
    assert {t.lookup for t in window} == {"none"}


@pytest.mark.parametrize("servers", [3, 5])
def test_local_missing_share_of_follow_ups_is_c_minus_1_over_c(servers):
    cfg = config(
        scenario__seed=5,
        servers__count=servers,
        servers__workers=8,
        state__mode="local",
        state__ttl_s=10_000.0,
        balancer__algorithm="random",
        balancer__sticky=False,
        traffic__users_per_s=20.0,
        traffic__max_retries=100,
    )
    _, traces = traced(cfg, 300.0)
    follow_ups = [t for t in traces if t.kind is not RequestKind.LOGIN]
    assert len(follow_ups) > 10_000
    assert {t.route.how for t in follow_ups} == {"random"}
    missing = sum(t.lookup == "local-missing" for t in follow_ups)
    found = sum(t.lookup == "local-found" for t in follow_ups)
    assert missing + found == len(follow_ups)
    assert missing / len(follow_ups) == pytest.approx((servers - 1) / servers, abs=0.02)


@pytest.mark.parametrize(
    ("algorithm", "how", "words"),
    [
        ("round_robin", "round_robin", "slot"),
        ("random", "random", "drawn"),
        ("least_connections", "least_connections", "fewest open requests (server-1"),
        ("hash", "hash", "bucket"),
    ],
)
def test_each_algorithm_says_why(algorithm, how, words):
    cfg = config("stateless-tokens", balancer__algorithm=algorithm, balancer__sticky=False)
    _, traces = traced(cfg, 5.0)
    assert {t.route.how for t in traces} == {how}
    assert words in describe(traces[-1].route)
    assert {t.lookup for t in traces} <= {"login", "token"}


def test_store_lookups_and_outage():
    _, traces = traced(load("store-outage"), 75.0)
    lookups = {t.lookup for t in traces}
    assert {"login", "store-found", "store-down"} <= lookups
    down = [t for t in traces if t.lookup == "store-down"]
    assert {t.outcome for t in down} == {"STORE_UNAVAILABLE"}
    found = [t for t in traces if t.lookup == "store-found" and t.ok]
    assert min(t.state for t in found) == pytest.approx(0.015)


@pytest.mark.parametrize(
    "name, changes",
    [
        ("sticky-crash", {}),
        ("counter-diverges", {}),
        ("jwt-revocation", {}),
        ("gateway-services", {}),
        ("polling-waste", {"realtime.transport": "long_poll"}),  # held polls fail at a crash
        ("websocket-reconnect-storm", {}),
    ],
)
def test_a_request_in_flight_shows_the_route_its_trace_will_give(name, changes):
    sim = Simulation(with_values(load(name), changes, "test"), traces=True)
    sim.advance(40.0)
    sim.apply(CrashServer(1))
    sim.advance(41.0)
    flying = [sim.in_flight(rid) for rid in list(sim.requests.open_requests)]
    assert len(flying) == sim.totals.in_flight > 0  # every path that ends one forgets it
    sim.drain_traces()
    sim.advance(90.0)
    assert len(sim.requests.open_requests) == sim.totals.in_flight
    ended = {t.id: t for t in sim.drain_traces()}
    for f in flying:
        t = ended.get(f.id)
        if t is not None:
            assert (f.user, f.kind, f.t_sent, f.server) == (t.user, t.kind, t.t_sent, t.server)
            assert f.route == t.route and f.stage in ("on its way", "queued", "working")
    assert sim.in_flight(max(ended)) is None  # answered: no longer in flight
