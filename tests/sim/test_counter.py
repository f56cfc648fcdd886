"""The counter lesson: where a click count lives, against theory.

Definitions (``visualizer/sim/lessons/counter.py``): the true count of a key is the
number of its clicks answered so far; an answer is wrong when it differs from the true
count right after its own click.
"""

from __future__ import annotations

import csv
import io
import json
import math
import pickle

import pytest

from tests.sim.helpers import config, simulate
from visualizer.cli import commands as cli
from visualizer.lessons.counter.homes import FORGERY
from visualizer.lessons.counter.model import CounterFacts, CounterModel
from visualizer.sim import commands as ev
from visualizer.sim import scenario
from visualizer.sim.records import ErrorCode, EventKind, RequestKind
from visualizer.sim.rng import Streams
from visualizer.sim.simulation import Simulation
from visualizer.sim.summary import summarize

PRESETS = ["counter-diverges", "counter-shared", "counter-shared-rmw", "counter-client"]
COMPARISONS = ["compare-counter", "compare-counter-signed"]


def counter(**changes):
    """A counter scenario without failures: no crash, no queue limit in reach."""
    base = dict(
        scenario__lesson="counter",
        balancer__sticky=False,
        balancer__algorithm="random",
        servers__queue_limit=100_000,
        network__latency_ms=0.0,
    )
    return config(**(base | changes))


def model(sim: Simulation) -> CounterModel:
    assert isinstance(sim.lesson, CounterModel)
    return sim.lesson


# --- theory ----------------------------------------------------------------------------------


def right_share_exact(c: int, m: float, terms: int = 10_000) -> float:
    """The share of right answers among clicks, summed term by term.

    A user makes N clicks, geometric on {1, 2, ...} with mean m (p = 1/m), so
    P(N >= k) = (1 - p)^(k-1). Each click goes to one of c servers uniformly at random,
    and a server answers with the number of this user's clicks it has counted. The k-th
    click is answered right (k) only if all k clicks landed on one server: probability
    c^-(k-1) (the first lands anywhere, the k-1 others on the same one). The expected
    right answers per user are sum_k P(N >= k) c^-(k-1), the expected clicks per user
    E[N] = m; the share among clicks is their ratio."""
    p = 1.0 / m
    right = sum((1.0 - p) ** (k - 1) * c ** -(k - 1) for k in range(1, terms))
    return right / m


def right_share_closed(c: int, m: float) -> float:
    """The geometric series of ``right_share_exact`` summed: [1 / (1 - (1-p)/c)] / m."""
    p = 1.0 / m
    return 1.0 / (1.0 - (1.0 - p) / c) / m


@pytest.mark.parametrize(("c", "m"), [(4, 4.0), (2, 8.0)])
def test_per_user_counts_on_servers_are_right_as_often_as_the_workflow_says(c, m):
    """Per-user counts in server memory, random routing over c servers, no stickiness,
    no failures: the share of right answers matches the workflow-length theory."""
    assert right_share_exact(c, m) == pytest.approx(right_share_closed(c, m), rel=1e-12)
    cfg = counter(
        servers__count=c,
        servers__workers=8,
        traffic__users_per_s=200.0 / m,
        traffic__requests_per_user=m,
        traffic__think_time_s=0.5,
        scenario__duration_s=1_000.0,
    )
    sim = simulate(cfg)
    lesson = model(sim)
    assert sim.totals.failed == 0
    assert lesson.answers > 150_000
    right = 1.0 - lesson.wrong / lesson.answers
    assert right == pytest.approx(right_share_closed(c, m), abs=0.005)
    assert lesson.max_divergence >= 2


def test_sticky_per_user_counts_on_servers_are_all_right_until_a_crash():
    """With stickiness a user's clicks all land on one server: every answer is right and
    no count diverges; a crash loses the counts of its users, whose next answers are
    wrong (the user is re-pinned and counts again from 1)."""
    cfg = counter(
        balancer__sticky=True,
        balancer__algorithm="round_robin",
        traffic__users_per_s=20.0,
        traffic__requests_per_user=10.0,
        scenario__duration_s=90.0,
    )
    sim = Simulation(cfg)
    sim.advance(59.999)
    lesson = model(sim)
    assert lesson.answers > 5_000 and lesson.wrong == 0 and lesson.max_divergence == 0
    sim.apply(ev.CrashServer(1))
    sim.advance(90.0)
    assert lesson.wrong > 50
    assert lesson.max_divergence >= 2  # the crashed server's counts are gone (0)
    assert all(w.seen < w.true for w in lesson.facts().recent_wrong)


