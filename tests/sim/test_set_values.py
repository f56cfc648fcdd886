"""SetValues: several settings as one command, applied at one instant or not at all, and
its file form (``values = { ... }`` in a ``set`` fault)."""

from __future__ import annotations

import dataclasses
import json
import tomllib

import pytest

from tests.sim.helpers import config
from visualizer.sim import commands as ev
from visualizer.sim import scenario
from visualizer.sim.config import Fault, FaultAction, Mode
from visualizer.sim.records import EventKind, event_of
from visualizer.sim.schema import ConfigError, parse_config
from visualizer.sim.simulation import Simulation
from visualizer.sim.summary import summarize

TWO = ev.SetValues((("state.mode", "shared"), ("balancer.sticky", False)))


def changes_at(sim: Simulation) -> list:
    return [e for e in sim.drain_events() if e.kind is EventKind.SETTING_CHANGED]


def test_two_keys_change_at_one_instant_as_one_command():
    sim = Simulation(config("sticky-crash"), record_events=True)
    sim.advance(10.0)
    sim.drain_events()
    assert sim.apply(TWO)
    assert sim.config.state.mode is Mode.SHARED and sim.config.balancer.sticky is False
    # one command in the log, in the settings' order, as validated
    assert [(t, c) for t, c, _ in sim.command_log] == [
        (10.0, ev.SetValues((("balancer.sticky", False), ("state.mode", "shared"))))
    ]
    # one marker and one record, at one simulated instant, holding both keys
    (marker,) = [m for m in sim.markers if m.kind is EventKind.SETTING_CHANGED]
    assert marker.t == 10.0
    assert marker.changes == (("balancer.sticky", False), ("state.mode", "shared"))
    (record,) = changes_at(sim)
    assert record.t == 10.0 and record.detail == marker.changes


def test_the_keys_apply_together_before_anything_else_happens():
    """The balancer is told of stickiness and the new sessions go to the store at the
    same instant: no request in between sees one change without the other."""
    sim = Simulation(config("sticky-crash"), traces=True)
    sim.advance(10.0)
    sim.apply(TWO)
    assert sim.balancer.sticky is False and sim.config.state.mode is Mode.SHARED
    sim.advance(20.0)
    later = [t for t in sim.drain_traces() if t.t_sent > 10.0]
    assert later and all(t.route.how != "sticky-hit" for t in later)


def test_an_invalid_second_key_leaves_nothing_applied():
    sim = Simulation(config("sticky-crash"), record_events=True)
    sim.advance(10.0)
    before, markers = sim.config, list(sim.markers)
    sim.drain_events()
    bad = ev.SetValues((("balancer.sticky", False), ("servers.count", 0)))
    with pytest.raises(ConfigError) as caught:
        sim.check(bad)
    assert str(caught.value) == (
        "setting: servers.count = 0 is not allowed (out of range); expected an integer from 1 to 64"
    )
    with pytest.raises(ConfigError, match=r"servers\.count = 0"):
        sim.apply(bad)
    assert sim.config == before and sim.balancer.sticky is True
    assert sim.command_log == [] and list(sim.markers) == markers and changes_at(sim) == []
    with pytest.raises(ConfigError, match=r"scenario\.seed cannot change while running"):
        sim.apply(ev.SetValues((("balancer.sticky", False), ("scenario.seed", 3))))
    with pytest.raises(ConfigError, match=r"balancer\.sticky is given twice"):
        sim.apply(ev.SetValues((("balancer.sticky", False), ("balancer.sticky", True))))
    with pytest.raises(ConfigError, match="a change of no settings"):
        sim.apply(ev.SetValues(()))
    assert sim.config == before and sim.command_log == []


def test_keys_valid_together_are_taken_together():
    """Checked as a whole: 200 users/s with a 3,000 s think time is too many users
    online at once, but lowering the think time in the same command makes it fit."""
    sim = Simulation(config("sticky-crash"))
    assert sim.apply(ev.SetValue("traffic.think_time_s", 3000.0))
    with pytest.raises(ConfigError, match="users online"):
        sim.apply(ev.SetValue("traffic.users_per_s", 200.0))
    both = (("traffic.users_per_s", 200.0), ("traffic.think_time_s", 1.0))
    assert sim.apply(ev.SetValues(both))
    assert sim.config.traffic.users_per_s == 200.0 and sim.config.traffic.think_time_s == 1.0


def test_one_pair_is_the_same_command_and_marker_as_set_value():
    a = Simulation(config("sticky-crash"), record_events=True)
    b = Simulation(config("sticky-crash"), record_events=True)
    for sim, command in (
        (a, ev.SetValue("balancer.sticky", False)),
        (b, ev.SetValues((("balancer.sticky", False),))),
    ):
        sim.advance(10.0)
        sim.apply(command)
        sim.advance(30.0)
    assert a.command_log == b.command_log == [(10.0, ev.SetValue("balancer.sticky", False), False)]
    assert list(a.markers) == list(b.markers)
    assert json.dumps(summarize(a)) == json.dumps(summarize(b))
    assert ev.set_command({"balancer.sticky": False}) == ev.SetValue("balancer.sticky", False)


