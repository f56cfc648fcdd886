"""A group of runs on one clock: every run stands at the same moment after any step, seek
or undo, a command reaches the runs it names and a value one refuses changes none, and a
run's numbers do not depend on the group it is in."""

from __future__ import annotations

import pytest

from tests.sim.helpers import config
from visualizer.app.group import RunGroup
from visualizer.app.run import Run
from visualizer.sim import commands as ev
from visualizer.sim.schema import ConfigError


def designs():
    return [
        config("sticky-crash"),
        config("sticky-crash", state__mode="shared"),
        config("sticky-crash", state__mode="token", balancer__sticky=False),
    ]


def test_three_runs_step_seek_and_undo_on_one_clock():
    group = RunGroup(designs())
    while not group.advance_some(40.0, 700):
        assert len({run.now for run in group.runs}) == 1
    assert [run.now for run in group.runs] == [40.0] * 3
    group.seek(12.5)
    assert [run.now for run in group.runs] == [12.5] * 3 and group.rewound
    assert group.apply(ev.CrashServer(0), members=(2,))  # in the past: run 2 branches
    assert group.can_undo
    group.advance(30.0)
    crashed = [sum(1 for s in run.snapshot().servers if not s.up) for run in group.runs]
    assert crashed == [0, 0, 1]
    assert group.undo()
    assert [run.now for run in group.runs] == [12.5] * 3 and not group.can_undo


def test_a_value_one_run_refuses_changes_none():
    group = RunGroup(designs())
    group.advance(5.0)
    before = [run.config for run in group.runs]
    with pytest.raises(ConfigError, match=r"servers\.count"):
        group.apply(ev.SetValue("servers.count", 0))
    assert [run.config for run in group.runs] == before


@pytest.mark.parametrize("index", [0, 2])
def test_a_runs_numbers_do_not_depend_on_its_group(index):
    cfg = designs()[index]
    alone = Run(cfg)
    alone.advance(60.0)
    group = RunGroup(designs())
    group.seek(20.0)  # (nothing to seek to yet: stays at 0)
    while not group.advance_some(60.0, 997):
        pass
    assert group.summaries()[index] == alone.summary()


def test_an_empty_group_is_refused():
    with pytest.raises(ValueError, match="one run at least"):
        RunGroup([])
