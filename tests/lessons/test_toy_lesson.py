"""A lesson is a package: a toy lesson written into a temporary folder and installed
with one call shows up in every layer (presets, validation, the settings list, the
engine, the scoreboard, the panel, the canvas's headline and captions), and a package
that lacks a part is refused naming the part."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

from visualizer.cli import commands as cli
from visualizer.lessons import SPECS, install, packages, uninstall
from visualizer.sim import scenario
from visualizer.sim.config import Lesson
from visualizer.sim.lessons import MODELS
from visualizer.sim.schema import ConfigError, key_specs, parse_config
from visualizer.ui.lesson import views as lesson_views

PACKAGE = "toylesson"

FILES = {
    "__init__.py": """
        from toylesson import model, settings
        from toylesson.spec import SPEC
        """,
    "settings.py": """
        from dataclasses import dataclass

        from visualizer.sim.config import Config, Lesson, LessonSection, register_section, setting
        from visualizer.sim.schema import ConfigError

        LESSON = Lesson.define("toy")


        @dataclass(frozen=True)
        class ToySection:
            share: float = setting(0.5, lo=0.0, hi=1.0, doc="how much glows", label="Glow share")
            lit: bool = setting(False, doc="the toy is lit", label="Lit")


        def check(config: Config, where: str) -> None:
            if config.toy.lit and config.toy.share == 0.0:
                raise ConfigError(f"{where}: toy.lit with toy.share = 0 lights nothing")


        SECTION = register_section(LessonSection(LESSON, "toy", ToySection, check))
        """,
    "model.py": """
        from visualizer.sim.lessons import register
        from visualizer.sim.lessons.base import LessonModel
        from toylesson.settings import LESSON


        @register
        class ToyModel(LessonModel):
            lesson = LESSON
            figures = ("toy_ticks",)

            def install(self):
                self.ticks = 0

            def sample(self):
                self.ticks += 1
                return (float(self.ticks),)

            def summary(self):
                return {"toy": {"ticks": self.ticks}}
        """,
    "spec.py": """
        from visualizer.lessons.score import ScoreRow
        from visualizer.lessons.spec import (
            FLEET, STICKY, LessonControls, LessonSpec, ToggleSpec, server_name, text,
        )
        from visualizer.sim.records import EventKind
        from toylesson.settings import LESSON

        LIT = ToggleSpec(
            "T", "Lit", text("the toy glows"), "dark",
            lambda c: c.toy.lit, lambda _c, on: {"toy.lit": on},
        )
        HALF = ToggleSpec(
            "R", "Half", text("half glows"), "all glows",
            lambda c: c.toy.share == 0.5, lambda _c, on: {"toy.share": 0.5 if on else 1.0},
        )
        CONTROLS = LessonControls(
            "Is the toy lit?", (LIT, STICKY, HALF), (*FLEET, "toy.share"), ("toy.lit",)
        )


        def captions(event, config):
            if event.kind is EventKind.SERVER_CRASHED:
                return f"toy: {server_name(event)} stopped glowing"
            return None


        def rows(a, b, _sampled):
            return [ScoreRow("Toy ticks", a["toy"]["ticks"], b["toy"]["ticks"])]


        SPEC = LessonSpec(
            LESSON,
            CONTROLS,
            lambda c: ("lit",) if c.toy.lit else ("dark",),
            ("toy.lit",),
            captions,
            score_rows=rows,
        )
        """,
    "view.py": """
        from visualizer.ui.lesson.views import HeadlineRow, LessonView, register
        from toylesson.settings import LESSON


        class ToyView(LessonView):
            def headline(self, snap):
                return (HeadlineRow(snap.sent, "toy requests", False),)


        register(LESSON, ToyView())
        """,
    "presets/toy-demo.toml": """
        [scenario]
        name = "toy-demo"
        title = "A toy lesson"
        description = "A lesson written by a test. It glows."
        lesson = "toy"
        duration_s = 20.0

        [toy]
        share = 0.25

        [[faults]]
        at_s = 5.0
        action = "crash"
        target = "server-2"

        [compare.toy]
        lit = true
        """,
}


def write(folder: Path, files: dict[str, str]) -> None:
    for name, body in files.items():
        path = folder / PACKAGE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """The toy lesson, installed; afterwards, gone from every table."""
    write(tmp_path, FILES)
    monkeypatch.syspath_prepend(str(tmp_path))
    package = install(PACKAGE)
    yield package
    lesson_views.unregister(package.lesson)
    forget(package.lesson)


def forget(lesson: Lesson) -> None:
    """The toy lesson gone from every table and its modules unloaded."""
    uninstall(lesson, "toy")
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_toy_lesson_shows_up_in_every_headless_layer(toy, capsys):
    lesson = toy.lesson
    assert lesson in Lesson.known() and lesson in SPECS, "the lesson table"
    assert lesson in MODELS, "the engine's models"
    # presets: listed and loaded by name
    code, out, _ = run_cli(capsys, "scenarios")
    assert code == 0 and any(line.startswith("toy-demo") for line in out.splitlines()), (
        "visualizer scenarios lists the lesson's presets"
    )
    config = scenario.load("toy-demo")
    assert config.scenario.lesson is lesson and config.toy.share == 0.25
    # its section is validated: range, lesson, and its own rule
    with pytest.raises(ConfigError, match=r"toy\.share = 2 is not allowed .*from 0 to 1"):
        parse_config({"scenario": {"lesson": "toy"}, "toy": {"share": 2}})
    with pytest.raises(ConfigError, match=r"\[toy\] belongs to the toy lesson"):
        parse_config({"toy": {"share": 0.5}})
    with pytest.raises(ConfigError, match="lights nothing"):
        parse_config({"scenario": {"lesson": "toy"}, "toy": {"lit": True, "share": 0.0}})
    # the settings list
    code, out, _ = run_cli(capsys, "settings", "--json")
    listed = {s["key"]: s for s in json.loads(out)}
    assert listed["toy.share"] | {"help": ""} == {
        "key": "toy.share",
        "lesson": "toy",
        "type": "float",
        "default": 0.5,
        "min": 0.0,
        "max": 1.0,
        "unit": "",
        "label": "Glow share",
        "help": "",
    }, "visualizer settings lists the lesson's section"
    assert "toy" in listed["scenario.lesson"]["choices"]
    # the engine runs it; --set is checked against its ranges
    code, out, err = run_cli(capsys, "run", "toy-demo", "--json", "-", "--duration", "10")
    assert code == 0, err
    assert json.loads(out)["toy"] == {"ticks": 10}, "the model's summary"
    code, _, err = run_cli(capsys, "run", "toy-demo", "--set", "toy.share=1.5")
    assert code == 2 and "toy.share" in err
    # a comparison: titles in the lesson's design words, the scoreboard with its rows
    code, out, err = run_cli(capsys, "compare", "toy-demo", "--duration", "10")
    assert code == 0, err
    assert "A: dark" in out and "B: lit" in out, "compare titles: the lesson's design words"
    ticks = next((line for line in out.splitlines() if line.startswith("Toy ticks")), "")
    assert ticks.split()[2:4] == ["10", "10"], f"the scoreboard's rows: {out}"


def test_gone_again_after_the_test(toy):
    uninstall(toy.lesson, "toy")
    assert "toy" not in Lesson._known and "toy.share" not in key_specs()
    assert all(p.name != PACKAGE for p in packages())
    assert all(p.stem != "toy-demo" for p in scenario.preset_files())


@pytest.mark.parametrize(
    ("drop", "named"),
    [
        ("model.py", "registered no model"),
        ("spec.py", "toylesson"),
    ],
)
def test_a_lesson_package_missing_a_part_is_refused_naming_it(tmp_path, monkeypatch, drop, named):
    files = dict(FILES)
    del files[drop]
    files["__init__.py"] = {
        "model.py": "from toylesson import settings\nfrom toylesson.spec import SPEC\n",
        "spec.py": "from toylesson import model, settings\n",
    }[drop]
    write(tmp_path, files)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        with pytest.raises((LookupError, TypeError), match=named):
            install(PACKAGE)
        assert Lesson("toy") not in SPECS
    finally:
        forget(Lesson.define("toy"))