def test_a_set_of_several_keys_round_trips_through_the_file():
    sim = Simulation(config("sticky-crash", scenario__duration_s=60.0))
    sim.advance(10.0)
    sim.apply(TWO)
    sim.advance(12.5)
    sim.apply(ev.SetValue("servers.count", 6))
    saved = sim.reproducible_config()
    text = scenario.to_toml(saved)
    assert (
        '[[faults]]\nat_s = 10.0\naction = "set"\n'
        'values = { balancer.sticky = false, state.mode = "shared" }\n'
    ) in text
    # the one-key form is written as it always was
    assert '[[faults]]\nat_s = 12.5\naction = "set"\nkey = "servers.count"\nvalue = 6\n' in text
    loaded = parse_config(tomllib.loads(text), "saved")
    assert loaded == saved
    assert scenario.to_toml(loaded) == text
    # the saved file reproduces the run, number for number
    sim.advance(60.0)
    replay = Simulation(loaded)
    replay.run()
    assert json.dumps(summarize(replay)) == json.dumps(summarize(sim))
    assert [type(c) for _, c, scheduled in replay.command_log if scheduled][:2] == [
        ev.SetValues,
        ev.SetValue,
    ]


@pytest.mark.parametrize(
    "values",
    [
        '{ state.mode = "shared", balancer.sticky = false }',
        '{ balancer.sticky = false, state.mode = "shared" }',
        '{ "state.mode" = "shared", "balancer.sticky" = false }',
        '{ balancer = { sticky = false }, state = { mode = "shared" } }',
    ],
)
def test_every_way_of_writing_values_loads_as_one_fault(values):
    text = f'[[faults]]\nat_s = 5\naction = "set"\nvalues = {values}\n'
    (fault,) = parse_config(tomllib.loads(text), "f").faults
    assert fault == Fault(
        5.0, FaultAction.SET, values=(("balancer.sticky", False), ("state.mode", "shared"))
    )
    assert fault.changes == (("balancer.sticky", False), ("state.mode", "shared"))


def test_values_of_one_key_is_the_key_value_fault():
    text = '[[faults]]\nat_s = 5\naction = "set"\nvalues = { servers.count = 3 }\n'
    (fault,) = parse_config(tomllib.loads(text), "f").faults
    assert fault == Fault(5.0, FaultAction.SET, key="servers.count", value=3)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'values = { state.mode = "shared", servers.count = 0 }',
            "f: faults[1]: values: servers.count = 0 is not allowed (out of range); "
            "expected an integer from 1 to 64",
        ),
        (
            'values = { state.mode = "shared", balancer.stiky = true }',
            "f: faults[1]: values: balancer.stiky is not a setting; allowed: traffic.*",
        ),
        (
            'values = { scenario.seed = 3, state.mode = "shared" }',
            "f: faults[1]: values: scenario.seed cannot be set during a run; allowed: ",
        ),
        ("values = {}", "f: faults[1]: values = {} sets nothing; give the keys to set, e.g. "),
        (
            'values = "state.mode=shared"',
            "f: faults[1]: values = 'state.mode=shared' is not allowed; expected a table of",
        ),
        (
            'key = "state.mode"\nvalues = { state.mode = "shared" }',
            "f: faults[1]: action 'set' takes either key and value or values, not both",
        ),
        (
            'values = { "state.mode" = "shared", state = { mode = "local" } }',
            "f: faults[1]: values: state.mode is given twice",
        ),
    ],
)
def test_a_bad_values_table_is_one_message_naming_the_key(body, message):
    text = f'[[faults]]\nat_s = 5\naction = "set"\n{body}\n'
    with pytest.raises(ConfigError) as caught:
        parse_config(tomllib.loads(text), "f")
    assert str(caught.value).startswith(message), str(caught.value)


def test_values_belong_to_set_only():
    text = '[[faults]]\nat_s = 5\naction = "crash"\ntarget = "server-1"\nvalues = {}\n'
    with pytest.raises(ConfigError, match="key, value and values belong to action 'set' only"):
        parse_config(tomllib.loads(text), "f")


def test_the_schedule_is_checked_with_every_key_of_a_set_at_its_moment():
    text = (
        '[[faults]]\nat_s = 5\naction = "set"\n'
        "values = { traffic.users_per_s = 2000.0, traffic.think_time_s = 3000.0 }\n"
    )
    with pytest.raises(ConfigError) as caught:
        parse_config(tomllib.loads(text), "f")
    assert str(caught.value).startswith(
        "f: faults[1] (at_s = 5, set traffic.users_per_s = 2000.0, traffic.think_time_s = 3000.0): "
    )
    # a servers.count among the values brings server names to life for later faults
    grow = (
        '[[faults]]\nat_s = 5\naction = "set"\n'
        'values = { servers.count = 6, state.mode = "shared" }\n'
        '[[faults]]\nat_s = 9\naction = "crash"\ntarget = "server-6"\n'
    )
    assert len(parse_config(tomllib.loads(grow), "f").faults) == 2


def test_a_scheduled_set_of_several_keys_applies_at_its_instant():
    base = config("sticky-crash", scenario__duration_s=30.0)
    fault = Fault(
        20.0, FaultAction.SET, values=(("balancer.sticky", False), ("state.mode", "shared"))
    )
    sim = Simulation(dataclasses.replace(base, faults=(fault,)), record_events=True)
    sim.advance(19.9)
    assert sim.config.balancer.sticky and sim.config.state.mode is Mode.LOCAL
    sim.advance(20.0)
    assert not sim.config.balancer.sticky and sim.config.state.mode is Mode.SHARED
    (record,) = [event_of(row) for row in sim.drain_rows() if row[1] == EventKind.SETTING_CHANGED]
    assert record.t == 20.0 and record.detail == fault.values
    assert sim.command_log == [(20.0, ev.SetValues(fault.values), True)]
