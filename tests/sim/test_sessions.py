"""Where sessions live, how much memory they take, and when they go away."""

import itertools
from collections import Counter

import pytest

from tests.sim.helpers import config, simulate
from visualizer.sim import commands as ev
from visualizer.sim.config import Mode
from visualizer.sim.records import CLIENT, STORE, ErrorCode, EventKind, LossCause, RequestKind
from visualizer.sim.simulation import Simulation
from visualizer.sim.summary import summarize


def _replay_one(held: Counter, e) -> None:
    """Apply one event to session counts per holder (rebuilt from the stream alone)."""
    if e.kind is EventKind.SESSION_CREATED:
        held[e.server] += 1
    elif e.kind is EventKind.SESSION_ENDED:
        held[e.server] -= 1
    elif e.kind is EventKind.SESSION_EXPIRED:
        held[e.server] -= e.detail
    elif e.kind in (EventKind.SERVER_CRASHED, EventKind.SERVER_REMOVED):
        held[e.server] = 0
    elif e.kind is EventKind.STORE_CRASHED and e.detail:
        held[STORE] = 0


def test_memory_is_sessions_times_size_at_every_sample():
    """Session counts rebuilt from events match every sample, and memory = count × size."""
    cfg = config("sticky-crash", state__ttl_s=20.0, traffic__logout_fraction=0.5)
    sim = Simulation(cfg, record_events=True, event_buffer=10_000_000)
    commands = {
        30: ev.SetValue("state.session_kb", 80.0),
        40: ev.AddServer(),
        100: ev.RemoveServer(0),
    }
    for t in range(1, 121):
        if t in commands:
            sim.apply(commands[t])
        sim.advance(float(t))
    samples = {s.t: s for s in sim.samples}
    held: Counter = Counter()
    kb = cfg.state.session_kb
    checked = 0
    for e in sim.drain_events():
        if e.kind is EventKind.SETTING_CHANGED and "session_kb" in str(e.detail):
            kb = 80.0
        if e.kind is not EventKind.SAMPLED:
            _replay_one(held, e)
            continue
        sample = samples[e.t]
        for index, row in enumerate(sample.servers):
            assert row.sessions == held[index], (e.t, index)
            assert row.memory_mb == pytest.approx(row.sessions * kb / 1000.0)
            checked += row.sessions > 0
        assert sample.store_sessions == held[STORE] == 0
        assert sample.memory_mb == pytest.approx(sum(r.sessions for r in sample.servers) * kb / 1e3)
    assert checked > 200
    assert len(samples) == 120
    assert sim.totals.lost_by_cause[LossCause.CRASH] > 0


def test_memory_growth_preset_reaches_about_500_mb():
    sim = simulate(config("memory-growth"))
    peak = max(sim.samples, key=lambda s: s.memory_mb)
    sessions = sum(r.sessions for r in peak.servers)
    assert 9_000 <= sessions <= 11_000
    assert peak.memory_mb == pytest.approx(sessions * 50 / 1000.0)
    assert 450.0 <= peak.memory_mb <= 550.0


def test_store_memory_counts_store_sessions():
    sim = simulate(config("shared-store", scenario__duration_s=30.0))
    last = sim.samples[-1]
    assert last.store_sessions > 100
    assert last.store_memory_mb == pytest.approx(last.store_sessions * 0.05)
    assert all(r.sessions == 0 for r in last.servers)


def test_switching_mode_applies_to_new_sessions_only():
    sim = Simulation(config("sticky-crash", state__ttl_s=10_000.0), record_events=True)
    sim.advance(20.0)
    local_before = sum(len(s.sessions) for s in sim.servers)
    sim.apply(ev.SetValue("state.mode", "shared"))
    sim.advance(21.0)
    sim.drain_events()
    sim.advance(40.0)
    created = Counter(e.server for e in sim.drain_events() if e.kind is EventKind.SESSION_CREATED)
    assert set(created) == {STORE}
    assert sum(len(s.sessions) for s in sim.servers) >= local_before * 0.8  # still there
    assert sim.totals.failed == 0  # old local sessions still served by their sticky server
    sim.apply(ev.SetValue("state.mode", "token"))
    sim.advance(41.0)
    sim.drain_events()
    sim.advance(50.0)
    created = Counter(e.server for e in sim.drain_events() if e.kind is EventKind.SESSION_CREATED)
    assert set(created) == {CLIENT}
    assert len(sim.store.sessions) > 0


