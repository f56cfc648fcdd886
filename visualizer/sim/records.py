"""Plain records the engine emits: event records (for animation and the event log), and
markers for notable moments. Records are immutable tuples so views can keep them
without copying."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any, NamedTuple


class ErrorCode(StrEnum):
    SESSION_MISSING = "SESSION_MISSING"  # routed to a server that never had the session
    SESSION_LOST = "SESSION_LOST"  # the server or store that held it died
    SERVER_DOWN = "SERVER_DOWN"  # sent to (or running on) a dead server
    STORE_UNAVAILABLE = "STORE_UNAVAILABLE"  # the shared store is down
    INSUFFICIENT_CONTEXT = "INSUFFICIENT_CONTEXT"  # stateless request without valid state
    OVERLOADED = "OVERLOADED"  # the server's queue is full: refused at once (like HTTP 503)
    TAMPERED = "TAMPERED"  # a client-carried value failed its signature check (counter)
    REVOKED = "REVOKED"  # the credential was revoked: refused by the blocklist (auth)
    DB_UNAVAILABLE = "DB_UNAVAILABLE"  # a service's own database is down (services)


class LossCause(StrEnum):
    CRASH = "crash"
    MISROUTED = "misrouted"
    STORE_OUTAGE = "store_outage"
    OOM = "oom"


class RequestKind(IntEnum):
    LOGIN = 0
    ACTION = 1
    LOGOUT = 2


class EventKind(IntEnum):
    """What an ``Event`` record reports; ``detail`` depends on the kind."""

    USER_ARRIVED = 5  # a user came online; user = id; detail = workflow length (steps)
    USER_LEFT = 6  # a user went away; detail = True if their workflow was completed
    SENT = 1  # request left the client; server = chosen index or -1; detail = RequestKind
    STARTED = 2  # a worker picked it up; detail = store round trip it begins with (s)
    SERVED = 3  # succeeded; detail = latency in seconds
    FAILED = 4  # detail = ErrorCode
    FORWARDED = 7  # a lesson passed it on to a tier behind its server; detail = tier index
    MESSAGES = 8  # messages went out to a user; request = the response carrying them (0: a
    # frame pushed over an open connection); server = sender; detail = how many (0: none)
    SERVER_CRASHED = 10  # detail = sessions lost
    SERVER_RESTARTED = 11
    SERVER_ADDED = 12
    SERVER_REMOVED = 13  # stopped after draining; detail = sessions lost
    SERVER_DRAINING = 16  # out of the fleet, finishing its work
    ROTATION_OUT = 14  # the balancer stopped sending to it
    ROTATION_IN = 15
    STORE_CRASHED = 20  # detail = sessions lost
    STORE_RESTORED = 21
    SESSION_CREATED = 30  # server = holder (CLIENT, STORE or a server index); detail = id
    SESSION_ENDED = 31  # logout; server = holder
    SESSION_EXPIRED = 32  # idle past the TTL; server = holder; detail = how many
    SETTING_CHANGED = 40  # detail = (key, value); several at once: ((key, value), ...);
    # a note (no setting changed: a fault skipped, a queue full): its words
    SAMPLED = 41  # the per-second sample for this instant was taken (at this point of the stream)


#: ``Event.server`` values for sessions that do not live on a server.
CLIENT = -1
STORE = -2


#: An event record as the engine writes it: a plain tuple ``(t, kind, request, user,
#: server, detail)`` of plain values (``kind`` an ``EventKind`` as an int, a ``SENT``
#: record's detail a ``RequestKind`` as an int, a ``FAILED`` one's its ``ErrorCode`` value).
#: The garbage collector leaves such tuples alone; a run keeps hundreds of thousands of
#: them, and as typed records (an ``Event`` holding enum members) each one stayed on its
#: lists, making collections of a second. ``event_of`` gives the typed record.
Row = tuple


class Event(NamedTuple):
    """An event record with its types (``event_of``; scripts and tests read these)."""

    t: float
    kind: EventKind
    request: int
    user: int
    server: int
    detail: Any = None


def event_of(row: Row) -> Event:
    """The typed record of a row the engine wrote."""
    t, kind, request, user, server, detail = row
    kind = EventKind(kind)
    if kind is EventKind.SENT:
        detail = RequestKind(detail)
    elif kind is EventKind.FAILED:
        detail = ErrorCode(detail)
    return Event(t, kind, request, user, server, detail)


class Note(StrEnum):
    """What a note marker is (a notable moment that changed no setting), in the few
    words its plot line carries."""

    SKIPPED = "skipped"  # a scheduled command could not apply (its server gone, say)
    QUEUE_FULL = "queue full"  # a lesson's message queue filled: new messages are dropped


def setting_changes(detail: Any) -> tuple[tuple[str, Any], ...]:
    """The (key, value) pairs a ``SETTING_CHANGED`` record's detail holds: one pair, or
    several set by one command; () for a note (its detail is its words)."""
    if not isinstance(detail, tuple) or not detail:
        return ()
    return detail if isinstance(detail[0], tuple) else (detail,)


@dataclass(frozen=True)
class Marker:
    """A notable moment for plots and captions: a fault, a crash, a setting change. A
    setting change names its ``key`` and holds its new ``value`` (plain: an enum as its
    value), so views put it in words without reading the label back; one command that
    set several keys is one marker, its first key in ``key`` and the others in ``also``.
    A note that changed no setting says what it is in ``note``."""

    t: float
    label: str
    kind: EventKind
    server: int  # index, STORE, or -1 for settings
    key: str = ""  # the setting changed ("" for anything else)
    value: Any = None
    note: Note | None = None
    also: tuple[tuple[str, Any], ...] = ()  # the other (key, value) pairs the command set

    @property
    def changes(self) -> tuple[tuple[str, Any], ...]:
        """Every (key, value) pair the command changed, in order (() if not a setting)."""
        return ((self.key, self.value), *self.also) if self.key else ()


class RouteDecision(NamedTuple):
    """Why a request went where it went.

    ``how`` is the trace's short stable name: ``sticky-hit`` (the user's pinned server),
    ``sticky-new`` (first pin), ``sticky-repin`` (the pinned server was out of rotation),
    ``round_robin``, ``random``, ``least_connections``, ``hash``, or ``no-server``.
    """

    how: str
    algorithm: str
    candidates: tuple[int, ...]  # server indices in rotation when it chose
    facts: tuple = ()  # what the strategy looked at (``routing.describe`` puts it in words)
    pinned: int = -1  # the server the user was pinned to before (sticky), or -1


NO_SERVER = RouteDecision("no-server", "", ())


class RequestTrace(NamedTuple):
    """One request, fully named: where it went and why, what the session lookup found,
    how it ended and where its time went. The four parts add up to ``latency``.

    ``lookup``: ``login`` (a login creates the session), ``local-found``,
    ``local-missing``, ``local-lost``, ``store-found``, ``store-down``, ``store-missing``,
    ``store-lost``, ``token``, ``token-expired``, or ``none`` (it failed before a worker
    took it: the server was down, its queue was full, or no server was in rotation).
    """

    id: int
    user: int
    kind: RequestKind
    t_sent: float
    server: int  # index, or -1 when no server was in rotation
    route: RouteDecision
    lookup: str
    outcome: str  # "ok" or an ErrorCode value
    t_end: float  # when it ended at the server (or the balancer)
    latency: float  # seconds, as the user sees it (the answer travels back)
    network: float  # there and back
    queue: float  # waiting for a worker
    processing: float
    state: float  # the store round trip or the token check, holding the worker

    @classmethod
    def of(cls, row: Row) -> RequestTrace:
        """The typed trace of a row (``requests.trace_row``: the same fields, the kind an
        int and the route a plain tuple, so that the garbage collector leaves it alone)."""
        return cls(row[0], row[1], RequestKind(row[2]), *row[3:5], RouteDecision(*row[5]), *row[6:])

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


class InFlight(NamedTuple):
    """A request not yet answered (``Simulation.in_flight``): where the balancer sent it
    and why, decided when it was sent; ``stage`` is ``on its way`` (to its server),
    ``queued`` (waiting for a worker) or ``working`` (a worker has it)."""

    id: int
    user: int
    kind: RequestKind
    t_sent: float
    server: int  # index, or -1 when no server was in rotation
    route: RouteDecision
    stage: str


class SessionNow(NamedTuple):
    """A user's session at this instant (``Simulation.session_now``).

    ``state``: ``none`` (not logged in yet), ``alive``, ``lost`` (its holder crashed or
    ran out of memory, or the user gave it up when it was not found: ``cause``, a
    ``LossCause`` value) or ``gone`` (idled out, or ended at logout). ``holder``: where
    it lives or lived: a server index, ``STORE`` or ``CLIENT``."""

    state: str
    holder: int = CLIENT
    cause: str = ""
