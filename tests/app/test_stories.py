"""A user's story states only true facts: a session lost with its server is told as
lost, and a user who arrives after the moment shown is not there yet."""

from __future__ import annotations

from visualizer.app.eventlog import Cursor
from visualizer.app.run import Run
from visualizer.sim.config import FaultAction
from visualizer.sim.records import EventKind, LossCause, RequestKind, event_of
from visualizer.sim.scenario import load


def crash_of(run: Run) -> tuple[float, int]:
    """The scenario's first crash: when, and the server's index."""
    fault = next(f for f in run.initial_config.faults if f.action is FaultAction.CRASH)
    return fault.at_s, run.server_index(fault.target)


def sessions_by_last_login(run: Run) -> tuple[list[int], list[int]]:
    """Users online now whose last login was served by the crashed server before its
    crash (their session lived there), and those whose last login was served elsewhere."""
    crash_t, index = crash_of(run)
    last_login: dict[int, tuple[float, int]] = {}
    for t in run.traces:
        if t.ok and t.kind is RequestKind.LOGIN:
            last_login[t.user] = (t.t_end, t.server)
    online = {u for u in last_login if run.user_story(u).left is None}
    on_it = [u for u in online if last_login[u][1] == index and last_login[u][0] < crash_t]
    elsewhere = [u for u in online if last_login[u][1] != index]
    return sorted(on_it), sorted(elsewhere)


def arrivals(run: Run) -> dict[int, float]:
    events = map(event_of, run.log.read(Cursor(0)))
    return {e.user: e.t for e in events if e.kind is EventKind.USER_ARRIVED}


def test_a_session_lost_with_its_server_is_told_as_lost():
    run = Run(load("sticky-crash"))
    crash_t, index = crash_of(run)
    run.advance(crash_t + 1.0)
    lost, kept = sessions_by_last_login(run)
    assert lost and kept
    for user in lost:
        story = run.user_story(user)
        assert story.session.state == "lost" and story.session.cause == LossCause.CRASH
        assert story.session.holder == index and story.lost_at == crash_t
    assert any(run.user_story(u).cart for u in lost)  # carts went with the server
    for user in kept:
        assert run.user_story(user).session.state == "alive"


def test_rewound_before_a_users_arrival_the_story_says_not_here_yet():
    run = Run(load("sticky-crash"))
    run.advance(75.0)
    late = [u for u, t in arrivals(run).items() if 65.0 < t <= 75.0]
    assert late
    user = late[0]
    arrived = arrivals(run)[user]
    assert run.user_story(user).requests > 0
    run.seek(61.3)
    story = run.user_story(user)
    assert story.ahead and story.at == 61.3
    assert (story.requests, story.session, story.arrived) == (0, None, None)
    run.seek(arrived + 1.0)
    assert not run.user_story(user).ahead
