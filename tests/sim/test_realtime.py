"""The real-time lesson against theory: empty polls, delivery delay, connections, storms.

Definitions are in ``visualizer/sim/lessons/realtime.py``. The polling runs put thousands
of users online for a short while each so that hundreds of thousands of polls and tens of
thousands of messages are measured (relative errors well under 1%); the WebSocket runs
send no messages (only connections matter) and run for many mean online times."""

from __future__ import annotations

import json
import math
import pickle
import tomllib

import numpy as np
import pytest

from tests.sim.helpers import config, simulate
from visualizer.cli import commands as cli
from visualizer.lessons.realtime.facts import (
    RealtimeFacts,
    busiest_second,
    connections_text,
    delay_text,
    empty_share,
    empty_text,
    expected_connections,
    memory_text,
    storm_text,
)
from visualizer.lessons.realtime.model import FIGURES, RealtimeModel
from visualizer.sim import scenario
from visualizer.sim.commands import CrashServer, SetValue
from visualizer.sim.config import Lesson
from visualizer.sim.lessons import model_for
from visualizer.sim.records import ErrorCode, EventKind
from visualizer.sim.schema import ConfigError, parse_config
from visualizer.sim.simulation import Simulation
from visualizer.sim.summary import summarize

COL = {name: i for i, name in enumerate(FIGURES)}


def rt_config(**changes):
    """Many short-lived users on a fleet with room to spare."""
    base = {
        "scenario__lesson": "realtime",
        "scenario__duration_s": 600,
        "traffic__users_per_s": 20,
        "balancer__sticky": False,
        "servers__count": 4,
        "servers__workers": 8,
        "servers__service_ms": 5,
        "network__latency_ms": 40,
        "realtime__online_s": 60,
        "realtime__poll_interval_s": 5,
        "realtime__messages_per_min": 3,
    }
    return config(**{**base, **changes})


def figure(sim, name):
    return np.array([s.lesson[COL[name]] for s in sim.samples])


# --- short polling ---------------------------------------------------------------------------


def test_short_polls_are_empty_with_probability_e_to_the_minus_lambda_t():
    cfg = rt_config()
    sim = simulate(cfg)
    r = summarize(sim)["realtime"]
    first = sim.totals.arrived  # each user's first poll, at arrival, finds nothing yet
    later, later_empty = r["polls"] - first, r["empty_polls"] - first
    assert later > 100_000
    predicted = math.exp(-3 / 60 * 5)  # 0.7788
    assert empty_share(cfg.realtime) == pytest.approx(predicted)
    assert later_empty / later == pytest.approx(predicted, rel=0.05)
    assert later_empty / later == pytest.approx(predicted, rel=0.01)  # (and in fact closer)


def test_short_polling_delivers_half_an_interval_late_plus_the_network():
    sim = simulate(rt_config())
    r = summarize(sim)["realtime"]
    assert r["delivered"] > 20_000
    predicted_ms = 5_000 / 2 + 40
    assert r["delivery_ms_mean"] == pytest.approx(predicted_ms, rel=0.05)
    assert r["delivery_ms_mean"] == pytest.approx(predicted_ms, rel=0.01)
    assert r["delivery_ms_p95"] == pytest.approx(0.95 * 5_000 + 40, rel=0.03)


def test_bytes_are_headers_both_ways_plus_a_frame_per_message_exactly():
    for transport in ("short_poll", "long_poll", "websocket"):
        cfg = rt_config(
            scenario__duration_s=120,
            realtime__transport=transport,
            realtime__header_bytes=700,
            realtime__frame_bytes=90,
        )
        sim = simulate(cfg)
        r = summarize(sim)["realtime"]
        t = sim.totals
        assert r["bytes_total"] == 700 * (t.sent + t.ok) + 90 * r["delivered"], transport
        assert figure(sim, "realtime_bytes").sum() == r["bytes_total"]


# --- WebSocket ---------------------------------------------------------------------------------


def ws_config(**changes):
    base = {
        "realtime__transport": "websocket",
        "realtime__messages_per_min": 0,
        "realtime__online_s": 100,
        "traffic__users_per_s": 10,
        "realtime__connection_kb": 64,
        "scenario__duration_s": 2_500,
    }
    return rt_config(**{**base, **changes})