@pytest.mark.parametrize("lam_r", [0.1, 0.5, 1.0, 2.0])
def test_read_modify_write_loses_the_updates_poisson_overlap_predicts(lam_r):
    """One global count in the store, read-modify-write: each click reads the count when
    its round trip starts and writes read + 1 when it ends, R later.

    Let the reads come at rate λ (Poisson) and let g be the rate at which the store
    value grows. A write overwrites the increments that landed in its own window, so
    its expected loss is the growth over one window, g·R; per click the store grows by
    1 - loss on average, so g = λ(1 - f) with f the lost share per click, and
    f = g·R = λR(1 - f), i.e. f = λR / (1 + λR). (Exactly so for a constant R: writes
    come in the order of their reads, the value read by click i is 1 + the value read by
    the last click at least R earlier, so the value climbs by one every R + 1/λ on
    average: g = 1/(R + 1/λ) = λ/(1 + λR).) For small λR it is ≈ λR; it is not
    1 - e^-λR (the chance a click overlaps another), which is 26% too high at λR = 1
    (0.63 vs 0.5) and 30% at λR = 2 (0.86 vs 0.67): the test tells them apart.

    The lost updates are the store's shortfall: at each write, the value just before it
    minus the value read. So the final store value is exactly writes - lost."""
    r = 0.010
    lam = lam_r / r
    m = 5.0
    cfg = counter(
        counter__scope="global",
        counter__placement="store",
        counter__update="read_modify_write",
        store__latency_ms=r * 1000.0,
        servers__workers=16,
        traffic__users_per_s=lam / m,
        traffic__requests_per_user=m,
        traffic__think_time_s=2.0,
        scenario__duration_s=100_000.0 / lam,
    )
    sim = simulate(cfg)
    store = model(sim).store
    assert sim.totals.failed == 0 and store.writes == sim.totals.ok > 90_000
    x = store.writes / sim.now * r  # the measured click rate × R
    assert x == pytest.approx(lam_r, rel=0.03)
    assert store.lost / store.writes == pytest.approx(x / (1.0 + x), rel=0.03)
    if lam_r >= 1.0:  # what the strip prints, not the chance of an overlap
        assert store.lost / store.writes < 0.85 * -math.expm1(-x)
    assert store.values[0] == store.writes - store.lost
    summary = summarize(sim)["counter"]
    assert summary["lost_updates"] == store.lost
    assert summary["wrong_answers"] > 0


@pytest.mark.parametrize("scope", ["global", "user"])
def test_an_atomic_increment_loses_nothing_and_every_answer_is_right(scope):
    cfg = counter(
        counter__scope=scope,
        counter__placement="store",
        counter__update="atomic",
        traffic__users_per_s=20.0,
        scenario__duration_s=300.0,
    )
    sim = simulate(cfg)
    lesson = model(sim)
    assert lesson.answers > 30_000
    assert lesson.store.lost == 0 and lesson.wrong == 0
    if scope == "global":
        assert lesson.store.values[0] == lesson.answers == lesson.true[0]


@pytest.mark.parametrize("algorithm", ["round_robin", "random", "least_connections", "hash"])
def test_a_client_carried_count_is_right_under_any_routing(algorithm):
    sim = simulate(
        counter(
            counter__placement="client", balancer__algorithm=algorithm, scenario__duration_s=200
        )
    )
    lesson = model(sim)
    assert lesson.answers > 10_000 and lesson.wrong == 0
    assert lesson.client.sent == lesson.client.accepted == lesson.client.rejected == 0


@pytest.mark.parametrize("algorithm", ["round_robin", "random"])
def test_unsigned_forged_counts_are_all_accepted_and_every_one_is_a_wrong_answer(algorithm):
    cfg = counter(
        counter__placement="client",
        balancer__algorithm=algorithm,
        traffic__tamper_fraction=0.2,
        scenario__duration_s=200.0,
    )
    sim = simulate(cfg)
    lesson = model(sim)
    client = lesson.client
    assert client.sent > 1_000
    assert client.accepted == client.sent and client.rejected == 0
    assert sim.totals.failed == 0
    # the honest clients are all answered right; a forged click may still be in flight
    assert 0 <= client.accepted - lesson.wrong <= sim.totals.in_flight
    assert all(w.seen > w.true + FORGERY - 1 for w in lesson.facts().recent_wrong)
    assert client.sent / sim.totals.sent == pytest.approx(0.2, abs=0.03)


