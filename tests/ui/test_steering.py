"""What a toggle asks of the run: one command however many settings it changes."""

from __future__ import annotations

from visualizer.sim import commands as ev
from visualizer.sim.config import Mode
from visualizer.sim.records import EventKind

BOTH = {"state.mode": "shared", "balancer.sticky": False}
AS_ONE = ev.SetValues((("balancer.sticky", False), ("state.mode", "shared")))


def setting_markers(run) -> list:
    return [m for m in run.markers if m.kind is EventKind.SETTING_CHANGED]


def test_a_toggle_of_two_keys_is_one_command_one_marker_and_one_undo(open_window):
    window = open_window("sticky-crash")
    d = window.driver
    d.step(30.0)
    d.seek(20.0)
    window.steer.set_values(BOTH)
    run = d.run
    assert run.commands == [(20.0, AS_ONE)]
    (marker,) = setting_markers(run)
    assert marker.t == 20.0 and marker.changes == AS_ONE.changes
    d.step(5.0)
    window.refresh_plots()
    assert "sticky off · store on" in window.plots.lost.marker_labels()
    assert d.undo()
    assert not run.can_undo  # the one step took both keys back
    assert run.commands == [] and setting_markers(run) == []
    assert run.config.state.mode is Mode.LOCAL and run.config.balancer.sticky


def test_a_refused_key_leaves_the_other_unchanged_and_says_why(qtbot, open_window):
    window = open_window("sticky-crash")
    d = window.driver
    d.step(10.0)
    with qtbot.waitSignal(d.problem) as said:
        window.steer.set_values({"balancer.sticky": False, "servers.count": 0})
    assert said.args[0].startswith("setting: servers.count = 0 is not allowed")
    assert d.run.commands == [] and d.run.config.balancer.sticky


def test_pressing_a_one_key_toggle_is_the_set_value_it_always_was(open_window):
    window = open_window("sticky-crash")
    window.driver.step(10.0)
    window.steer.press("S")
    assert window.driver.run.commands == [(10.0, ev.SetValue("balancer.sticky", False))]


def test_the_presenter_caption_says_every_key_the_toggle_changed(open_window):
    window = open_window("sticky-crash")
    window.presenter.enter()
    window.driver.step(10.0)
    window.steer.set_values(BOTH)
    window.driver.step(0.1)
    assert window.scene.caption.text == (
        "sticky sessions off: any request, any server · new sessions live in the shared store"
    )
    window.presenter.leave()