def test_open_connections_follow_littles_law_and_memory_is_connections_times_kb():
    sim = simulate(ws_config())
    connections = figure(sim, "realtime_connections")
    memory = figure(sim, "realtime_connection_mb")
    # memory = connections × connection_kb at every sample, exactly
    assert np.array_equal(memory, connections * 64 / 1000.0)
    steady = connections[500:]  # after five mean online times
    assert steady.mean() == pytest.approx(10 * 100, rel=0.03)
    # before the long run, it grows as λT(1 − e^(−t/T)) from none (M/M/∞), not λT:
    # at one online time it is 63% of it (the websocket-memory slide at 300 s)
    for t in (25, 50, 100, 200):
        early = connections[t - 3 : t + 3].mean()  # (the samples at t - 2 … t + 3 s)
        assert early == pytest.approx(expected_connections(10, 100, t), rel=0.12), t
    # and the servers' own counts add up to the total
    facts = sim.lesson.facts()
    assert sum(row.connections for row in facts.by_server) == facts.connections
    assert facts.connection_mb == pytest.approx(facts.connections * 0.064)
    r = summarize(sim)["realtime"]
    assert r["peak_connections"] >= connections.max()
    assert r["peak_connection_memory_mb"] == pytest.approx(r["peak_connections"] * 0.064, abs=1e-3)
    assert r["polls"] == 0
    # the servers' memory is their connections' (what the memory plot and the cards show)
    assert [s.memory_mb for s in sim.samples[-1].servers] == [
        row.connections * 64 / 1000.0 for row in facts.by_server
    ]
    assert summarize(sim)["memory_mb"]["peak_total"] >= memory.max() > 0


def test_websocket_pushes_each_message_one_network_delay_after_it_arrives():
    sim = simulate(ws_config(scenario__duration_s=300, realtime__messages_per_min=6))
    r = summarize(sim)["realtime"]
    assert r["delivered"] > 5_000
    assert r["delivery_ms_p95"] == pytest.approx(40.0, abs=0.5)  # pushed at once
    # only messages that came while a handshake was on its way waited longer
    assert 40.0 <= r["delivery_ms_mean"] < 41.0


def storm(jitter: float):
    """A run with ~2,000 connections per server; server-1 crashes at 1,000.5 s."""
    cfg = ws_config(
        traffic__users_per_s=40,
        realtime__online_s=200,
        realtime__reconnect_jitter_s=jitter,
        balancer__health_check_s=0,
        scenario__duration_s=1_020,
    )
    sim = Simulation(cfg)
    sim.advance(1_000.5)
    n = next(row.connections for row in sim.lesson.facts().by_server if row.server == 0)
    assert sim.apply(CrashServer(0))
    sim.advance(1_020)
    return sim, n


def test_without_jitter_every_dropped_connection_comes_back_in_the_same_instant():
    sim, n = storm(0.0)
    assert n > 1_500
    reconnects = figure(sim, "realtime_reconnects")
    assert reconnects.sum() == n  # nobody else reconnected
    assert reconnects[-20] == n  # the second (1000, 1001]: the crash's instant
    assert summarize(sim)["realtime"]["peak_reconnects_per_s"] == n
    assert sim.lesson.facts().by_server[0].connections == 0


def test_jitter_spreads_the_storm_to_n_over_j_per_second():
    sim, n = storm(5.0)
    reconnects = figure(sim, "realtime_reconnects")
    # a few go offline while they wait (about n × 2.5 s / 200 s of them)
    assert 0.97 * n <= reconnects.sum() <= n
    peak = summarize(sim)["realtime"]["peak_reconnects_per_s"]
    assert peak == reconnects.max()
    assert peak == pytest.approx(n / 5.0, rel=0.15)
    # spread over (1000.5, 1005.5]: seconds 1001 to 1006 and none after
    assert reconnects[-20:-14].sum() == reconnects.sum()


