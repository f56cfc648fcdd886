"""Crashes, restarts, store outages, health checks, scaling and OOM kills."""

import dataclasses

import pytest

from tests.sim.helpers import config, simulate
from visualizer.sim import commands as ev
from visualizer.sim.config import Fault, FaultAction
from visualizer.sim.records import ErrorCode, EventKind, LossCause, Note
from visualizer.sim.schema import ConfigError
from visualizer.sim.simulation import Simulation
from visualizer.sim.summary import summarize


def _live_sessions(sim: Simulation, index: int) -> int:
    """Sessions a server holds right now that have not passed their idle TTL."""
    ttl = sim.config.state.ttl_s
    table = sim.servers[index].sessions
    return sum(1 for s in table._by_id.values() if sim.now - s.last_access <= ttl)


def test_sticky_crash_loses_exactly_the_sessions_the_server_held():
    cfg = config("sticky-crash")
    sim = Simulation(cfg)
    sim.advance(60.0 - 1e-9)
    held = _live_sessions(sim, 1)
    others = [len(s.sessions) for i, s in enumerate(sim.servers) if i != 1]
    assert held > 50
    sim.advance(60.0)
    assert not sim.servers[1].up
    assert sim.totals.lost_by_cause[LossCause.CRASH] == held
    assert sum(sim.totals.lost_by_cause.values()) == held
    assert [len(s.sessions) for i, s in enumerate(sim.servers) if i != 1] >= others
    sim.advance(cfg.scenario.duration_s)
    summary = summarize(sim)
    assert summary["sessions"]["lost_by_cause"]["crash"] == held
    assert summary["requests"]["by_code"]["SESSION_LOST"] > 0
    assert summary["servers"]["server-2"]["crashes"] == 1


def test_shared_store_survives_the_same_crash_and_pays_the_store_round_trip():
    shared = summarize(simulate(config("shared-store", scenario__duration_s=300.0)))
    assert shared["servers"]["server-2"]["crashes"] == 1
    assert shared["sessions"]["lost"] == 0
    assert shared["requests"]["by_code"]["SESSION_LOST"] == 0
    assert shared["requests"]["by_code"]["SESSION_MISSING"] == 0
    token = summarize(
        simulate(
            config(
                "shared-store",
                scenario__duration_s=300.0,
                state__mode="token",
                state__token_verify_ms=0.0,
            )
        )
    )
    difference = shared["latency_ms"]["mean"] - token["latency_ms"]["mean"]
    # the 15 ms round trip, plus a little queueing: it holds the worker meanwhile
    assert 15.0 <= difference <= 15.0 * 1.15


def test_dead_server_gets_traffic_until_the_health_check_then_none():
    cfg = config("stateless-tokens", balancer__health_check_s=5.0)
    sim = Simulation(cfg, record_events=True)
    sim.advance(59.0)
    sim.drain_events()
    sim.advance(80.0)
    events = sim.drain_events()
    down = [e for e in events if e.kind is EventKind.FAILED and e.detail is ErrorCode.SERVER_DOWN]
    out = [e for e in events if e.kind is EventKind.ROTATION_OUT]
    assert [e.server for e in out] == [1]
    assert out[0].t == pytest.approx(65.0)  # crash at 60: the next 5 s tick
    assert down, "requests sent to the dead server before the check must fail"
    on_the_wire = cfg.network.latency_ms / 1000.0  # sent before the check, arriving after
    assert all(60.0 <= e.t <= out[0].t + on_the_wire for e in down)
    sent_after = [e for e in events if e.kind is EventKind.SENT and e.t > out[0].t]
    assert sent_after and all(e.server != 1 for e in sent_after)
    sim.advance(120.0)  # restart at 90, back in rotation at the next check (90 + 5)
    back = [e for e in sim.drain_events() if e.kind is EventKind.ROTATION_IN]
    assert [(e.server, e.t) for e in back] == [(1, pytest.approx(95.0))]


def test_zero_health_check_period_takes_a_crashed_server_out_at_once():
    cfg = config("stateless-tokens", balancer__health_check_s=0.0, traffic__users_per_s=40.0)
    sim = simulate(cfg, until=80.0, record_events=True)
    assert not sim.servers[1].in_rotation
    down = [
        e
        for e in sim.drain_events()
        if e.kind is EventKind.FAILED and e.detail is ErrorCode.SERVER_DOWN
    ]
    assert down, "the crash must fail what server-2 was processing"
    # only requests already there (or on the wire to it) at 60 s fail; none are sent after
    assert all(60.0 <= e.t <= 60.0 + cfg.network.latency_ms / 1000.0 for e in down)