@pytest.mark.parametrize("on_error", ["relogin", "retry"])
def test_signed_forged_counts_are_all_refused_and_tampering_is_no_session_error(on_error):
    cfg = counter(
        counter__placement="client",
        counter__signed=True,
        traffic__tamper_fraction=0.2,
        traffic__on_error=on_error,
        traffic__max_retries=3,
        scenario__duration_s=200.0,
    )
    sim = simulate(cfg)
    lesson = model(sim)
    client = lesson.client
    assert client.sent > 500
    assert client.accepted == 0 and client.rejected == client.sent
    assert sim.totals.by_code[ErrorCode.TAMPERED] == client.rejected == sim.totals.failed
    assert lesson.wrong == 0
    assert sim.totals.relogins == 0  # a forged count is not a lost session
    # a forger retries its click until it gives up: max_retries + 1 refusals each
    forgers = sim.totals.abandoned
    assert forgers > 100
    still_trying = len(lesson.forgers)  # forgers who have not given up yet
    assert 0 <= client.rejected - 4 * forgers <= 3 * still_trying


def test_the_same_users_forge_whatever_the_design():
    """Who forges is drawn per user at its first click from the lesson's own stream:
    the forgers are the same with or without signing, under any routing, and the users'
    arrivals do not move."""
    seed, fraction = 1, 0.3
    draws = Streams(seed).stream("counter")
    expected = {uid for uid in range(1, 5_000) if draws.random() < fraction}

    def refused(**changes):
        cfg = counter(
            counter__placement="client",
            counter__signed=True,
            traffic__tamper_fraction=fraction,
            scenario__duration_s=60.0,
            **changes,
        )
        sim = Simulation(cfg, traces=True, trace_buffer=1_000_000, record_events=True)
        sim.advance(60.0)
        traces = sim.drain_traces()
        users = {t.user for t in traces}
        arrived = [e for e in sim.drain_events() if e.kind is EventKind.USER_ARRIVED]
        return {t.user for t in traces if t.outcome == "TAMPERED"}, users, arrived

    a, users_a, arrived_a = refused()
    b, _, arrived_b = refused(balancer__algorithm="round_robin", state__token_verify_ms=20.0)
    assert a == b == expected & users_a
    assert [(e.t, e.user) for e in arrived_a] == [(e.t, e.user) for e in arrived_b]


# --- divergence, the store, placements ------------------------------------------------------


def test_global_counts_on_servers_add_up_to_the_true_count_and_diverge():
    cfg = counter(counter__scope="global", traffic__users_per_s=20.0, scenario__duration_s=60.0)
    sim = Simulation(cfg)
    samples = []
    sim.sampler.on_sample = samples.append
    sim.advance(60.0)
    facts = sim.lesson.facts()
    assert isinstance(facts, CounterFacts)
    counts = [n for _, n in facts.server_counts]
    assert len(counts) == 4 and sum(counts) == facts.true_count == facts.answers
    figures = dict(zip(CounterModel.figures, samples[-1].lesson, strict=True))
    assert figures["counter_divergence"] == max(counts) - min(counts) > 0
    assert facts.max_divergence >= max(counts) - min(counts)
    assert facts.wrong_answers == sum(s.lesson[0] for s in samples) > 0.5 * facts.answers


def test_a_store_crash_without_replicas_loses_the_counts():
    def run(replicas: int) -> tuple[Simulation, int]:
        cfg = counter(
            counter__scope="global",
            counter__placement="store",
            store__replicas=replicas,
            traffic__users_per_s=20.0,
            traffic__on_error="retry",
            scenario__duration_s=60.0,
        )
        sim = Simulation(cfg)
        sim.advance(30.0)
        sim.apply(ev.CrashStore())
        before = model(sim).answers
        sim.advance(35.0)
        assert model(sim).answers == before  # no store, no count
        sim.apply(ev.RestoreStore())
        sim.advance(60.0)
        return sim, before

    (kept, _), (lost, before) = run(1), run(0)
    for sim in (kept, lost):
        assert sim.totals.by_code[ErrorCode.STORE_UNAVAILABLE] > 100
    assert model(kept).wrong == 0
    assert model(kept).store.values[0] == model(kept).answers
    gone = model(lost)
    assert gone.wrong == gone.answers - before > 1_000  # counted again from 0 at 35 s
    assert gone.store.values[0] == gone.answers - before


