"""The services lesson against theory: no order lost to a gateway crash, the queue's
backlog after a consumer outage and its drain time.

Definitions are in ``visualizer/lessons/services/model.py``."""

from __future__ import annotations

import json
import pickle
import tomllib
from collections import Counter

import numpy as np
import pytest

from tests.sim.helpers import config, simulate
from visualizer.app.compare import Comparison
from visualizer.cli import commands as cli
from visualizer.lessons.services.facts import ServicesFacts, backlog_text, drain_text
from visualizer.lessons.services.model import FIGURES, ServicesModel
from visualizer.sim import scenario
from visualizer.sim.commands import CrashServer, SetValue
from visualizer.sim.config import Lesson
from visualizer.sim.lessons import model_for
from visualizer.sim.records import EventKind
from visualizer.sim.schema import ConfigError, parse_config
from visualizer.sim.simulation import Simulation
from visualizer.sim.summary import summarize

COL = {name: i for i, name in enumerate(FIGURES)}


def figure(sim, name):
    """A lesson figure per sample, from a Simulation or a Run (both have ``samples``)."""
    return np.array([s.lesson[COL[name]] for s in sim.samples])


def drained_in(sim, restart_s: float, consumers: int) -> float:
    """Seconds from the consumers' restart to the first sample whose queue is down to
    what the consumers hold at once (the backlog is gone)."""
    depth = figure(sim, "services_queue_depth")
    times = np.array([s.t for s in sim.samples])
    after = (times > restart_s) & (depth <= consumers)
    return float(times[after][0] - restart_s)


def sv_config(**changes):
    base = {
        "scenario__lesson": "services",
        "scenario__duration_s": 150,
        "traffic__users_per_s": 10,
        "traffic__requests_per_user": 6,
        "traffic__think_time_s": 2,
        "traffic__on_error": "retry",
        "traffic__max_retries": 10,
        "balancer__sticky": False,
        "balancer__health_check_s": 5,
        "servers__count": 3,
        "servers__workers": 4,
        "servers__service_ms": 2,
        "network__latency_ms": 20,
    }
    return config(**{**base, **changes})


# --- a gateway crash ---------------------------------------------------------------------------


def test_crashing_one_gateway_instance_loses_no_order_and_doubles_none():
    """Arrivals stop at 120 s and every user finishes by 200 s; with retries enough, every
    order step ends in exactly one created order, though the crash failed some attempts."""
    sim = Simulation(sv_config(scenario__duration_s=200))
    sim.advance(60)
    sim.apply(CrashServer(0))
    sim.advance(120)
    sim.apply(SetValue("traffic.users_per_s", 0))
    sim.advance(200)
    out = summarize(sim)
    sv = out["services"]
    assert out["users"]["abandoned"] == 0 and sim.traffic.users_active == 0
    assert out["requests"]["by_code"]["SERVER_DOWN"] > 0
    assert sv["orders_failed"] > 0  # some order attempts were on the crashed instance
    assert sv["orders_created"] == sv["orders_requested"] > 1_000
    assert sv["notified"] == sv["orders_created"]  # every created order was notified


# --- the queue ---------------------------------------------------------------------------------


def test_backlog_is_rate_times_outage_and_drains_at_capacity_minus_rate():
    consumers, work_ms, share = 4, 40.0, 0.5  # capacity 100/s
    cfg = sv_config(
        scenario__duration_s=200,
        traffic__users_per_s=20,
        services__order_share=share,
        services__users_share=0.25,
        services__orders_workers=16,
        services__queue_consumers=consumers,
        services__consumer_service_ms=work_ms,
    )
    outage = 30.0
    sim = Simulation(cfg)
    sim.advance(60)
    sim.apply(SetValue("services.consumer_up", False))
    sim.advance(60 + outage)
    backlog = sim.lesson.depth()
    sim.apply(SetValue("services.consumer_up", True))
    sim.advance(200)
    rate = 20 * 6 * share  # orders/s: requests per second × share (Little's law)
    assert backlog == pytest.approx(rate * outage, rel=0.10)
    capacity = consumers / (work_ms / 1000.0)
    drain_s = drained_in(sim, 60 + outage, consumers)
    assert drain_s == pytest.approx(backlog / (capacity - rate), rel=0.15)
    lag = figure(sim, "services_consumer_lag_s")
    assert lag.max() == pytest.approx(outage, abs=1.5)
    assert summarize(sim)["services"]["notified"] == sim.lesson.orders_created - sim.lesson.depth()


