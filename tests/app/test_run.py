"""A run can be rewound, branched, undone and forked, and always shows the numbers the
run had at that moment."""

from __future__ import annotations

import dataclasses
import json

import pytest

from tests.sim.helpers import config
from visualizer.app.eventlog import Cursor
from visualizer.app.run import Run
from visualizer.sim import commands as ev
from visualizer.sim.config import Fault, FaultAction
from visualizer.sim.records import EventKind, event_of
from visualizer.sim.scenario import load
from visualizer.sim.simulation import Simulation
from visualizer.sim.snapshot import take_snapshot
from visualizer.sim.summary import summarize

SCRIPT = [
    (12.5, ev.SetValue("balancer.sticky", False)),
    (30.0, ev.CrashServer(0)),
    (30.0, ev.SetValue("state.mode", "shared")),
    (44.25, ev.AddServer()),
    (47.0, ev.CrashStore()),
    (52.0, ev.RestoreStore()),
    (55.5, ev.RestartServer(0)),
]


def steered(until: float, script=SCRIPT) -> Run:
    run = Run(load("sticky-crash"))
    for t, command in script:
        if t > until:
            break
        run.advance(t)
        run.apply(command)
    run.advance(until)
    return run


def stopped_at(t: float, script=SCRIPT) -> Simulation:
    """A plain engine given the same commands, stopped at t (the reference)."""
    sim = Simulation(load("sticky-crash"), history_s=10_000)
    for at, command in script:
        if at > t:
            break
        sim.advance(at)
        sim.apply(command)
    sim.advance(t)
    return sim


def js(summary) -> str:
    return json.dumps(summary)


def test_a_run_gives_the_engines_numbers():
    run = steered(90.0)
    assert js(run.summary()) == js(summarize(stopped_at(90.0)))
    assert len(run.samples) == 90 and [s.t for s in run.samples] == list(range(1, 91))


@pytest.mark.parametrize("t", [0.0, 7.3, 30.0, 44.25, 50.0, 61.0, 89.9])
def test_seek_shows_exactly_the_moment_the_run_had(t):
    run = steered(90.0)
    run.seek(t)
    reference = stopped_at(t)
    assert run.now == t
    assert repr(run.snapshot()) == repr(take_snapshot(reference))  # NaN-safe, exact floats
    assert repr(run.samples) == repr(list(reference.samples))
    assert [m.label for m in run.markers] == [m.label for m in reference.markers]
    assert js(run.summary()) == js(summarize(reference))


def test_playing_on_from_the_past_replays_the_same_future():
    run = steered(90.0)
    reference = run.summary()
    run.seek(20.0)
    assert run.rewound and run.end == 90.0
    assert [t for t, _ in run.scheduled_ahead()][:2] == [30.0, 30.0]
    run.advance(90.0)
    assert js(run.summary()) == js(reference)
    assert len(run.samples) == 90


def test_a_command_in_the_past_starts_a_new_future_and_undo_brings_the_old_one_back():
    run = steered(90.0)
    original = run.summary()
    run.seek(25.0)
    assert run.apply(ev.CrashServer(2))
    assert not run.rewound and run.end == 25.0
    assert [t for t, _ in run.commands] == [12.5, 25.0]  # the old future is gone
    run.advance(60.0)
    branch = run.summary()
    assert branch["servers"]["server-3"]["crashes"] == 1
    assert run.can_undo and run.undo()
    assert run.now == 25.0 and run.end == 90.0
    run.advance(90.0)
    assert js(run.summary()) == js(original)
    # and the branch was a proper run of its own: same as a fresh engine given its commands
    fresh = stopped_at(
        60.0, [(12.5, ev.SetValue("balancer.sticky", False)), (25.0, ev.CrashServer(2))]
    )
    assert js(branch) == js(summarize(fresh))


def test_a_refused_value_in_the_past_changes_nothing():
    run = steered(90.0)
    run.seek(20.0)
    with pytest.raises(Exception, match="not allowed"):
        run.apply(ev.SetValue("servers.count", 0))
    assert run.rewound and run.end == 90.0 and not run.can_undo


def test_fork_then_run_gives_the_uninterrupted_numbers():
    run = steered(40.0)
    fork = run.fork()
    fork.advance(90.0)
    for t, command in SCRIPT:
        if t > 40.0:
            run.advance(t)
            run.apply(command)
    run.advance(90.0)
    plain = stopped_at(90.0, [c for c in SCRIPT if c[0] <= 40.0])
    assert js(fork.summary()) == js(summarize(plain))
    assert js(run.summary()) == js(summarize(stopped_at(90.0)))
    assert fork.samples[:40] == run.samples[:40]