def quick_storm(jitter: float, seed: int, health_check_s: float = 0.0, count: int = 2):
    """~2,000 connections on server-1 (of two; 1,000 of four), which crashes at 100.5 s:
    the users stay online ~4,000 s, so nearly all of them are still there to reconnect."""
    cfg = ws_config(
        traffic__users_per_s=40,
        realtime__online_s=4_000,
        realtime__reconnect_jitter_s=jitter,
        balancer__health_check_s=health_check_s,
        servers__count=count,
        scenario__seed=seed,
        scenario__duration_s=100.5 + jitter + 40,
    )
    sim = Simulation(cfg)
    sim.advance(100.5)
    n = next(row.connections for row in sim.lesson.facts().by_server if row.server == 0)
    assert sim.apply(CrashServer(0))
    sim.advance(cfg.scenario.duration_s)
    return n, figure(sim, "realtime_reconnects")


def test_the_busiest_second_of_a_jittered_storm_is_more_than_n_over_j():
    """The printed peak, N/J + c·√(N/J) (``busiest_second``: the expected largest of
    the whole seconds' Binomial(N, 1/J) counts), against the measured peak of six
    crashes at J = 8 s (N ≈ 2,000: N/J ≈ 250, the printed excess ≈ 20 a second). One
    peak's spread is ~8 a second, so the mean of six is known to ~3.5: the test allows
    4 standard errors, and N/J alone is ~5 of them below."""
    j = 8.0
    rt = ws_config(realtime__reconnect_jitter_s=j).realtime
    assert storm_text(rt) == "peak reconnects ≈ N/J + 1.26√(N/J), J = 8 s"
    c = busiest_second(j)
    misses, plain = [], []
    for seed in range(1, 7):
        n, reconnects = quick_storm(j, seed)
        assert 0.99 * n <= reconnects.sum() <= n  # (a few go offline while they wait)
        n_per_s = reconnects.sum() / j
        misses.append(reconnects.max() - (n_per_s + c * math.sqrt(n_per_s)))
        plain.append(reconnects.max() - n_per_s)
    se = float(np.std(misses, ddof=1)) / math.sqrt(len(misses))
    assert abs(float(np.mean(misses))) < 4 * se
    assert float(np.mean(plain)) > 4 * se  # the busiest second is not N/J


def test_with_a_health_check_reconnects_to_the_crashed_server_fail_and_come_back():
    # four servers, checked every 5 s: until then round robin sends 1 in 4 to the dead one
    n, reconnects = quick_storm(8.0, 1, health_check_s=5.0, count=4)
    assert reconnects.sum() > 1.1 * n
    rt = ws_config(realtime__reconnect_jitter_s=8).realtime
    assert storm_text(rt, 5).endswith("+ retries (health check)")


def test_a_server_added_later_gets_only_new_connections():
    cfg = ws_config(scenario__duration_s=400, servers__count=2)
    sim = Simulation(cfg)
    sim.advance(300)
    from visualizer.sim.commands import AddServer

    sim.apply(AddServer())
    sim.advance(310)
    rows = {row.server: row.connections for row in sim.lesson.facts().by_server}
    # ten seconds of arrivals (≈100, round robin over three) against ~470 each on the old ones
    assert rows[2] < 60 < 300 < min(rows[0], rows[1])


# --- long polling -------------------------------------------------------------------------------


def test_long_polls_are_held_without_a_worker_and_answer_at_once():
    cfg = rt_config(
        scenario__duration_s=300,
        realtime__transport="long_poll",
        realtime__long_poll_timeout_s=20,
        realtime__messages_per_min=1,
    )
    sim = simulate(cfg)
    r = summarize(sim)["realtime"]
    held = figure(sim, "realtime_held_polls")
    assert held[100:].mean() > 0.9 * 20 * 60  # nearly every online user has one held
    assert max(s.busy for s in sim.servers) <= cfg.servers.workers  # held: not busy
    assert r["delivery_ms_p95"] < 100  # answered at once
    # an empty answer is a timeout: about one per timeout per user without a message
    assert r["empty_polls"] < r["polls"]
    assert sim.lesson.facts().held_polls == sum(  # type: ignore[attr-defined]
        row.held_polls
        for row in sim.lesson.facts().by_server  # type: ignore[attr-defined]
    )