def test_compare_drain_shows_the_same_backlog_and_different_drains():
    """compare-drain: the same outage makes the same backlog on both sides (rate ×
    outage); each side drains it at its own capacity − rate, B four times as fast."""
    both = Comparison(scenario.load("compare-drain"))
    both.advance(both.config.scenario.duration_s)
    a_cfg, b_cfg = (run.config for run in both.runs)
    outage = [f.at_s for f in a_cfg.faults if f.key == "services.consumer_up"]
    assert outage == [60, 90] and [f.at_s for f in b_cfg.faults] == outage
    t = a_cfg.traffic
    rate = t.users_per_s * t.requests_per_user * a_cfg.services.order_share  # 30/s
    peaks = [int(figure(run, "services_queue_depth").max()) for run in both.runs]
    assert peaks[0] == peaks[1]  # the same backlog on both sides (the same orders)
    assert peaks[0] == pytest.approx(rate * (outage[1] - outage[0]), rel=0.10)
    drains = []
    for run, peak in zip(both.runs, peaks, strict=True):
        sv = run.config.services
        capacity = sv.queue_consumers / (sv.consumer_service_ms / 1000.0)  # 80/s, 240/s
        drain_s = drained_in(run, outage[1], sv.queue_consumers)
        assert drain_s == pytest.approx(peak / (capacity - rate), rel=0.15, abs=1.0)
        drains.append(drain_s)
    assert drains[0] > 3 * drains[1]  # A: about 18 s, B: about 4 s
    assert outage[1] + drains[0] < a_cfg.scenario.duration_s - 20  # A drains well within the run
    a, b = both.summaries()
    assert b["services"]["latency_ms_by_tier"]["notifications"] < (
        0.8 * a["services"]["latency_ms_by_tier"]["notifications"]
    )


def test_a_database_down_fails_its_service_only_and_instances_can_stop():
    sim = Simulation(sv_config(scenario__duration_s=60))
    sim.advance(20)
    sim.apply(SetValue("services.orders_db_up", False))
    sim.advance(30)
    created = sim.lesson.orders_created
    assert sim.totals.by_code["DB_UNAVAILABLE"] > 0
    tiers = {t.name: t for t in sim.lesson.facts().tiers}
    assert not tiers["orders"].db_up and tiers["users"].db_up
    sim.apply(SetValue("services.orders_db_up", True))
    sim.apply(SetValue("services.inventory_instances", 0))
    sim.advance(60)
    assert sim.lesson.orders_created > created
    assert sim.lesson.facts().tiers[2].instances_up == 0
    assert sim.totals.by_code["SERVER_DOWN"] > 0


# --- determinism, replay, CLI -----------------------------------------------------------------


def test_same_config_same_numbers_and_a_saved_run_replays():
    cfg = config("queue-backlog")
    first = summarize(simulate(cfg))
    assert summarize(simulate(cfg)) == first
    reloaded = parse_config(tomllib.loads(scenario.to_toml(cfg)))
    assert reloaded == cfg
    assert summarize(simulate(reloaded)) == first
    assert first["lesson"] == "services" and first["services"]["peak_queue_depth"] > 500


def test_a_checkpoint_resumes_exactly():
    sim = Simulation(config("queue-backlog"))
    sim.advance(75)
    copy = pickle.loads(pickle.dumps(sim))
    sim.advance(120)
    copy.advance(120)
    assert summarize(copy) == summarize(sim)


def test_validation_names_the_lesson_and_the_mix():
    with pytest.raises(ConfigError, match=r"\[services\] belongs to the services lesson"):
        parse_config({"services": {"order_share": 0.5}})
    with pytest.raises(ConfigError, match=r"order_share \+ services.users_share"):
        parse_config(
            {
                "scenario": {"lesson": "services"},
                "services": {"order_share": 0.8, "users_share": 0.5},
            }
        )


def test_strip_arithmetic_and_facts():
    assert backlog_text(30, 30) == "backlog = order rate × outage = 30.0/s × 30 s = 900"
    assert drain_text(80, 30) == "drain = capacity − rate = 80.0 − 30.0 = 50.0/s"
    assert "never drains" in drain_text(20, 30)
    sim = simulate(sv_config(scenario__duration_s=10))
    facts = sim.lesson.facts()
    assert isinstance(facts, ServicesFacts) and facts.consumer_capacity_per_s == 100.0
    assert [t.name for t in facts.tiers] == ["users", "orders", "inventory"]


def test_the_services_model_is_registered():
    assert model_for(Lesson("services")) is ServicesModel


