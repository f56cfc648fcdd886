"""Where queueing theory has an answer, the engine must agree with it."""

import pytest

from tests.sim.helpers import config, erlang_c_response, simulate
from visualizer.sim.records import ErrorCode, EventKind, RequestKind
from visualizer.sim.simulation import Simulation

WARMUP_S = 50.0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("workers", "servers", "utilisation", "seconds"),
    [(1, 8, 0.6, 1_500.0), (4, 4, 0.8, 1_000.0)],
    ids=["M/M/1 at 0.6", "M/M/4 at 0.8"],
)
def test_token_mode_mean_latency_matches_erlang_c(workers, servers, utilisation, seconds):
    """Random routing splits a Poisson stream into c Poisson streams of rate λ/c, so each
    server is an M/M/k queue; tokens with zero verify cost add nothing to the service."""
    service_ms = 40.0
    mu = 1000.0 / service_ms
    lam_per_server = utilisation * workers * mu
    cfg = config(
        scenario__seed=11,
        servers__count=servers,
        servers__workers=workers,
        servers__service_ms=service_ms,
        servers__service="exponential",
        state__mode="token",
        state__token_verify_ms=0.0,
        balancer__algorithm="random",
        balancer__sticky=False,
        traffic__requests_per_user=1.0,
        traffic__users_per_s=lam_per_server * servers,
        network__latency_ms=0.0,
    )
    sim = Simulation(cfg)
    sim.advance(WARMUP_S)
    ok0, sum0 = sim.totals.ok, sim.totals.latency_sum
    sim.advance(WARMUP_S + seconds)
    n = sim.totals.ok - ok0
    measured = (sim.totals.latency_sum - sum0) / n
    expected = erlang_c_response(workers, lam_per_server, mu)
    assert n > 150_000
    assert sim.totals.failed == 0
    assert measured == pytest.approx(expected, rel=0.05)


def test_constant_service_at_low_load_is_exactly_service_plus_overheads():
    """No queueing when requests never overlap: latency = 2 × network + service + store."""
    cfg = config(
        "shared-store",
        servers__service="constant",
        servers__service_ms=40.0,
        traffic__users_per_s=0.5,
        scenario__duration_s=200.0,
    )
    sim = Simulation(cfg)
    sim.advance(40.0)  # before the crash in the preset
    mean = sim.totals.latency_sum / sim.totals.ok
    expected = (2 * cfg.network.latency_ms + 40.0 + cfg.store.latency_ms) / 1000.0
    assert mean == pytest.approx(expected, abs=2e-3)


@pytest.mark.parametrize("servers", [2, 4, 6])
def test_follow_ups_without_stickiness_fail_with_probability_c_minus_1_over_c(servers):
    """Sessions in server memory, random routing: a follow-up finds its session only when
    it happens to land on the one server that holds it, with probability 1/c."""
    cfg = config(
        scenario__seed=5,
        servers__count=servers,
        servers__workers=8,
        state__mode="local",
        state__ttl_s=10_000.0,
        balancer__algorithm="random",
        balancer__sticky=False,
        traffic__users_per_s=20.0,
        traffic__requests_per_user=6.0,
        traffic__on_error="relogin",
        traffic__max_retries=100,
    )
    sim = simulate(cfg, until=300.0, record_events=True, event_buffer=10_000_000)
    events = sim.drain_events()
    follow_ups = sum(
        1 for e in events if e.kind is EventKind.SENT and e.detail is not RequestKind.LOGIN
    )
    missing = sim.totals.by_code[ErrorCode.SESSION_MISSING]
    assert follow_ups > 10_000
    assert sim.totals.failed == missing  # nothing else can fail here
    assert missing / follow_ups == pytest.approx((servers - 1) / servers, abs=0.02)
