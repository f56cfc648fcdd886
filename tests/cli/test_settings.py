"""``visualizer settings``: one spec per setting, the ranges ``--set`` enforces, and the
README's table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.test_cli import run_cli
from visualizer.cli import settings as cli_settings
from visualizer.sim import scenario
from visualizer.sim.schema import key_specs
from visualizer.sim.simulation import Simulation

SPECS = list(key_specs().values())
NUMBERS = [s for s in SPECS if s.kind in ("int", "float")]
README = Path(__file__).resolve().parents[2] / "README.md"


def test_settings_json_lists_every_setting_with_its_spec(capsys):
    code, out, _ = run_cli(capsys, "settings", "--json")
    assert code == 0
    listed = json.loads(out)
    assert [s["key"] for s in listed] == list(key_specs())
    for item in listed:
        spec = key_specs()[item["key"]]
        assert item["type"] in ("int", "float", "bool", "choice", "text")
        assert item["label"] and item["help"]
        assert item["lesson"] == spec.lesson
        if item["type"] in ("int", "float"):
            assert (item["min"], item["max"]) == (spec.lo, spec.hi) and "unit" in item
        if item["type"] == "choice":
            assert spec.default in item["choices"] or spec.default.value in item["choices"]
    lessons = {s["lesson"] for s in listed}
    assert lessons == {None, "counter", "auth", "realtime", "services"}
    assert {"scenario.name", "scenario.notes", "scenario.title"} <= {s["key"] for s in listed}


def test_settings_prints_every_key_readably(capsys):
    code, out, _ = run_cli(capsys, "settings")
    assert code == 0
    for spec in SPECS:
        assert f"  {spec.name} = " in out and spec.doc in out
    assert "[realtime] (the realtime lesson)" in out


def test_the_readme_table_is_the_settings_spec():
    text = README.read_text(encoding="utf-8")
    block = re.search(
        r"<!-- settings table: begin \(visualizer settings --markdown\) -->\n(.*?)"
        r"<!-- settings table: end -->",
        text,
        re.S,
    )
    assert block, "README: the settings table's markers are missing"
    assert block.group(1) == cli_settings.markdown(SPECS), (
        "README's settings table differs from the spec: paste `visualizer settings --markdown`"
    )


def _base(tmp_path: Path, lesson: str | None) -> Path:
    """A scenario of ``lesson`` with light traffic, so a setting at its limit is the only
    thing near one (the checks on products of settings stay far away)."""
    path = tmp_path / "base.toml"
    realtime = "[realtime]\nonline_s = 10\n" if lesson == "realtime" else ""
    path.write_text(
        f'[scenario]\nlesson = "{lesson or "sessions"}"\nduration_s = 1\n'
        f"[traffic]\nusers_per_s = 0.01\n[state]\nttl_s = 10\n{realtime}",
        encoding="utf-8",
    )
    return path


#: The other share of a pair that must add up to at most 1.
_PARTNER = {
    "services.order_share": "services.users_share=0",
    "services.users_share": ("services.order_share=0"),
}


def _past(value: float, spec, up: bool) -> str:
    if spec.kind == "int":
        return str(int(value) + (1 if up else -1))
    step = max(abs(value) * 0.5, 1.0) if up or value <= 0 else value / 2
    return repr(float(value) + step if up else float(value) - step)


@pytest.mark.parametrize("spec", NUMBERS, ids=[s.dotted for s in NUMBERS])
def test_a_setting_runs_at_its_min_and_max_and_one_past_is_refused(spec, capsys, tmp_path):
    base = _base(tmp_path, spec.lesson)
    extra = [_PARTNER[spec.dotted]] if spec.dotted in _PARTNER else []
    for value in (spec.lo, spec.hi):
        text = str(int(value)) if spec.kind == "int" else repr(float(value))
        config = scenario.load(str(base), [f"{spec.dotted}={text}", *extra])
        assert config.get(spec.dotted) == value
        Simulation(config).advance(0.2)  # (it runs)
    if spec.dotted == "scenario.seed":  # (past the largest seed: "too large", see test_cli)
        return
    for value, up in ((spec.lo, False), (spec.hi, True)):
        past = _past(value, spec, up)
        code, _, err = run_cli(capsys, "run", str(base), "--set", f"{spec.dotted}={past}")
        assert code == 2, err
        assert spec.dotted in err and err.count("\n") == 1
