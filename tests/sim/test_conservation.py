"""Property tests: any valid config and any command sequence keep the books balanced."""

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.sim.helpers import config
from visualizer.sim import commands as ev
from visualizer.sim.config import Algorithm, Mode, OnError, ServiceDistribution
from visualizer.sim.simulation import Simulation

configs = st.fixed_dictionaries(
    {
        "scenario__seed": st.integers(0, 2**32),
        "servers__count": st.integers(1, 6),
        "servers__workers": st.integers(1, 4),
        "servers__service_ms": st.floats(1.0, 300.0),
        "servers__service": st.sampled_from([d.value for d in ServiceDistribution]),
        "servers__memory_mb": st.sampled_from([0.0, 0.5, 3.0]),
        "traffic__users_per_s": st.floats(0.0, 40.0),
        "traffic__requests_per_user": st.floats(1.0, 10.0),
        "traffic__think_time_s": st.floats(0.0, 3.0),
        "traffic__on_error": st.sampled_from([o.value for o in OnError]),
        "traffic__logout_fraction": st.floats(0.0, 1.0),
        "traffic__max_retries": st.integers(0, 4),
        "traffic__proxy_fraction": st.floats(0.0, 1.0),
        "balancer__algorithm": st.sampled_from([a.value for a in Algorithm]),
        "balancer__sticky": st.booleans(),
        "balancer__health_check_s": st.sampled_from([0.0, 0.5, 3.0]),
        "state__mode": st.sampled_from([m.value for m in Mode]),
        "state__session_kb": st.floats(0.0, 200.0),
        "state__ttl_s": st.floats(0.5, 60.0),
        "state__token_verify_ms": st.floats(0.0, 10.0),
        "store__latency_ms": st.floats(0.0, 50.0),
        "store__replicas": st.integers(0, 2),
        "network__latency_ms": st.floats(0.0, 50.0),
    }
)

commands = st.one_of(
    st.builds(ev.CrashServer, st.integers(0, 7)),
    st.builds(ev.RestartServer, st.integers(0, 7)),
    st.builds(ev.CrashStore),
    st.builds(ev.RestoreStore),
    st.builds(ev.AddServer),
    st.builds(ev.RemoveServer, st.none() | st.integers(0, 7)),
    st.builds(ev.SetValue, st.just("state.mode"), st.sampled_from(["token", "local", "shared"])),
    st.builds(ev.SetValue, st.just("balancer.sticky"), st.booleans()),
    st.builds(
        ev.SetValue, st.just("balancer.algorithm"), st.sampled_from([a.value for a in Algorithm])
    ),
    st.builds(ev.SetValue, st.just("servers.count"), st.integers(1, 8)),
    st.builds(ev.SetValue, st.just("servers.workers"), st.integers(1, 6)),
    st.builds(ev.SetValue, st.just("traffic.users_per_s"), st.floats(0.0, 50.0)),
    st.builds(ev.SetValue, st.just("state.session_kb"), st.floats(0.0, 500.0)),
    st.builds(ev.SetValue, st.just("state.ttl_s"), st.floats(0.5, 100.0)),
    st.builds(ev.SetValue, st.just("store.latency_ms"), st.floats(0.0, 100.0)),
    st.builds(ev.SetValue, st.just("network.latency_ms"), st.floats(0.0, 100.0)),
)


def _check_books(sim: Simulation) -> None:
    t = sim.totals
    assert t.sent == t.ok + t.failed + t.in_flight
    assert t.in_flight >= 0
    assert t.failed == sum(t.by_code.values())
    assert t.arrived == t.completed + t.abandoned + sim.users_active
    assert t.sessions_created >= sum(t.lost_by_cause.values())
    for s in sim.servers:
        assert s.busy >= 0 and s.outstanding >= 0
        assert not s.queue or s.busy >= s.workers or not s.up
        if not s.up:
            assert s.busy == 0 and not s.queue and not s.active and len(s.sessions) == 0
    for sample in sim.samples:
        for row in sample.servers:
            assert 0.0 <= row.utilization <= 1.0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    changes=configs,
    script=st.lists(st.tuples(st.floats(0.0, 2.0), commands), max_size=12),
)
@example(  # found by hypothesis: a session idled out while its request was processed
    changes={
        "servers__count": 1,
        "servers__workers": 2,
        "servers__service_ms": 183.0,
        "servers__service": "constant",
        "traffic__users_per_s": 12.0,
        "traffic__requests_per_user": 2.0,
        "traffic__logout_fraction": 1.0,
        "traffic__max_retries": 0,
        "state__mode": "token",
        "state__ttl_s": 1.0,
        "state__token_verify_ms": 0.0,
    },
    script=[],
)
def test_books_balance_under_random_configs_and_commands(changes, script):
    sim = Simulation(config(scenario__duration_s=30.0, **changes), record_events=True)
    t = 0.0
    for gap, command in script:
        t += gap
        sim.advance(t)
        sim.apply(command)
        _check_books(sim)
    sim.advance(t + 8.0)
    sim.drain_events()
    _check_books(sim)


def test_buffers_stay_bounded_on_long_runs():
    sim = Simulation(
        config("sticky-crash", traffic__users_per_s=30.0),
        record_events=True,
        event_buffer=5_000,
        history_s=100,
    )
    sim.advance(400.0)
    assert len(sim.samples) == 100
    assert sim.samples[0].t == 301.0
    assert len(sim.drain_events()) == 5_000
    assert sim.drain_events() == []
