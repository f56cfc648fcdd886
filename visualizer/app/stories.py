"""A user's story, told from their request traces and event records: what they came to
do, where the balancer sent them, what failed and what they did next. No Qt here."""

from __future__ import annotations

from dataclasses import dataclass

from visualizer.sim.records import Event, EventKind, RequestKind, RequestTrace, SessionNow

KIND_NAMES = {
    RequestKind.LOGIN: "login",
    RequestKind.ACTION: "action",
    RequestKind.LOGOUT: "logout",
}


@dataclass(frozen=True)
class Failure:
    t: float
    request: int
    kind: str
    code: str
    server: str
    then: str  # what the user did next: "logged in again", "retried", "gave up", ...


@dataclass(frozen=True)
class UserStory:
    user: int
    arrived: float | None  # None: before the records the run still holds
    planned: int | None  # workflow steps the user came to do
    left: float | None
    completed: bool | None
    requests: int
    logins: int
    steps: int  # actions and logouts served
    cart: int  # actions served since the last login: what the session holds
    servers: tuple[str, ...]  # in the order first visited
    failures: tuple[Failure, ...]
    last: RequestTrace | None
    at: float = 0.0  # the moment the story is told
    ahead: bool = False  # the user arrives after ``at`` (a rewound run): not here yet
    session: SessionNow | None = None  # the engine's word at ``at`` (None: not online)
    lost_at: float | None = None  # when the holder of a lost session went down
    cart_known: bool = True  # False: the traces held start after the last login

    @property
    def pinned(self) -> str | None:
        """The server the user's last request was served by (with sticky: their pin)."""
        last = self.last
        return None if last is None or last.server < 0 else f"server-{last.server + 1}"


def _then(after: RequestTrace | None, failed: RequestTrace, gone: bool) -> str:
    if after is None:
        return "gave up" if gone else "is thinking"
    if after.kind is RequestKind.LOGIN and failed.kind is not RequestKind.LOGIN:
        return "logged in again"
    return "retried" if after.kind is failed.kind else f"sent a {KIND_NAMES[after.kind]}"


def story(
    user: int,
    traces: list[RequestTrace],
    events: list[Event],
    *,
    at: float = 0.0,
    session: SessionNow | None = None,
    lost_at: float | None = None,
) -> UserStory:
    """The story of ``user`` at ``at`` from their traces (oldest first), their event
    records (an arrival after ``at``: the user is not here yet) and the engine's word on
    their session now."""
    arrived = planned = left = completed = None
    ahead = False
    for e in events:
        if e.user != user:
            continue
        if e.kind is EventKind.USER_ARRIVED:
            if e.t > at:
                ahead = True
                continue
            arrived, planned = e.t, int(e.detail)
        elif e.kind is EventKind.USER_LEFT and e.t <= at:
            left, completed = e.t, bool(e.detail)
    if ahead:
        return UserStory(user, None, None, None, None, 0, 0, 0, 0, (), (), None, at, True)
    logins = steps = cart = 0
    cart_known = False
    servers: list[str] = []
    failures = []
    for k, t in enumerate(traces):
        name = f"server-{t.server + 1}" if t.server >= 0 else "none"
        if t.server >= 0 and name not in servers:
            servers.append(name)
        if t.ok:
            if t.kind is RequestKind.LOGIN:
                logins += 1
                cart = 0
                cart_known = True
            else:
                steps += 1
                cart += t.kind is RequestKind.ACTION
            continue
        after = traces[k + 1] if k + 1 < len(traces) else None
        then = _then(after, t, left is not None and not completed)
        failures.append(Failure(t.t_sent, t.id, KIND_NAMES[t.kind], t.outcome, name, then))
    return UserStory(
        user,
        arrived,
        planned,
        left,
        completed,
        len(traces),
        logins,
        steps,
        cart,
        tuple(servers),
        tuple(failures),
        traces[-1] if traces else None,
        at,
        False,
        session,
        lost_at,
        cart_known,
    )
