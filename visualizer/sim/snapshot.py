"""Read-only views of a running simulation for the window: built per frame, no simpy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from visualizer.sim.config import Config
from visualizer.sim.metrics import ERROR_CODES, LOSS_CAUSES

if TYPE_CHECKING:
    from visualizer.sim.simulation import Simulation

#: How many session owners a server card can show as chips.
CHIP_USERS = 48


@dataclass(frozen=True, slots=True)
class ServerView:
    index: int
    name: str
    up: bool
    in_rotation: bool
    draining: bool
    busy: int
    workers: int
    queue: int
    sessions: int
    memory_mb: float
    recent_users: tuple[int, ...]  # owners of the most recently used sessions
    ok_rps: float  # requests served in the last sampled second
    failed_rps: float  # requests that failed there in the last sampled second
    lost_in_crash: int  # sessions its last crash lost (meaningful while it is down)
    served: int
    failed: int
    crashes: int
    utilization: float  # last sampled second


@dataclass(frozen=True, slots=True)
class StoreView:
    up: bool
    sessions: int
    memory_mb: float
    replicas: int
    latency_ms: float
    recent_users: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Snapshot:
    t: float
    config: Config
    servers: tuple[ServerView, ...]  # live servers only (not removed), by index
    store: StoreView
    token_sessions: int
    users_active: int
    in_flight: int
    relogins: int  # users sent back to log in after losing their session
    sent: int
    ok: int
    failed: int
    by_code: tuple[int, ...]  # cumulative, ErrorCode order
    lost_by_cause: tuple[int, ...]  # cumulative, LossCause order
    rps: float  # requests sent in the last sampled second
    p50_ms: float
    p95_ms: float
    lesson: Any = None  # the lesson's own facts for views (its model's ``facts()``)

    @property
    def sessions(self) -> int:
        return sum(s.sessions for s in self.servers) + self.store.sessions + self.token_sessions

    @property
    def lost(self) -> int:
        return sum(self.lost_by_cause)


def take_snapshot(sim: Simulation) -> Snapshot:
    kb_mb = sim.config.state.session_kb / 1000.0
    last = sim.samples[-1] if sim.samples else None
    servers = []
    for s in sim.servers:
        if s.removed:
            continue
        row = last.servers[s.index] if last is not None and s.index < len(last.servers) else None
        n = len(s.sessions)
        servers.append(
            ServerView(
                index=s.index,
                name=s.name,
                up=s.up,
                in_rotation=s.in_rotation,
                draining=s.draining,
                busy=s.busy,
                workers=s.workers,
                queue=len(s.queue),
                sessions=n,
                memory_mb=n * kb_mb + sim.lesson.memory_mb(s.index),
                recent_users=s.sessions.recent_users(CHIP_USERS),
                ok_rps=float(row.served) if row else 0.0,
                failed_rps=float(row.failed) if row else 0.0,
                lost_in_crash=s.last_lost,
                served=s.served,
                failed=s.failed,
                crashes=s.crashes,
                utilization=row.utilization if row else 0.0,
            )
        )
    store_n = len(sim.store.sessions)
    t = sim.totals
    return Snapshot(
        t=sim.now,
        config=sim.config,
        servers=tuple(servers),
        store=StoreView(
            up=sim.store.up,
            sessions=store_n,
            memory_mb=store_n * kb_mb,
            replicas=sim.config.store.replicas,
            latency_ms=sim.config.store.latency_ms,
            recent_users=sim.store.sessions.recent_users(CHIP_USERS),
        ),
        token_sessions=len(sim.tokens),
        users_active=sim.users_active,
        in_flight=t.in_flight,
        relogins=t.relogins,
        sent=t.sent,
        ok=t.ok,
        failed=t.failed,
        by_code=tuple(t.by_code[c] for c in ERROR_CODES),
        lost_by_cause=tuple(t.lost_by_cause[c] for c in LOSS_CAUSES),
        rps=float(last.sent) if last else 0.0,
        p50_ms=last.p50_ms if last else float("nan"),
        p95_ms=last.p95_ms if last else float("nan"),
        lesson=sim.lesson.facts(),
    )