def test_idle_sessions_expire_after_the_ttl():
    cfg = config(
        "sticky-crash",
        state__ttl_s=10.0,
        traffic__users_per_s=5.0,
        traffic__logout_fraction=0.0,
        scenario__duration_s=50.0,
    )
    sim = Simulation(cfg)
    sim.advance(30.0)
    assert sum(len(s.sessions) for s in sim.servers) > 0
    sim.apply(ev.SetValue("traffic.users_per_s", 0.0))
    t = 30.0
    while sim.users_active:  # wait for the last user to finish
        t += 1.0
        sim.advance(t)
        assert t < 300.0
    assert sum(len(s.sessions) for s in sim.servers) > 0  # recent ones still within the TTL
    sim.advance(t + 10.0 + 1.0)  # one TTL (and one sweep) later every session is idle
    assert sum(len(s.sessions) for s in sim.servers) == 0
    assert sim.samples[-1].active_sessions == 0
    assert sum(sim.totals.lost_by_cause.values()) < 50  # only the 60 s crash


def test_expired_token_is_insufficient_context():
    cfg = config(
        state__mode="token",
        state__ttl_s=1.0,
        traffic__think_time_s=2.0,
        traffic__users_per_s=10.0,
        balancer__sticky=False,
    )
    sim = simulate(cfg, until=60.0)
    assert sim.totals.by_code[ErrorCode.INSUFFICIENT_CONTEXT] > 50
    assert sim.totals.by_code[ErrorCode.SESSION_MISSING] == 0
    assert sum(sim.totals.lost_by_cause.values()) == 0


def test_logout_removes_the_session():
    cfg = config(
        traffic__logout_fraction=1.0,
        traffic__users_per_s=5.0,
        traffic__requests_per_user=3.0,
        state__ttl_s=10_000.0,
        scenario__duration_s=40.0,
    )
    sim = Simulation(cfg, record_events=True)
    sim.advance(40.0)
    sim.apply(ev.SetValue("traffic.users_per_s", 0.0))
    sim.advance(100.0)
    events = sim.drain_events()
    created = sum(e.kind is EventKind.SESSION_CREATED for e in events)
    ended = sum(e.kind is EventKind.SESSION_ENDED for e in events)
    held = sum(len(s.sessions) for s in sim.servers)
    one_request_users = created - ended  # workflows of one request have no logout
    assert ended > 50
    assert held == one_request_users


def test_misrouted_sessions_are_counted_lost_once_and_stay_in_memory():
    cfg = config("local-no-sticky", scenario__duration_s=60.0)
    sim = simulate(cfg)
    lost = sim.totals.lost_by_cause[LossCause.MISROUTED]
    # each misroute gives up a live session once: the user logs in again, or gives up
    assert lost == sim.totals.by_code[ErrorCode.SESSION_MISSING] > 100
    assert sim.totals.relogins + sim.totals.abandoned >= lost > sim.totals.relogins
    held = sum(len(s.sessions) for s in sim.servers)
    assert held > sim.users_active  # orphans wait for their TTL
    assert sim.totals.sessions_created > sim.totals.arrived


@pytest.mark.parametrize("mode", [Mode.LOCAL, Mode.SHARED, Mode.TOKEN])
def test_sessions_created_equals_successful_logins(mode):
    sim = simulate(config(state__mode=mode.value, scenario__duration_s=30.0), record_events=True)
    events = sim.drain_events()
    logins_ok = {e.request for e in events if e.kind is EventKind.SERVED} & {
        e.request for e in events if e.kind is EventKind.SENT and e.detail == 0
    }
    assert sim.totals.sessions_created == len(logins_ok) > 100