def test_a_crash_drops_held_long_polls_and_their_users_come_back():
    cfg = rt_config(
        scenario__duration_s=200,
        realtime__transport="long_poll",
        realtime__reconnect_jitter_s=2,
        balancer__health_check_s=0,
    )
    sim = Simulation(cfg)
    sim.advance(150.5)
    held = sim.lesson.facts().by_server[0].held_polls  # type: ignore[attr-defined]
    assert held > 100
    sim.apply(CrashServer(0))
    assert sim.totals.by_code[ErrorCode.SERVER_DOWN] >= held
    sim.advance(200)
    assert figure(sim, "realtime_reconnects")[-50:].sum() >= held
    t = sim.totals
    assert t.sent == t.ok + t.failed + t.in_flight


# --- determinism, replay, CLI -----------------------------------------------------------------


def test_users_and_messages_are_the_same_whatever_the_transport():
    runs = [
        summarize(simulate(rt_config(scenario__duration_s=120, realtime__transport=tr)))
        for tr in ("short_poll", "long_poll", "websocket")
    ]
    assert len({r["users"]["arrived"] for r in runs}) == 1
    assert len({r["realtime"]["messages"] for r in runs}) == 1


def test_same_config_same_numbers_and_a_saved_run_replays():
    cfg = config("websocket-reconnect-storm", scenario__duration_s=230)
    first = summarize(simulate(cfg))
    assert summarize(simulate(cfg)) == first
    reloaded = parse_config(tomllib.loads(scenario.to_toml(cfg)))
    assert reloaded == cfg
    assert summarize(simulate(reloaded)) == first
    assert first["lesson"] == "realtime" and first["realtime"]["peak_reconnects_per_s"] > 500


def test_a_checkpoint_resumes_exactly():
    cfg = rt_config(scenario__duration_s=120, realtime__transport="long_poll")
    sim = Simulation(cfg)
    sim.advance(60)
    copy = pickle.loads(pickle.dumps(sim))
    sim.advance(120)
    copy.advance(120)
    assert summarize(copy) == summarize(sim)


def test_live_changes_apply_to_new_users():
    sim = Simulation(rt_config(scenario__duration_s=200))
    sim.advance(100)
    sim.apply(SetValue("realtime.transport", "websocket"))
    sim.advance(200)
    facts = sim.lesson.facts()
    assert facts.transport == "websocket" and facts.connections > 0  # type: ignore[attr-defined]
    assert figure(sim, "realtime_polls")[-1] > 0  # users online since before still poll


def test_validation_names_the_lesson_and_the_load():
    with pytest.raises(ConfigError, match=r"\[realtime\] belongs to the realtime lesson"):
        parse_config({"realtime": {"transport": "websocket"}})
    with pytest.raises(ConfigError, match=r"realtime\.transport"):
        parse_config({"scenario": {"lesson": "realtime"}, "realtime": {"transport": "smoke"}})
    with pytest.raises(ConfigError, match=r"users_per_s × realtime.online_s"):
        parse_config(
            {
                "scenario": {"lesson": "realtime"},
                "traffic": {"users_per_s": 1_000},
                "realtime": {"online_s": 1_000},
            }
        )


def test_strip_arithmetic():
    rt = rt_config().realtime
    assert empty_text(rt) == "empty polls = e^(−λT) = e^(−0.05 × 5) = 78%"
    assert delay_text(rt, 40) == "delay ≈ T/2 + network = 2.5 s + 40 ms"
    ws = ws_config(traffic__users_per_s=20, realtime__online_s=300).realtime
    assert connections_text(ws, 20) == "connections = arrivals × online time = 20/s × 300 s = 6,000"
    # before the long run (five online times), what it has grown to: 6,000 × (1 − 1/e)
    assert connections_text(ws, 20, 300.0) == (
        "connections = 20/s × 300 s × (1 − e^(−t/300 s)) = 3,793 at 300 s (long run 6,000)"
    )
    assert connections_text(ws, 20, 1_500.0) == connections_text(ws, 20)
    assert memory_text(ws, 6_000) == "memory = connections × KB = 6,000 × 64 KB = 384.0 MB"
    assert storm_text(ws).startswith("jitter 0")
    jittered = ws_config(realtime__reconnect_jitter_s=5).realtime
    assert storm_text(jittered) == "peak reconnects ≈ N/J + 0.92√(N/J), J = 5 s"
    assert storm_text(jittered, 5) == "peak reconnects ≈ N/J + 0.92√(N/J) + retries (health check)"
    assert storm_text(ws, 5) == "jitter 0: N reconnect at once + retries (health check)"


