"""The run summary (schema 1): the contract for scripts, tests and the JSON export."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from visualizer.sim.metrics import ERROR_CODES, LOSS_CAUSES

if TYPE_CHECKING:
    from visualizer.sim.simulation import Simulation

SCHEMA = 1


def _ms(seconds: float) -> float | None:
    return None if seconds != seconds else round(seconds * 1000.0, 3)  # NaN -> null


def summarize(sim: Simulation) -> dict[str, Any]:
    """Everything DESIGN §5 promises, from the run so far; no wall-clock values."""
    t = sim.totals
    now = sim.now
    p50, p95, p99 = sim.run_latency().quantiles((0.5, 0.95, 0.99))
    mean = t.latency_sum / t.ok if t.ok else float("nan")
    servers = {}
    workers_of = sim.fleet.workers_of
    for s in sim.servers:  # every server ever created, removed ones too
        servers[s.name] = {
            "served": s.served,
            "failed": s.failed,
            "crashes": s.crashes,
            "peak_sessions": t.peak_sessions_by_server.get(s.index, 0),
            "utilization": (
                round(s.busy_area_at(now) / (workers_of(s) * now), 4) if now > 0 else 0.0
            ),
        }
    return {
        "schema": SCHEMA,
        "lesson": sim.initial_config.scenario.lesson.value,
        "scenario": sim.initial_config.scenario.name,
        "seed": sim.initial_config.scenario.seed,
        "duration_s": round(float(now), 6),  # simpy starts its clock at the integer 0
        "config": sim.reproducible_config().to_dict(),  # what reproduces this run
        "requests": {
            "total": t.sent,
            "ok": t.ok,
            "failed": t.failed,
            "logins": t.sessions_created,  # served logins, first and forced alike
            "by_code": {code.value: t.by_code[code] for code in ERROR_CODES},
        },
        "latency_ms": {"mean": _ms(mean), "p50": _ms(p50), "p95": _ms(p95), "p99": _ms(p99)},
        "sessions": {
            "created": t.sessions_created,
            "lost": sum(t.lost_by_cause.values()),
            "lost_by_cause": {cause.value: t.lost_by_cause[cause] for cause in LOSS_CAUSES},
            "peak_active": t.peak_active,
        },
        "memory_mb": {
            "peak_total": round(t.peak_total_mb, 3),
            "peak_store": round(t.peak_store_mb, 3),
            "peak_by_server": {
                s.name: round(t.peak_memory_by_server.get(s.index, 0.0), 3) for s in sim.servers
            },
        },
        "servers": servers,
        "users": {
            "arrived": t.arrived,
            "completed": t.completed,
            "abandoned": t.abandoned,
            "relogins": t.relogins,
        },
        **sim.lesson.summary(),
    }
