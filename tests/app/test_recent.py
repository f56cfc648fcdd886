"""What a run holds for long is out of the garbage collector's sight (a full collection
visited it all): its index of who came and went keeps an ``OrderedDict``'s behaviour (the
oldest first recorded leave first) and its rows exactly; the event log's rows go
untracked once collected."""

from __future__ import annotations

import gc
import random
from collections import OrderedDict

from visualizer.app.recent import RecentRows
from visualizer.app.run import Run
from visualizer.sim.records import EventKind
from visualizer.sim.scenario import load


def test_it_keeps_what_an_ordered_dict_trimmed_after_each_batch_keeps():
    rng = random.Random(3)
    recent, expected = RecentRows(50), OrderedDict()
    for batch in range(400):
        for _ in range(rng.randint(0, 12)):
            user = rng.randint(0, 300)  # repeats: a user recorded again keeps their place
            row = (batch + rng.random(), 1, 0, user, -1, rng.choice([0, 1.5, True]))
            recent.put(user, row)
            expected[user] = row
        recent.trim()
        while len(expected) > 50:
            expected.popitem(last=False)
        assert len(recent) == len(expected)
    for user in range(301):
        assert recent.get(user) == expected.get(user)
        if user in expected:
            assert [type(v) for v in recent.get(user)] == [type(v) for v in expected[user]]
    copy = recent.copy()
    copy.put(1_000, (0.0, 1, 0, 1_000, -1, 0))
    assert 1_000 in copy and 1_000 not in recent


def test_a_runs_arrivals_and_departures_are_its_rows_and_untracked():
    run = Run(load("sticky-crash"))
    run.advance(60.0)
    rows = run.log.records()  # (all of them: the log holds 400,000)
    assert run.log.start == 0
    came = {r[3]: r for r in rows if r[1] == int(EventKind.USER_ARRIVED)}
    went = {r[3]: r for r in rows if r[1] == int(EventKind.USER_LEFT)}
    assert came and went
    assert all(run._arrivals.get(u) == r for u, r in came.items())
    assert all(run._departures.get(u) == r for u, r in went.items())
    for index in (run._arrivals, run._departures):
        assert not gc.is_tracked(index._rows)  # (the order: machine ints, no objects)


def test_the_event_log_holds_its_rows_where_a_collection_stops_tracking_them():
    run = Run(load("sticky-crash"))
    run.advance(30.0)
    gc.collect()
    chunks = [events for _, events in run.log._chunks]
    assert chunks and not any(gc.is_tracked(events) for events in chunks)