def test_facts_and_about_a_user():
    sim = simulate(ws_config(scenario__duration_s=60, realtime__messages_per_min=1))
    facts = sim.lesson.facts()
    assert isinstance(facts, RealtimeFacts)
    assert facts.online == sim.users_active > 0
    uid = next(iter(sim.lesson.users))  # type: ignore[attr-defined]
    about = sim.lesson.about_user(uid)
    assert about is not None and about.transport == "websocket"
    assert sim.lesson.about_user(10**9) is None


def test_the_realtime_model_is_registered():
    assert model_for(Lesson("realtime")) is RealtimeModel


def test_cli_run_json_has_the_realtime_part(capsys):
    code = cli.main(["run", "polling-waste", "--duration", "60", "--json", "-"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["lesson"] == "realtime"
    assert set(data["realtime"]) == {
        "messages",
        "delivered",
        "polls",
        "empty_polls",
        "delivery_ms_mean",
        "delivery_ms_p95",
        "bytes_total",
        "peak_connections",
        "peak_connection_memory_mb",
        "peak_reconnects_per_s",
    }
    assert data["realtime"]["empty_polls"] > 0
    assert data["config"]["realtime"]["transport"] == "short_poll"
    assert "auth" not in data["config"]


def test_cli_readable_summary_and_csv_columns(capsys, tmp_path):
    path = tmp_path / "run.csv"
    code = cli.main(["run", "websocket-memory", "--duration", "90", "--csv", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "WebSocket, 64 KB per connection" in out and "connections" in out
    rows = path.read_text().splitlines()
    header = rows[0].split(",")
    assert header[-len(FIGURES) :] == list(FIGURES)
    assert len(rows) == 91 and all(len(r.split(",")) == len(header) for r in rows[1:])


def test_cli_compare_polling_and_jitter(capsys):
    code = cli.main(["compare", "compare-polling", "--duration", "60", "--json", "-"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    a, b = data["a"]["realtime"], data["b"]["realtime"]
    assert a["messages"] == b["messages"] > 0  # the same messages on both sides
    assert a["empty_polls"] > 0 == b["empty_polls"]
    assert b["peak_connections"] > 0 == a["peak_connections"]
    assert b["delivery_ms_mean"] < a["delivery_ms_mean"]
    code = cli.main(["compare", "compare-jitter", "--duration", "210", "--json", "-"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert (
        data["a"]["realtime"]["peak_reconnects_per_s"]
        > data["b"]["realtime"]["peak_reconnects_per_s"] * 3
    )


def test_cli_trace_names_polls_and_handshakes(capsys, tmp_path):
    path = tmp_path / "trace.jsonl"
    code = cli.main(["run", "compare-polling", "--duration", "20", "--trace", str(path)])
    assert code == 0, capsys.readouterr().err
    text = path.read_text()
    assert "short-poll" in text


# --- the records views draw from -----------------------------------------------------------------


@pytest.mark.parametrize("transport", ["short_poll", "long_poll", "websocket"])
def test_message_records_add_up_to_the_deliveries_and_the_empty_polls(transport):
    """Every delivery is in a MESSAGES record (a response's or a pushed frame's), and the
    records with none are exactly the empty polls: the canvas greys those."""
    cfg = rt_config(scenario__duration_s=120, realtime__transport=transport)
    sim = Simulation(cfg, record_events=True, event_buffer=5_000_000)
    sim.run()
    said = [e for e in sim.drain_events() if e.kind is EventKind.MESSAGES]
    rt = summarize(sim)["realtime"]
    assert sum(e.detail for e in said) == rt["delivered"] > 0
    responses = [e for e in said if e.request != 0]
    empty = sum(e.detail == 0 for e in responses)
    assert empty == rt["empty_polls"]
    pushed = [e for e in said if e.request == 0]
    if transport == "websocket":
        assert pushed and all(e.detail == 1 for e in pushed)
    else:
        assert not pushed and empty > 0