def test_a_click_in_its_round_trip_when_the_store_goes_down_fails():
    cfg = counter(counter__placement="store", store__latency_ms=500.0, traffic__users_per_s=20.0)
    sim = Simulation(cfg, traces=True, trace_buffer=100_000)
    sim.advance(20.0)
    in_trip = {r.id for s in sim.servers for r in s.active.values()}
    assert in_trip
    sim.apply(ev.CrashStore())
    sim.advance(21.0)
    failed = {t.id: t for t in sim.drain_traces() if t.id in in_trip}
    assert set(failed) == in_trip
    assert {t.outcome for t in failed.values()} == {"STORE_UNAVAILABLE"}
    assert {t.lookup for t in failed.values()} == {"store-down"}


def test_every_request_is_a_click_and_no_session_is_made():
    cfg = counter(traffic__logout_fraction=1.0, scenario__duration_s=30.0)
    sim = Simulation(cfg, traces=True, trace_buffer=100_000, record_events=True)
    sim.advance(30.0)
    assert {t.kind for t in sim.drain_traces()} == {RequestKind.ACTION}
    kinds = {e.detail for e in sim.drain_events() if e.kind is EventKind.SENT}
    assert kinds == {RequestKind.ACTION}
    summary = summarize(sim)
    assert summary["lesson"] == "counter"
    assert summary["requests"]["logins"] == 0 and summary["sessions"]["created"] == 0
    assert summary["counter"]["clicks"] == summary["requests"]["total"]


def test_counts_of_users_who_left_are_forgotten():
    sim = simulate(counter(scenario__duration_s=120.0))
    lesson = model(sim)
    active = sim.traffic.users_active
    assert len(lesson.carried) == active
    assert len(lesson.true) == active
    assert sum(len(m) for m in lesson.server.memory) <= 4 * active
    uid = next(iter(lesson.carried))
    held = lesson.user_counts(uid)
    assert held is not None and held.user == uid and held.carried <= held.true + FORGERY
    assert lesson.user_counts(10**9) is None


def test_switching_placement_live_changes_where_clicks_count():
    sim = Simulation(counter(scenario__duration_s=60.0))
    sim.advance(20.0)
    lesson = model(sim)
    wrong_on_servers = lesson.wrong
    assert wrong_on_servers > 0
    sim.apply(ev.SetValue("counter.placement", "client"))
    sim.advance(60.0)
    # clients carry the (often wrong) count they were last told; new users are right
    assert lesson.wrong - wrong_on_servers < 0.5 * (lesson.answers - wrong_on_servers)
    assert sim.config.counter.placement.value == "client"


# --- determinism, checkpoints, replay ---------------------------------------------------------


@pytest.mark.parametrize("name", PRESETS)
def test_same_seed_gives_an_identical_summary(name):
    a, b = simulate(scenario.load(name)), simulate(scenario.load(name))
    assert json.dumps(summarize(a)) == json.dumps(summarize(b))
    assert [s.lesson for s in a.samples] == [s.lesson for s in b.samples]


@pytest.mark.parametrize(
    "changes",
    [
        dict(),
        dict(
            counter__scope="global", counter__placement="store", counter__update="read_modify_write"
        ),
        dict(counter__placement="client", counter__signed=True, traffic__tamper_fraction=0.3),
    ],
)
def test_a_checkpoint_mid_run_goes_on_exactly_like_the_run(changes):
    cfg = counter(traffic__users_per_s=30.0, scenario__duration_s=40.0, **changes)
    sim = Simulation(cfg)
    sim.advance(17.3)
    copy = pickle.loads(pickle.dumps(sim, protocol=pickle.HIGHEST_PROTOCOL))
    sim.advance(40.0)
    copy.advance(40.0)
    assert json.dumps(summarize(copy)) == json.dumps(summarize(sim))


SCRIPT = [
    (10.5, ev.SetValue("counter.placement", "store")),
    (15.0, ev.SetValue("counter.scope", "global")),
    (20.25, ev.SetValue("counter.update", "read_modify_write")),
    (25.0, ev.CrashStore()),
    (28.0, ev.RestoreStore()),
    (30.0, ev.SetValue("counter.scope", "user")),
    (31.0, ev.SetValue("counter.placement", "client")),
    (35.0, ev.SetValue("traffic.tamper_fraction", 0.4)),
    (40.0, ev.SetValue("counter.signed", True)),
    (45.0, ev.SetValue("counter.placement", "server")),
    (47.0, ev.CrashServer(2)),
    (52.0, ev.RestartServer(2)),
]


