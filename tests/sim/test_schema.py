"""Scenario validation: one clear message naming the file, key, value and what is allowed."""

import tomllib

import pytest

from visualizer.sim import scenario
from visualizer.sim.config import Config, Mode, section_owner
from visualizer.sim.schema import ConfigError, key_specs, parse_config, with_values
from visualizer.sim.toml_text import parse_override


def _load_text(tmp_path, text: str):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    return scenario.load_file(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[servers]\ncount = 0\n", ["bad.toml", "servers.count = 0", "integer from 1 to 64"]),
        ("[servers]\ncount = 2.5\n", ["servers.count = 2.5", "not a whole number"]),
        ('[servers]\ncount = "four"\n', ["servers.count = 'four'", "an integer"]),
        ("[servers]\ncores = 4\n", ["unknown key servers.cores", "count, workers"]),
        ("[severs]\ncount = 4\n", ["unknown section [severs]", "[servers]"]),
        ('[state]\nmode = "sticky"\n', ["state.mode = 'sticky'", "'token', 'local', 'shared'"]),
        ("[balancer]\nsticky = 1\n", ["balancer.sticky = 1", "true or false"]),
        ("[traffic]\nlogout_fraction = 1.5\n", ["traffic.logout_fraction = 1.5", "0 to 1"]),
        ("[traffic]\nusers_per_s = nan\n", ["traffic.users_per_s = nan"]),
        ("[traffic]\nusers_per_s = -3\n", ["traffic.users_per_s = -3", "out of range"]),
        ("servers = 3\n", ["servers must be a table"]),
        ("[scenario]\nseed = 1e308\n", ["scenario.seed = 1e+308 is not allowed", "out of range"]),
        ("[scenario]\nseed = 1" + "0" * 400 + "\n", ["scenario.seed = 1.00e+400", "out of range"]),
        ('[scenario]\ntitle = "a\\u0007b"\n', ["'a\\x07b'", "control character U+0007"]),
        ('[scenario]\nname = "x\\u001b[2J"\n', ["control character U+001B"]),
        ('[scenario]\ntitle = "' + "x" * 5000 + '"\n', ["'" + "x" * 60 + "'…", "200 char"]),
        ("[scenario\nname = 1", ["bad.toml", "not valid TOML"]),
        (
            '[[faults]]\nat_s = 10\naction = "explode"\ntarget = "server-1"\n',
            ["faults[1]", "action = 'explode'", "'crash'"],
        ),
        ('[[faults]]\nat_s = 10\naction = "crash"\n', ["faults[1]", "needs a target"]),
        (
            '[[faults]]\nat_s = 10\naction = "crash"\ntarget = "server-9"\n',
            ["faults[1]", "server-9 never exists", "server-1 to server-4"],
        ),
        ('[[faults]]\nat_s = -1\naction = "crash_store"\n', ["faults[1]", "at_s = -1"]),
        (
            '[[faults]]\nat_s = 1\naction = "crash_store"\ntarget = "server-1"\n',
            ["takes no target"],
        ),
        ('[[faults]]\nat_s = 1\naction = "crash"\ntarget = "db"\n', ["target = 'db'"]),
        ('[[faults]]\nwhen = 1\naction = "crash"\n', ["unknown key when"]),
        ('[scenario]\nlesson = "cooking"\n', ["scenario.lesson = 'cooking'", "'counter'"]),
        (
            '[counter]\nscope = "global"\n',
            ["[counter] belongs to the counter lesson", 'lesson = "counter"'],
        ),
        (
            '[scenario]\nlesson = "counter"\n[counter]\nscope = "global"\nplacement = "client"\n',
            ['counter.scope = "global" with counter.placement = "client"', 'scope "user"'],
        ),
        ('[scenario]\nlesson = "auth"\n[auth]\nmethod = "oauth"\n', ["auth.method = 'oauth'"]),
    ],
)
def test_bad_scenarios_give_one_clear_message(tmp_path, text, expected):
    with pytest.raises(ConfigError) as info:
        _load_text(tmp_path, text)
    message = str(info.value)
    assert "\n" not in message
    for part in expected:
        assert part in message


def test_faults_may_target_servers_added_earlier(tmp_path):
    text = (
        "[servers]\ncount = 2\n"
        '[[faults]]\nat_s = 20\naction = "crash"\ntarget = "server-3"\n'
        '[[faults]]\nat_s = 10\naction = "add_server"\n'
    )
    config = _load_text(tmp_path, text)
    assert [f.action.value for f in config.faults] == ["crash", "add_server"]


def test_every_key_has_a_default_that_validates():
    config = parse_config({})
    assert config == Config()
    for spec in key_specs().values():
        assert spec.doc
        lesson = section_owner(spec.section)  # a lesson's keys, in a scenario of it
        own = config if lesson is None else parse_config({"scenario": {"lesson": lesson.value}})
        with_values(own, {spec.dotted: config.get(spec.dotted)}, "test")


def test_every_preset_loads_with_title_and_two_sentence_description():
    presets = scenario.list_presets()
    names = {p.name for p in presets}
    assert {
        "stateless-tokens",
        "local-no-sticky",
        "sticky-crash",
        "shared-store",
        "store-outage",
        "memory-growth",
        "sticky-hotspot",
    } <= names
    for p in presets:
        assert p.title
        assert p.description.count(". ") + 1 >= 2 and p.description.endswith(".")
        assert scenario.load(p.name).scenario.name == p.name


def test_overrides_are_typed_like_toml():
    assert parse_override("servers.count=6") == ("servers.count", 6)
    assert parse_override("state.mode=shared") == ("state.mode", "shared")
    assert parse_override("balancer.sticky=false") == ("balancer.sticky", False)
    assert parse_override("state.session_kb = 12.5") == ("state.session_kb", 12.5)
    with pytest.raises(ConfigError, match=r"expected section\.key=value"):
        parse_override("servers")


def test_with_values_validates_everything_before_applying():
    config = Config()
    with pytest.raises(ConfigError, match=r"servers\.count"):
        with_values(config, {"state.mode": "shared", "servers.count": 0}, "--set")
    assert config.state.mode is Mode.LOCAL
    with pytest.raises(ConfigError, match=r"unknown key servers\.size"):
        with_values(config, {"servers.size": 3}, "--set")


def test_toml_round_trip_gives_an_equal_config(tmp_path):
    for preset in scenario.list_presets():
        original = scenario.load(preset.name)
        path = tmp_path / f"{preset.name}.toml"
        path.write_text(scenario.to_toml(original), encoding="utf-8")
        assert scenario.load_file(path) == original


def test_unknown_preset_lists_the_presets():
    with pytest.raises(ConfigError, match=r"unknown scenario 'nope'; presets: .*sticky-crash"):
        scenario.resolve("nope")
    with pytest.raises(ConfigError, match="no such scenario file"):
        scenario.resolve("missing/file.toml")


def test_a_description_may_hold_line_breaks_and_tabs(tmp_path):
    config = _load_text(tmp_path, '[scenario]\ndescription = "one\\n\\ttwo"\n')
    assert config.scenario.description == "one\n\ttwo"


def test_a_lessons_own_section_is_written_only_for_that_lesson():
    counter = parse_config({"scenario": {"lesson": "counter"}, "counter": {"scope": "global"}})
    text = scenario.to_toml(counter)
    assert "[counter]" in text and "[auth]" not in text
    assert scenario.parse_config(tomllib.loads(text)) == counter
    assert "[counter]" not in scenario.to_toml(Config())
