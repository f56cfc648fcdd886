"""A change of several settings is one command for a run and a comparison: one entry in
the command log, one undo step, the same numbers after a seek, a fork or a reload."""

from __future__ import annotations

import json
import tomllib

import pytest

from visualizer.app.compare import Comparison, Side, with_b_changes
from visualizer.app.run import Run
from visualizer.sim import commands as ev
from visualizer.sim.config import Mode
from visualizer.sim.records import EventKind
from visualizer.sim.scenario import load, to_toml
from visualizer.sim.schema import ConfigError, parse_config
from visualizer.sim.simulation import Simulation
from visualizer.sim.summary import summarize

TWO = ev.SetValues((("balancer.sticky", False), ("state.mode", "shared")))


def settings_markers(run: Run) -> list:
    return [m for m in run.markers if m.kind is EventKind.SETTING_CHANGED]


def test_given_in_the_past_it_is_one_undo_step_for_both_keys():
    run = Run(load("sticky-crash"))
    run.advance(60.0)
    original = run.summary()
    run.seek(20.0)
    assert run.apply(TWO)
    assert run.commands == [(20.0, TWO)]
    assert [m.changes for m in settings_markers(run)] == [TWO.changes]
    run.advance(40.0)
    assert run.config.state.mode is Mode.SHARED and not run.config.balancer.sticky
    assert run.can_undo and run.undo()
    assert not run.can_undo  # one step took both keys back
    assert run.commands == [] and settings_markers(run) == []
    assert run.config.state.mode is Mode.LOCAL and run.config.balancer.sticky
    run.advance(60.0)
    assert json.dumps(run.summary()) == json.dumps(original)


def test_a_refused_key_in_the_past_changes_nothing_not_even_the_future():
    run = Run(load("sticky-crash"))
    run.advance(60.0)
    run.seek(20.0)
    with pytest.raises(ConfigError, match=r"servers\.count = 0"):
        run.apply(ev.SetValues((("balancer.sticky", False), ("servers.count", 0))))
    assert run.rewound and run.end == 60.0 and not run.can_undo and run.commands == []


def test_seek_fork_and_save_give_the_numbers_of_the_engine_given_the_command():
    run = Run(load("sticky-crash"))
    run.advance(15.0)
    run.apply(TWO)
    run.advance(50.0)
    reference = Simulation(load("sticky-crash"))
    reference.advance(15.0)
    reference.apply(TWO)
    reference.advance(50.0)
    assert json.dumps(run.summary()) == json.dumps(summarize(reference))
    fork = run.fork()
    run.seek(10.0)  # back before the command: it is replayed as one
    run.seek(50.0)
    assert json.dumps(run.summary()) == json.dumps(summarize(reference))
    assert [m.changes for m in settings_markers(run)] == [TWO.changes]
    fork.advance(70.0)
    saved = parse_config(tomllib.loads(to_toml(run.reproducible_config())), "saved")
    again = Simulation(saved)
    again.advance(70.0)
    assert json.dumps(fork.summary()) == json.dumps(summarize(again))


def test_side_b_alone_takes_it_and_the_comparison_reopens_with_it():
    both = Comparison(with_b_changes(load("sticky-crash"), {}))
    both.advance(20.0)
    assert both.apply(TWO, Side.B)
    both.advance(40.0)
    assert both.a.commands == [] and both.b.commands == [(20.0, TWO)]
    assert both.only(Side.B) == [(20.0, TWO)]
    saved = both.reproducible_config()
    (fault,) = saved.compare.only_b
    assert fault.values == TWO.changes and fault.key is None
    text = to_toml(saved)
    assert 'values = { balancer.sticky = false, state.mode = "shared" }' in text
    reopened = Comparison(parse_config(tomllib.loads(text), "saved"))
    reopened.advance(40.0)
    assert json.dumps(reopened.summaries()) == json.dumps(both.summaries())


def test_a_value_either_side_refuses_changes_neither():
    # B's users think for 3,000 s: 200 users/s would be too many online at once on B only
    both = Comparison(with_b_changes(load("sticky-crash"), {"traffic.think_time_s": 3000.0}))
    both.advance(10.0)
    change = ev.SetValues((("balancer.sticky", False), ("traffic.users_per_s", 200.0)))
    both.a.check(change)  # A alone would take it
    with pytest.raises(ConfigError, match="users online"):
        both.apply(change)
    assert both.a.commands == both.b.commands == []
    assert both.a.config.balancer.sticky and both.b.config.balancer.sticky
