"""Sessions and the tables that hold them (server memory, the shared store, clients)."""

from __future__ import annotations

from collections import OrderedDict
from itertools import islice
from typing import TYPE_CHECKING

from visualizer.sim.records import LossCause

if TYPE_CHECKING:
    from visualizer.sim.state.placements import Placement


class Session:
    """One user's login state; ``home`` is its placement, ``holder`` the table it is in."""

    __slots__ = ("alive", "holder", "home", "id", "last_access", "lost", "user")

    def __init__(
        self, sid: int, user: int, home: Placement, holder: SessionTable, now: float
    ) -> None:
        self.id = sid
        self.user = user
        self.home = home
        self.holder = holder
        self.last_access = now
        self.alive = True
        self.lost: LossCause | None = None

    def __reduce__(self) -> tuple:
        """Pickled as one tuple (checkpoints hold many sessions; see ``Request``)."""
        fields = (self.id, self.user, self.home, self.holder, self.last_access)
        return (_session, (*fields, self.alive, self.lost))


def _session(sid, user, home, holder, last_access, alive, lost) -> Session:
    sess = Session(sid, user, home, holder, last_access)
    sess.alive, sess.lost = alive, lost
    return sess


class SessionTable:
    """Sessions ordered by last access, so idle-TTL expiry pops from the front in O(1)."""

    __slots__ = ("_by_id", "where")

    def __init__(self, where: int) -> None:
        self._by_id: OrderedDict[int, Session] = OrderedDict()
        self.where = where  # server index, or records.STORE / records.CLIENT

    def __len__(self) -> int:
        return len(self._by_id)

    def add(self, session: Session) -> None:
        self._by_id[session.id] = session

    def touch(self, session: Session, now: float) -> None:
        session.last_access = now
        self._by_id.move_to_end(session.id)

    def remove(self, session: Session) -> None:
        session.alive = False
        self._by_id.pop(session.id, None)

    def expire(self, now: float, ttl: float) -> int:
        """Drop sessions idle for longer than ``ttl``; returns how many."""
        by_id = self._by_id
        n = 0
        while by_id:
            first = next(iter(by_id.values()))
            if now - first.last_access <= ttl:
                break
            by_id.popitem(last=False)
            first.alive = False
            n += 1
        return n

    def clear(self) -> list[Session]:
        """Empty the table and return what it held (oldest first)."""
        held = list(self._by_id.values())
        for s in held:
            s.alive = False
        self._by_id.clear()
        return held

    def recent_users(self, k: int) -> tuple[int, ...]:
        """Owners of the ``k`` most recently used sessions, newest first."""
        return tuple(s.user for s in islice(reversed(self._by_id.values()), k))