def test_cli_run_json_has_the_services_part(capsys):
    code = cli.main(["run", "gateway-services", "--duration", "70", "--json", "-"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["lesson"] == "services"
    sv = data["services"]
    assert set(sv) == {
        "orders_requested",
        "orders_created",
        "orders_failed",
        "notified",
        "dropped",
        "peak_queue_depth",
        "max_consumer_lag_s",
        "latency_ms_by_tier",
    }
    assert set(sv["latency_ms_by_tier"]) == {
        "gateway",
        "users",
        "orders",
        "inventory",
        "notifications",
    }
    assert data["config"]["services"]["queue_consumers"] == 2
    assert "realtime" not in data["config"]


def test_cli_readable_summary_csv_columns_and_trace(capsys, tmp_path):
    path = tmp_path / "run.csv"
    code = cli.main(["run", "queue-backlog", "--duration", "40", "--csv", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "orders created" in out and "latency ms by tier" in out
    rows = path.read_text().splitlines()
    header = rows[0].split(",")
    assert header[-len(FIGURES) :] == list(FIGURES)
    assert len(rows) == 41 and all(len(r.split(",")) == len(header) for r in rows[1:])
    trace = tmp_path / "trace.jsonl"
    code = cli.main(["run", "gateway-services", "--duration", "10", "--trace", str(trace)])
    assert code == 0, capsys.readouterr().err
    assert (
        "gateway → orders" in trace.read_text(encoding="utf-8")
        or "gateway \\u2192 orders" in trace.read_text()
    )


def test_every_answered_request_was_forwarded_to_its_service_first():
    """The canvas moves a request on to its service's box at its FORWARDED record: every
    success has one, before it, naming the service that answered it."""
    sim = Simulation(sv_config(scenario__duration_s=60), record_events=True, event_buffer=5_000_000)
    sim.run()
    events = sim.drain_events()
    forwarded = {e.request: e for e in events if e.kind is EventKind.FORWARDED}
    served = [e for e in events if e.kind is EventKind.SERVED]
    assert served and all(e.request in forwarded for e in served)
    assert all(forwarded[e.request].t <= e.t for e in served)
    to = Counter(e.detail for e in forwarded.values())
    assert set(to) == {0, 1, 2}  # users, orders, inventory
    assert to[1] >= summarize(sim)["services"]["orders_created"] > 0


def test_more_consumers_change_the_notifications_only():
    """The consumers draw their times from a stream of their own: with two or six of
    them the same orders are created at the same moments and every service answers in
    the same times (a comparison of consumers differs in the queue, nothing else)."""
    few, many = (
        summarize(simulate(sv_config(scenario__duration_s=60, services__queue_consumers=n)))
        for n in (2, 6)
    )
    a, b = few["services"], many["services"]
    assert a["orders_created"] == b["orders_created"] > 0
    tiers = ("gateway", "users", "orders", "inventory")
    assert [a["latency_ms_by_tier"][t] for t in tiers] == [
        b["latency_ms_by_tier"][t] for t in tiers
    ]
    assert a["latency_ms_by_tier"]["notifications"] != b["latency_ms_by_tier"]["notifications"]


def test_the_per_second_tier_latencies_agree_with_the_summary():
    """Each tier's per-second mean (the latency plot's lines) averages to the summary's
    latency by tier; a second with no success in a tier is NaN, not 0."""
    sim = simulate(sv_config(scenario__duration_s=90))
    by_tier = summarize(sim)["services"]["latency_ms_by_tier"]
    for tier in ("gateway", "users", "orders", "inventory"):
        values = figure(sim, f"services_{tier}_ms")
        assert np.nanmean(values) == pytest.approx(by_tier[tier], rel=0.1), tier


def test_the_gateway_tier_averages_every_forwarded_request_the_services_their_successes():
    """The definitions of latency by tier: with the orders database down, every order is
    forwarded and then fails, so the gateway's mean covers more requests than the
    services answered; each service's covers its successes only (orders: none)."""
    cfg = sv_config(scenario__duration_s=60, services__orders_db_up=False)
    sim = Simulation(cfg, record_events=True, event_buffer=10_000_000)
    sim.advance(60)
    model: ServicesModel = sim.lesson  # type: ignore[assignment]
    forwarded = sum(1 for e in sim.drain_events() if e.kind is EventKind.FORWARDED)
    answered = sum(p.answered for p in model.pools)
    assert model.gateway_answered == forwarded > answered > 0
    assert model.pools[1].answered == 0  # orders: no success, no mean
    by_tier = summarize(sim)["services"]["latency_ms_by_tier"]
    assert by_tier["orders"] is None
    assert by_tier["gateway"] == pytest.approx(
        model.gateway_latency_sum / forwarded * 1000.0, rel=1e-3
    )
