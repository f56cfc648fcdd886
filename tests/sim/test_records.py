"""Event records and request traces as a run keeps them hold plain values, so the garbage
collector leaves them alone: a window keeps 400,000 records and 200,000 traces, and as
typed records (holding enum members) each stayed on the collector's lists, making its
collections take up to a second."""

from __future__ import annotations

import gc

import pytest

from visualizer.sim.records import RequestTrace, event_of
from visualizer.sim.scenario import load
from visualizer.sim.simulation import Simulation


@pytest.mark.parametrize(
    "preset",
    [
        "sticky-crash",  # a crash: failures, lost sessions
        "store-outage",
        "counter-diverges",
        "jwt-revocation",
        "websocket-reconnect-storm",
        "queue-backlog",
    ],
)
def test_rows_are_left_alone_by_the_collector_and_type_back_to_the_records(preset):
    config = load(preset)
    rows_sim = Simulation(config, record_events=True, traces=True)
    typed_sim = Simulation(config, record_events=True, traces=True)
    for sim in (rows_sim, typed_sim):
        sim.advance(min(90.0, config.scenario.duration_s))
    rows, trace_rows = rows_sim.drain_rows(), rows_sim.drain_trace_rows()
    assert rows and trace_rows
    for _ in range(3):  # a tuple is untracked when a collection finds only plain values
        gc.collect()  # in it (the inner ones first: a route in a trace row)
    tracked = [row for row in rows if gc.is_tracked(row)]
    assert not tracked, tracked[:3]
    tracked = [row for row in trace_rows if gc.is_tracked(row)]
    assert not tracked, tracked[:3]
    # typed again, they are the records the engine's typed drains give
    assert [event_of(row) for row in rows] == typed_sim.drain_events()
    assert [RequestTrace.of(row) for row in trace_rows] == typed_sim.drain_traces()