def test_in_flight_and_queued_requests_fail_when_their_server_crashes():
    cfg = config(
        servers__count=1,
        servers__workers=1,
        servers__service="constant",
        servers__service_ms=1_000.0,
        traffic__users_per_s=5.0,
        state__mode="token",
    )
    sim = Simulation(cfg, record_events=True)
    sim.advance(10.0)
    server = sim.servers[0]
    queued, busy = len(server.queue), server.busy
    assert busy == 1 and queued > 3
    sim.drain_events()
    sim.apply(ev.CrashServer(0))
    failed = [e for e in sim.drain_events() if e.kind is EventKind.FAILED]
    assert len(failed) == queued + busy
    assert {e.detail for e in failed} == {ErrorCode.SERVER_DOWN}
    assert {e.t for e in failed} == {10.0}
    sim.advance(30.0)  # stale completions of the crashed requests are ignored
    t = sim.totals
    assert t.sent == t.ok + t.failed + t.in_flight


def test_store_outage_fails_with_store_unavailable_and_loses_store_sessions():
    sim = Simulation(config("store-outage"))
    sim.advance(60.0 - 1e-9)
    in_store = len(sim.store.sessions)
    assert in_store > 100
    sim.advance(75.0)
    assert sim.totals.by_code[ErrorCode.STORE_UNAVAILABLE] > 100
    assert sim.totals.lost_by_cause[LossCause.STORE_OUTAGE] == in_store
    assert len(sim.store.sessions) == 0
    sim.advance(90.0)  # the restore
    failures_during = sim.totals.by_code[ErrorCode.STORE_UNAVAILABLE]
    sim.advance(120.0)
    assert sim.totals.by_code[ErrorCode.STORE_UNAVAILABLE] == failures_during
    assert sim.samples[-1].ok > 0
    assert len(sim.store.sessions) > 0  # new logins after the restore


def test_a_replica_keeps_the_sessions_through_a_store_outage():
    sim = Simulation(config("store-outage", store__replicas=1))
    sim.advance(60.0 - 1e-9)
    before = {s.id for s in sim.store.sessions._by_id.values()}
    sim.advance(70.0)
    assert sim.totals.by_code[ErrorCode.STORE_UNAVAILABLE] > 100  # still an outage
    assert sum(sim.totals.lost_by_cause.values()) == 0
    kept = {s.id for s in sim.store.sessions._by_id.values()}
    assert kept == before  # nothing can log out or expire (TTL 300 s) during the outage
    sim.advance(120.0)
    assert sim.totals.by_code[ErrorCode.SESSION_LOST] == 0


def test_memory_cap_kills_a_server_with_cause_oom():
    cfg = config(
        "memory-growth",
        servers__memory_mb=20.0,
        scenario__duration_s=60.0,
    )
    sim = simulate(cfg)
    oom = sim.totals.lost_by_cause[LossCause.OOM]
    crashes = sum(s.crashes for s in sim.servers)
    assert crashes >= 1
    labels = [m.label for m in sim.markers if m.kind is EventKind.SERVER_CRASHED]
    assert all("out of memory" in label for label in labels) and len(labels) == crashes
    # each kill happens at the 401st session: 401 × 50 KB > 20 MB; none expired yet
    assert oom == 401 * crashes
    assert sum(sim.totals.lost_by_cause.values()) == oom


def test_lowering_the_cap_live_kills_servers_over_it():
    sim = simulate(config("memory-growth", scenario__duration_s=60.0))
    held = [len(s.sessions) for s in sim.servers]
    assert min(held) > 100
    sim.apply(ev.SetValue("servers.memory_mb", 1.0))
    assert not any(s.up for s in sim.servers)
    assert sim.totals.lost_by_cause[LossCause.OOM] == sum(held)


def test_restart_comes_back_empty_and_rejoins_rotation():
    cfg = config("sticky-crash", balancer__health_check_s=2.0)
    sim = simulate(cfg, until=95.0)
    s = sim.servers[1]
    assert s.up and s.in_rotation
    assert len(s.sessions) < 60  # refilled only by new logins since the 90 s restart
    assert s.crashes == 1


def test_add_and_remove_servers():
    cfg = config("stateless-tokens", balancer__health_check_s=1.0)
    sim = Simulation(cfg, record_events=True)
    sim.advance(10.0)
    assert sim.apply(ev.AddServer())
    assert sim.config.servers.count == 5
    new = sim.servers[4]
    assert new.name == "server-5" and new.up and not new.in_rotation
    sim.advance(12.0)
    assert new.in_rotation
    sim.advance(20.0)
    assert new.served > 0
    assert sim.apply(ev.RemoveServer(None))
    assert not new.in_rotation
    sim.advance(25.0)
    assert new.removed and sim.config.servers.count == 4
    served = new.served
    sim.advance(35.0)
    assert new.served == served
    assert sim.apply(ev.AddServer())  # a new machine with the next name, never a reused one
    assert new.removed and len(sim.servers) == 6 and sim.servers[5].name == "server-6"
    assert [s.name for s in sim.servers if s.live][-1] == "server-6"