def test_a_steered_run_replays_exactly_from_its_saved_scenario(tmp_path):
    live = Simulation(scenario.load("counter-diverges"))
    for t, command in SCRIPT:
        live.advance(t)
        live.apply(command)
    live.advance(60.0)
    saved = live.reproducible_config()
    path = tmp_path / "counter.toml"
    text = scenario.to_toml(saved)
    assert "[counter]" in text and 'lesson = "counter"' in text and "[auth]" not in text
    path.write_text(text, encoding="utf-8")
    loaded = scenario.load_file(path)
    assert loaded == saved
    replay = Simulation(loaded)
    replay.advance(60.0)
    a, b = summarize(live), summarize(replay)
    assert json.dumps(a) == json.dumps(b)
    c = a["counter"]
    assert c["lost_updates"] > 0 and c["tampered_accepted"] > 0 and c["tampered_rejected"] > 0


# --- the CLI ---------------------------------------------------------------------------------


def run_cli(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_run_json_has_the_lesson_and_its_counter_part(capsys):
    data = json.loads(run_cli(capsys, "run", "counter-diverges", "--json", "-"))
    assert data["lesson"] == "counter"
    assert set(data["counter"]) == {
        "clicks",
        "answers",
        "wrong_answers",
        "max_divergence",
        "lost_updates",
        "tampered_accepted",
        "tampered_rejected",
    }
    c = data["counter"]
    assert all(isinstance(v, int) for v in c.values())
    assert c["clicks"] == data["requests"]["total"] and c["answers"] == data["requests"]["ok"]
    assert 0.6 * c["answers"] < c["wrong_answers"] < c["answers"]
    assert data["config"]["counter"] == {
        "scope": "user",
        "placement": "server",
        "update": "atomic",
        "signed": False,
    }
    assert "auth" not in data["config"]


def test_run_prints_the_counter_lines(capsys):
    out = run_cli(capsys, "run", "counter-shared-rmw", "--duration", "30")
    line = next(x for x in out.splitlines() if x.startswith("counter "))
    assert "clicks" in line and "wrong" in line and "max divergence" in line
    assert "lost updates" in out and "tampered rejected" in out


def test_run_csv_ends_with_the_counter_figures(capsys):
    out = run_cli(capsys, "run", "counter-client", "--duration", "40", "--csv", "-")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 40
    assert list(rows[0])[-5:] == list(CounterModel.figures)
    accepted = sum(int(r["counter_tampered_accepted"]) for r in rows)
    wrong = sum(int(r["counter_wrong"]) for r in rows)
    assert accepted > 0 and wrong == accepted


@pytest.mark.parametrize("name", COMPARISONS)
def test_compare_runs_the_counter_comparisons(capsys, name):
    data = json.loads(run_cli(capsys, "compare", name, "--json", "-"))
    a, b = data["a"]["counter"], data["b"]["counter"]
    assert data["a"]["lesson"] == data["b"]["lesson"] == "counter"
    if name == "compare-counter":  # server memory vs the store
        assert a["wrong_answers"] > 0.5 * a["answers"] and b["wrong_answers"] == 0
    else:  # unsigned vs signed
        assert a["tampered_accepted"] > 0 and a["tampered_rejected"] == 0
        assert b["tampered_accepted"] == 0 and b["tampered_rejected"] > 0
        assert b["wrong_answers"] == 0 and a["wrong_answers"] == a["tampered_accepted"]
    table = run_cli(capsys, "compare", name, "--duration", "20")
    assert "A:" in table and "B:" in table


def test_the_presets_say_what_their_explanations_claim():
    """counter-diverges' strip quotes ~79% wrong; counter-shared-rmw's ~47% lost."""
    diverges = scenario.load("counter-diverges")
    c, m = diverges.servers.count, diverges.traffic.requests_per_user
    assert round(100 * (1 - right_share_closed(c, m))) == 79
    assert "79%" in diverges.scenario.explanation
    rmw = scenario.load("counter-shared-rmw")
    lam = rmw.traffic.users_per_s * rmw.traffic.requests_per_user
    x = lam * rmw.store.latency_ms / 1000.0
    assert math.isclose(x, 0.9) and round(100 * x / (1 + x)) == 47
    assert "47%" in rmw.scenario.explanation
    for name in PRESETS + COMPARISONS:
        cfg = scenario.load(name)
        assert cfg.scenario.lesson.value == "counter" and cfg.scenario.notes
