"""Sessions wherever they live: created at login, touched, ended, expired, lost."""

from __future__ import annotations

from typing import TYPE_CHECKING

import simpy

from visualizer.sim.config import Config
from visualizer.sim.metrics import Totals
from visualizer.sim.records import CLIENT, EventKind, LossCause
from visualizer.sim.state.sessions import Session, SessionTable
from visualizer.sim.state.store import SessionStore

if TYPE_CHECKING:
    from visualizer.sim.fleet import Fleet
    from visualizer.sim.journal import Journal
    from visualizer.sim.nodes import Server
    from visualizer.sim.state.placements import Placement
    from visualizer.sim.traffic import User

# event rows hold plain values (see ``records.Row``)
SESSION_CREATED = int(EventKind.SESSION_CREATED)
SESSION_ENDED = int(EventKind.SESSION_ENDED)
SESSION_EXPIRED = int(EventKind.SESSION_EXPIRED)


class SessionKeeper:
    """Creates, ends, expires and loses sessions; a loss is counted once, with its cause."""

    def __init__(
        self, env: simpy.Environment, totals: Totals, journal: Journal, store: SessionStore
    ) -> None:
        self.env = env
        self.totals = totals
        self.store = store
        self._events = journal.events
        self.tokens = SessionTable(CLIENT)  # client-held (token) sessions, for counting and expiry
        self._next_session = 1
        self.fleet: Fleet  # wired by the simulation: crashes a server out of memory

    def configure(self, config: Config) -> None:
        self.ttl = config.state.ttl_s
        self.kb = config.state.session_kb
        self.cap_mb = config.servers.memory_mb

    def create(self, user: User, placement: Placement, s: Server, now: float) -> None:
        sid = self._next_session
        self._next_session = sid + 1
        table = placement.table(s)
        sess = Session(sid, user.id, placement, table, now)
        table.add(sess)
        user.session = sess
        self.totals.sessions_created += 1
        if self._events is not None:
            self._events.append((now, SESSION_CREATED, 0, user.id, table.where, sid))
        if table is s.sessions and self.over_memory(s):
            self.fleet.crash(s, LossCause.OOM)

    def end(self, user: User, now: float) -> None:
        sess: Session = user.session  # type: ignore[assignment]
        if not sess.alive:
            return
        sess.holder.remove(sess)
        if self._events is not None:
            where = sess.holder.where
            self._events.append((now, SESSION_ENDED, 0, user.id, where, sess.id))

    def expire(self, sess: Session) -> None:
        """Drop one session found idle past the TTL when it was next used."""
        sess.holder.remove(sess)
        if self._events is not None:
            self._events.append(
                (self.env._now, SESSION_EXPIRED, 0, sess.user, sess.holder.where, 1)
            )

    def sweep(self, table: SessionTable) -> None:
        """Drop every session in ``table`` idle past the TTL."""
        n = table.expire(self.env._now, self.ttl)
        if n and self._events is not None:
            self._events.append((self.env._now, SESSION_EXPIRED, 0, 0, table.where, n))

    def over_memory(self, s: Server) -> bool:
        return self.cap_mb > 0 and len(s.sessions) * self.kb / 1000.0 > self.cap_mb

    def lose(self, sess: Session, cause: LossCause) -> bool:
        """Count a session as lost, once; returns whether this call counted it."""
        if sess.lost is not None:
            return False
        sess.lost = cause
        self.totals.lost_by_cause[cause] += 1
        return True

    def drop(self, table: SessionTable, cause: LossCause) -> int:
        """Empty a table whose holder died; expired sessions are not counted as lost."""
        self.sweep(table)
        return sum(self.lose(sess, cause) for sess in table.clear())