def test_a_server_added_while_another_drains_gets_a_new_name():
    """The validator cannot know when a drain ends, so names must not depend on it."""
    cfg = config("sticky-crash", servers__workers=1, servers__service_ms=2000.0)
    sim = Simulation(cfg)
    sim.advance(30.0)
    assert sim.apply(ev.RemoveServer(1))
    assert sim.servers[1].draining  # still finishing slow requests
    assert sim.apply(ev.AddServer())
    assert sim.servers[-1].name == "server-5"
    saved = sim.reproducible_config()
    replay = Simulation(saved)
    replay.advance(40.0)
    sim.advance(40.0)
    assert [s.name for s in replay.servers] == [s.name for s in sim.servers]


def test_setting_server_count_live_adds_and_removes():
    sim = Simulation(config("stateless-tokens", balancer__health_check_s=0.0))
    sim.advance(5.0)
    sim.apply(ev.SetValue("servers.count", 7))
    assert sum(s.live for s in sim.servers) == 7
    assert len(sim.balancer.rotation) == 7
    sim.advance(10.0)
    sim.apply(ev.SetValue("servers.count", 2))
    sim.advance(12.0)
    assert [s.name for s in sim.servers if s.live] == ["server-1", "server-2"]
    assert sim.config.servers.count == 2


def test_the_last_server_cannot_be_removed():
    sim = Simulation(config(servers__count=1))
    assert not sim.apply(ev.RemoveServer(None))
    assert not sim.apply(ev.RemoveServer(0))
    assert sim.servers[0].live


def test_removing_a_server_loses_its_sessions_after_draining():
    sim = Simulation(config("sticky-crash", scenario__duration_s=50.0))
    sim.advance(50.0)
    held = len(sim.servers[3].sessions)
    assert sim.apply(ev.RemoveServer(3))
    sim.advance(52.0)
    assert sim.servers[3].removed
    assert sim.totals.lost_by_cause[LossCause.CRASH] >= held - 10


def test_commands_on_missing_or_dead_things_change_nothing():
    sim = Simulation(config())
    sim.advance(1.0)
    assert not sim.apply(ev.RestartServer(0))  # already up
    assert sim.apply(ev.CrashServer(0))
    assert not sim.apply(ev.CrashServer(0))
    assert not sim.apply(ev.CrashServer(40))
    assert not sim.apply(ev.RestoreStore())
    assert sim.apply(ev.CrashStore())
    assert not sim.apply(ev.CrashStore())
    assert [type(c).__name__ for _, c, _ in sim.command_log] == ["CrashServer", "CrashStore"]


def test_all_servers_down_means_every_request_fails_fast():
    sim = Simulation(config("stateless-tokens", balancer__health_check_s=0.0))
    sim.advance(5.0)
    for i in range(4):
        sim.apply(ev.CrashServer(i))
    before, ok = sim.totals.failed, sim.totals.ok
    sim.advance(15.0)
    assert sim.totals.ok == ok
    assert sim.totals.failed > before
    assert sim.totals.by_code[ErrorCode.SERVER_DOWN] == sim.totals.failed
    assert sim.totals.abandoned > 0


def test_a_live_change_that_would_make_a_scheduled_setting_impossible_is_refused():
    # loads: 20 users/s thinking 3,000 s from 20 s on is 480,000 online; 200 users/s at
    # 10 s would make that set impossible at 20 s (4.8 million): refused at 10 s, saying why
    base = config("sticky-crash")
    at_20 = Fault(20.0, FaultAction.SET, key="traffic.think_time_s", value=3000.0)
    sim = Simulation(dataclasses.replace(base, faults=(*base.faults, at_20)))
    sim.advance(10.0)
    with pytest.raises(ConfigError, match=r"at 20 s the scenario sets traffic.think_time_s"):
        sim.apply(ev.SetValue("traffic.users_per_s", 200.0))
    assert sim.config.traffic.users_per_s == base.traffic.users_per_s
    assert sim.apply(ev.SetValue("traffic.users_per_s", 20.5))  # fits: taken
    sim.advance(30.0)
    assert sim.config.traffic.think_time_s == 3000.0


def test_a_scheduled_setting_that_became_impossible_is_skipped_visibly(monkeypatch):
    # (the safety net behind the live check: the run goes on and says what it skipped)
    monkeypatch.setattr(Simulation, "_check_sets_ahead", lambda self, config: None)
    base = config("sticky-crash")
    at_20 = Fault(20.0, FaultAction.SET, key="traffic.think_time_s", value=3000.0)
    sim = Simulation(dataclasses.replace(base, faults=(*base.faults, at_20)))
    sim.advance(10.0)
    sim.apply(ev.SetValue("traffic.users_per_s", 200.0))
    sim.advance(30.0)  # raised ConfigError at 20 s
    skipped = [m.label for m in sim.markers if m.note is Note.SKIPPED]
    assert skipped and skipped[0].startswith("set traffic.think_time_s skipped: ")
    assert "users online" in skipped[0]
    assert sim.config.traffic.think_time_s == base.traffic.think_time_s