def test_saving_a_rewound_run_keeps_its_whole_timeline():
    run = steered(90.0)
    run.seek(10.0)
    replay = Simulation(run.reproducible_config())
    replay.advance(90.0)
    assert js(summarize(replay)) == js(summarize(stopped_at(90.0)))


def test_a_command_before_anything_ran_comes_after_the_files_faults_at_zero():
    # the file shrinks the fleet to one server at 0 s; a crash of server-2 clicked before
    # playing finds no server-2, as its replay from the saved file does
    shrink = Fault(at_s=0.0, action=FaultAction.SET, key="servers.count", value=1)
    run = Run(dataclasses.replace(load("sticky-crash"), faults=(shrink,)))
    assert [s.index for s in run.snapshot().servers] == [0]
    assert not run.apply(ev.CrashServer(1))
    run.apply(ev.AddServer())
    run.advance(20.0)
    replay = Simulation(run.reproducible_config())
    replay.advance(20.0)
    assert js(summarize(replay)) == js(summarize(run.engine))


def test_views_read_the_log_with_their_own_cursors_and_learn_of_a_rewind():
    run = Run(config("sticky-crash", scenario__duration_s=40.0))
    canvas, listing = Cursor(), Cursor()
    run.advance(5.0)
    first = run.log.read(canvas)
    assert canvas.fresh and first and event_of(first[0]).kind is EventKind.USER_ARRIVED
    run.advance(6.0)
    more = run.log.read(canvas)
    assert not canvas.fresh and more and event_of(more[0]).t > 5.0
    assert run.log.read(listing) == first + more  # another view sees everything too
    run.advance(30.0)
    run.seek(12.0)
    after = run.log.read(canvas)
    assert canvas.fresh and after and event_of(after[0]).t <= 12.0 - 5.0 + 10.0
    assert max(event_of(e).t for e in after) <= 12.0


def test_the_log_is_bounded_and_says_what_a_slow_reader_missed():
    run = Run(config("sticky-crash", scenario__duration_s=40.0), event_log=1_000)
    slow = Cursor()
    run.log.read(slow)
    for t in range(1, 31):  # frame by frame: one chunk of records each
        run.advance(float(t))
    assert len(run.log) < 1_000 + 1_000  # whole chunks drop out past the capacity
    run.log.read(slow)
    assert slow.missed > 5_000


def test_traces_follow_the_timeline():
    run = steered(60.0)
    ids = [t.id for t in run.traces]
    assert ids == sorted(ids) or len(set(ids)) == len(ids)
    user = run.traces[-1].user
    assert run.user_traces(user)
    run.seek(20.0)
    assert max(t.t_end for t in run.traces) <= 20.0
    assert run.trace(run.traces[-1].id) == run.traces[-1]


def test_rewound_the_run_still_knows_the_markers_ahead_and_undo_restores_them():
    run = steered(90.0)
    every = [m.label for m in run.markers]
    run.seek(35.0)
    assert [m.label for m in run.markers + run.markers_ahead] == every
    assert all(m.t <= 35.0 for m in run.markers) and all(m.t > 35.0 for m in run.markers_ahead)
    run.apply(ev.CrashServer(3))
    assert run.markers_ahead == [] and "server-4 crashed" in run.markers[-1].label
    run.advance(40.0)
    run.undo()
    assert [m.label for m in run.markers + run.markers_ahead] == every
    run.advance(90.0)
    assert [m.label for m in run.markers] == every and len(run.samples) == 90


def test_a_users_story_tells_what_they_did_and_what_failed():
    run = Run(load("sticky-crash"))
    run.advance(59.999)
    pinned = [t.user for t in run.traces if t.server == 1 and t.ok][-40:]
    run.advance(80.0)
    stories = [run.user_story(u) for u in dict.fromkeys(pinned)]
    hit = [s for s in stories if any(f.code == "SESSION_LOST" for f in s.failures)]
    assert hit, "users pinned to server-2 lose their session in its crash"
    s = hit[0]
    assert s.arrived is not None and s.planned >= 1 and "server-2" in s.servers
    failure = next(f for f in s.failures if f.code == "SESSION_LOST")
    assert failure.then in ("logged in again", "gave up", "is thinking")
    assert s.logins >= 2 or failure.then != "logged in again"
    assert s.requests == len(run.user_traces(s.user))
