"""A run steered live can be written down as a scenario that reproduces it exactly."""

import json
import tomllib

import pytest

from tests.sim.helpers import config
from visualizer.sim import commands as ev
from visualizer.sim import scenario
from visualizer.sim.config import FaultAction
from visualizer.sim.records import Note
from visualizer.sim.schema import ConfigError
from visualizer.sim.simulation import Simulation
from visualizer.sim.summary import summarize

SCRIPT = [
    (12.3456789, ev.SetValue("balancer.sticky", False)),
    (20.0, ev.CrashServer(2)),  # exactly on a sample instant
    (25.0, ev.SetValue("state.mode", "shared")),
    (30.5, ev.AddServer()),
    (33.25, ev.CrashStore()),
    (40.0, ev.RestoreStore()),
    (45.125, ev.SetValue("servers.count", 3)),
    (50.0, ev.SetValue("traffic.users_per_s", 33)),
    (55.0, ev.RestartServer(2)),
    (57.75, ev.RemoveServer(0)),
]


def _steered_run() -> Simulation:
    sim = Simulation(config("sticky-crash", scenario__duration_s=90.0), record_events=True)
    for t, command in SCRIPT:
        sim.advance(t)
        sim.apply(command)
    sim.advance(90.0)
    return sim


def test_a_steered_run_replays_exactly_from_its_reproducible_config(tmp_path):
    live = _steered_run()
    saved = live.reproducible_config()
    path = tmp_path / "session.toml"
    path.write_text(scenario.to_toml(saved), encoding="utf-8")
    loaded = scenario.load_file(path)
    assert loaded == saved
    user_faults = [f for f in loaded.faults if f not in live.initial_config.faults]
    assert [f.at_s for f in user_faults] == [t for t, _ in SCRIPT]
    assert user_faults[1].target == "server-3" and user_faults[2].value == "shared"
    assert user_faults[6] == type(user_faults[6])(45.125, FaultAction.SET, None, "servers.count", 3)
    replay = Simulation(loaded, record_events=True)
    replay.advance(90.0)
    a = json.dumps(summarize(live), indent=1)
    b = json.dumps(summarize(replay), indent=1)
    assert a == b
    assert live.drain_events() == replay.drain_events()


def test_a_run_with_no_live_commands_is_its_own_scenario():
    sim = Simulation(config("sticky-crash"))
    sim.advance(70.0)
    assert sim.reproducible_config() is sim.initial_config


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ('at_s = 1\\naction = "set"\\nkey = "state.mode"', "needs a value"),
        ('at_s = 1\\naction = "set"\\nvalue = 3', "needs a key"),
        ('at_s = 1\\naction = "set"\\nkey = "scenario.seed"\\nvalue = 3', "cannot be set"),
        ('at_s = 1\\naction = "set"\\nkey = "state.mode"\\nvalue = "sticky"', "'token'"),
        ('at_s = 1\\naction = "set"\\nkey = "servers.count"\\nvalue = 99', "1 to 64"),
        ('at_s = 1\\naction = "crash"\\ntarget = "server-1"\\nkey = "x"', "action 'set' only"),
        (
            'at_s = 1\\naction = "add_server"\\n'
            '[[faults]]\\nat_s = 2\\naction = "crash"\\ntarget = "server-6"',
            "server-6 never exists in this scenario; its servers are server-1 to server-5",
        ),
    ],
)
def test_bad_set_faults_are_refused_with_one_message(tmp_path, fault, message):
    path = tmp_path / "bad.toml"
    path.write_text("[[faults]]\n" + fault.replace("\\n", "\n") + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        scenario.load_file(path)


def test_a_fault_on_a_server_gone_at_its_time_is_skipped_visibly():
    """Servers → 1 before the preset's crash of server-2: the saved session still opens,
    and the engine skips that crash with a marker instead of refusing the file."""
    sim = Simulation(config("sticky-crash", scenario__duration_s=100.0))
    sim.advance(10.0)
    assert sim.apply(ev.SetValue("servers.count", 1))
    saved = sim.reproducible_config()
    reloaded = scenario.parse_config(tomllib.loads(scenario.to_toml(saved)), "saved")
    assert reloaded == saved
    sim.advance(100.0)
    skipped = [m.label for m in sim.markers if m.note is Note.SKIPPED]
    assert skipped == [
        "crash server-2 skipped: no such server",
        "restart server-2 skipped: no such server",
    ]
    replay = Simulation(reloaded)
    replay.advance(100.0)
    assert json.dumps(summarize(replay)) == json.dumps(summarize(sim))


def test_same_instant_commands_replay_exactly_with_zero_delays():
    """With no think time and no network delay, what one command sets off at an instant
    happens before the next command at that instant, live as in a replay."""
    cfg = config(
        "sticky-crash",
        traffic__think_time_s=0.0,
        network__latency_ms=0.0,
        scenario__duration_s=40.0,
        traffic__users_per_s=40.0,
    )
    live = Simulation(cfg)
    live.advance(12.5)
    live.apply(ev.CrashServer(0))
    live.apply(ev.SetValue("balancer.sticky", False))
    live.apply(ev.CrashServer(2))
    live.advance(20.0)
    live.apply(ev.RestartServer(0))
    live.apply(ev.RestartServer(2))
    live.apply(ev.SetValue("state.mode", "shared"))
    live.advance(40.0)
    replay = Simulation(live.reproducible_config())
    replay.advance(40.0)
    assert json.dumps(summarize(replay)) == json.dumps(summarize(live))