def _misrouting(on_error: str, max_retries: int = 3):
    cfg = config(
        "local-no-sticky",
        traffic__on_error=on_error,
        traffic__max_retries=max_retries,
        scenario__duration_s=60.0,
    )
    return simulate(cfg, record_events=True, event_buffer=2_000_000)


def test_on_error_relogin_logs_in_again_after_a_session_error():
    sim = _misrouting("relogin", max_retries=100)
    t = sim.totals
    assert t.relogins == t.by_code[ErrorCode.SESSION_MISSING] > 100
    assert t.abandoned == 0


def test_on_error_retry_resends_the_same_request():
    sim = _misrouting("retry", max_retries=100)
    events = sim.drain_events()
    kinds = {e.request: e.detail for e in events if e.kind is EventKind.SENT}
    failed = [e for e in events if e.kind is EventKind.FAILED]
    retried = 0
    by_user: dict[int, list] = {}
    for e in events:
        if e.kind in (EventKind.SENT, EventKind.FAILED):
            by_user.setdefault(e.user, []).append(e)
    for seq in by_user.values():
        for a, b in itertools.pairwise(seq):
            if a.kind is EventKind.FAILED and b.kind is EventKind.SENT:
                assert b.detail == kinds[a.request]  # the same kind of request again
                retried += 1
    assert sim.totals.relogins == 0
    assert retried > 100 and len(failed) > 100
    # a retried follow-up succeeds when it happens to land on the session's server
    assert sim.totals.lost_by_cause[LossCause.MISROUTED] < len(failed)


def test_on_error_abandon_leaves_at_the_first_error():
    sim = _misrouting("abandon")
    t = sim.totals
    assert t.abandoned == t.failed > 100  # one error each, then gone
    assert t.relogins == 0
    assert t.lost_by_cause[LossCause.MISROUTED] == t.by_code[ErrorCode.SESSION_MISSING]


def test_max_retries_bounds_consecutive_failures():
    sim = _misrouting("retry", max_retries=2)
    events = sim.drain_events()
    streak: dict[int, int] = {}
    worst = 0
    for e in events:
        if e.kind is EventKind.FAILED:
            streak[e.user] = streak.get(e.user, 0) + 1
            worst = max(worst, streak[e.user])
        elif e.kind is EventKind.SERVED:
            streak[e.user] = 0
    assert worst == 3  # the first failure plus two retries, then the user abandons
    assert sim.totals.abandoned > 0


def test_a_forced_relogin_is_not_progress_and_loops_of_them_end_in_abandon():
    """Every follow-up lands on one of 16 servers at random: most find no session. Logging
    in again neither completes a step nor resets the count of failures in a row, so a user
    gives up after max_retries + 1 failures since their last real step."""
    cfg = config(
        "local-no-sticky",
        servers__count=16,
        servers__workers=8,
        balancer__algorithm="random",
        traffic__max_retries=2,
        traffic__requests_per_user=20.0,
        scenario__duration_s=120.0,
    )
    sim = simulate(cfg, record_events=True, event_buffer=5_000_000)
    kinds = {}
    since_step: dict[int, int] = {}
    for e in sim.drain_events():
        if e.kind is EventKind.SENT:
            kinds[e.request] = e.detail
        elif e.kind is EventKind.FAILED:
            since_step[e.user] = since_step.get(e.user, 0) + 1
            assert since_step[e.user] <= cfg.traffic.max_retries + 1
        elif e.kind is EventKind.SERVED and kinds[e.request] is not RequestKind.LOGIN:
            since_step[e.user] = 0
    t = sim.totals
    assert t.abandoned > 0.5 * t.arrived  # almost nobody gets 20 steps done
    assert t.arrived == t.completed + t.abandoned + sim.users_active
    summary = summarize(sim)
    assert summary["requests"]["logins"] == t.sessions_created > t.arrived
    assert summary["users"]["relogins"] == t.relogins > 0
