"""The architecture's import rules (DESIGN.md §9): the engine and the run layer never
import Qt, and the UI sits above the run layer, which sits above the engine.

The rules are import-linter contracts in pyproject.toml ([tool.importlinter]). CI runs
``lint-imports``; these tests run the same check, so ``python -m pytest`` fails too when
a contract breaks. The tests on a made-up ``visualizer`` package in a temporary folder
show that the project's own contracts do break on the imports they forbid.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
CONTRACTS = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"][
    "contracts"
]
NAMES = {contract["id"]: contract["name"] for contract in CONTRACTS}

# The `lint-imports` console script is this, run by the interpreter running the tests.
_LINT_IMPORTS = (
    "import sys; from importlinter.cli import lint_imports_command; "
    "sys.exit(lint_imports_command())"
)


def lint_imports(cwd: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """Run ``lint-imports`` in ``cwd`` (which it puts first on the import path)."""
    env = os.environ | {"COLUMNS": "400"}  # one line per contract, however long its name
    return subprocess.run(
        [sys.executable, "-c", _LINT_IMPORTS, "--no-cache", "--no-logo", *options],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def verdicts(output: str) -> dict[str, str]:
    """Contract id -> "KEPT" or "BROKEN", from the report."""
    by_name = {name: key for key, name in NAMES.items()}
    line = r"^(.+) (KEPT|BROKEN)(?: \(\d+ ignored imports?\))?$"
    found = re.findall(line, output, flags=re.MULTILINE)
    return {by_name[name]: verdict for name, verdict in found if name in by_name}


def test_the_project_keeps_its_import_contracts():
    result = lint_imports(ROOT)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert verdicts(output) == dict.fromkeys(NAMES, "KEPT"), output
    assert f"Contracts: {len(NAMES)} kept, 0 broken." in output, output
    # the whole package was looked at (the count includes the outside packages it imports)
    analyzed = int(re.search(r"Analyzed (\d+) files", output)[1])
    assert analyzed >= len(list((ROOT / "visualizer").rglob("*.py"))), output


def test_running_the_engine_loads_no_qt_module():
    """What the import graph cannot see: imports made at run time or inside the engine's
    own dependencies. A headless run of the engine must leave Qt unloaded."""
    code = (
        "import sys\n"
        "from visualizer.sim import scenario\n"
        "from visualizer.sim.simulation import Simulation\n"
        "from visualizer.sim.summary import summarize\n"
        "sim = Simulation(scenario.load('sticky-crash'))\n"
        "sim.advance(5)\n"
        "summarize(sim)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'pyqtgraph', 'shiboken6', 'PyQt5', 'PyQt6'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# A made-up package shaped like ours: the CLI and the UI on top, then the run layer, the
# lessons' specs and the engine at the bottom.
_OUTLINE = {
    "visualizer/__init__.py": "",
    "visualizer/atomic.py": "import os\n",
    "visualizer/cli/__init__.py": "from visualizer.cli.commands import main\n",
    "visualizer/cli/commands.py": (
        "import visualizer.ui.window\nimport visualizer.sim.engine\n"
        "from visualizer.cli import compare, settings, slides, common, outputs\nmain = object\n"
    ),
    "visualizer/cli/common.py": "import visualizer.cli.outputs\n",
    "visualizer/cli/outputs.py": "import os\n",
    "visualizer/sim/__init__.py": "",
    "visualizer/sim/engine.py": "import simpy\nimport visualizer.sim.config\n",
    "visualizer/sim/config.py": "import dataclasses\n",
    "visualizer/ui/__init__.py": "",
    "visualizer/ui/window.py": "import PySide6\nimport pyqtgraph\nimport visualizer.sim.engine\n",
}
PACKAGE = (
    _OUTLINE
    | {
        "visualizer/app/__init__.py": "from visualizer.app.run import Run\n",
        "visualizer/app/run.py": (
            "import visualizer.sim.simulation\nimport visualizer.lessons\nRun = object\n"
        ),
        "visualizer/cli/compare.py": "import visualizer.app.run\nimport visualizer.cli.common\n",
        "visualizer/cli/settings.py": "import visualizer.sim.config\n",
        "visualizer/cli/slides.py": "import visualizer.ui.window\nimport visualizer.cli.outputs\n",
        "visualizer/sim/simulation.py": "import visualizer.sim.engine\n",
        "visualizer/sim/summary.py": "import visualizer.sim.engine\n",
        "visualizer/lessons/__init__.py": "from visualizer.lessons.toy import SPEC\n",
        "visualizer/lessons/toy.py": "import visualizer.sim.config\nSPEC = object\n",
        "visualizer/ui/window.py": "import PySide6\nimport visualizer.app.run\n",
        "visualizer/ui/lesson/__init__.py": "",
        "visualizer/ui/lesson/views.py": (
            "import visualizer.sim.config\nimport visualizer.ui.colors\n"
        ),
        "visualizer/ui/colors.py": "import visualizer.sim.config\n",
        "visualizer/ui/theme.py": "import PySide6\nimport visualizer.ui.colors\n",
        "visualizer/ui/canvas/__init__.py": "",
        "visualizer/ui/canvas/scene.py": "import PySide6\nimport visualizer.ui.colors\n",
        "visualizer/sim/routing/__init__.py": "",
        **{  # the engine's other internals
            f"visualizer/sim/{name}": "import visualizer.sim.config\n"
            for name in (
                "requests.py",
                "traffic.py",
                "fleet.py",
                "nodes.py",
                "sampler.py",
                "rng.py",
                "clock.py",
                "state/__init__.py",
                "lessons/__init__.py",
            )
        },
        "visualizer/sim/routing/strategies.py": "import visualizer.sim.config\n",
        "visualizer/app/words.py": "import visualizer.sim.routing.strategies\n",
    }
    | {  # each lesson a package: its facts, and its views on the UI's Qt-free view parts
        f"visualizer/lessons/{name}/{module}": text
        for name in ("sessions", "counter", "auth", "realtime", "services")
        for module, text in (
            ("__init__.py", ""),
            ("facts.py", "import visualizer.sim.config\n"),
            (
                "view.py",
                f"import visualizer.ui.lesson.views\nimport visualizer.lessons.{name}.facts\n",
            ),
        )
    }
)


def write_package(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    shutil.copy(PYPROJECT, folder / "pyproject.toml")  # the project's own contracts


def test_a_package_that_follows_the_rules_keeps_every_contract(tmp_path):
    write_package(tmp_path, PACKAGE)
    result = lint_imports(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert verdicts(output) == dict.fromkeys(NAMES, "KEPT"), output


BREAKS = {
    "engine imports Qt": (
        PACKAGE | {"visualizer/sim/engine.py": "import simpy\nimport PySide6.QtCore\n"},
        {"engine-headless", "run-layer-headless"},  # the run layer imports the engine
    ),
    "engine imports Qt through another module": (
        PACKAGE
        | {
            "visualizer/sim/config.py": "import visualizer.atomic\n",
            "visualizer/atomic.py": "from shiboken6 import isValid\n",
        },
        # the run layer imports the engine, a lesson's spec and views its config
        {"engine-headless", "run-layer-headless", "lesson-specs-headless", "lesson-views-headless"},
    ),
    "engine imports pyqtgraph inside a function": (
        PACKAGE
        | {"visualizer/sim/config.py": "def plot():\n    import pyqtgraph\n    return pyqtgraph\n"},
        {"engine-headless", "run-layer-headless", "lesson-specs-headless", "lesson-views-headless"},
    ),
    "engine imports the UI": (
        PACKAGE | {"visualizer/sim/engine.py": "from visualizer.ui import window\n"},
        {"engine-headless", "run-layer-headless", "layers"},
    ),
    "engine imports the CLI": (
        PACKAGE | {"visualizer/sim/engine.py": "from visualizer import cli\n"},
        # and through the CLI, the UI; and a command, through the run layer and the
        # engine, reaches the CLI's dispatcher
        {"engine-headless", "run-layer-headless", "layers", "cli-no-cycle"},
    ),
    "engine imports the run layer": (
        PACKAGE | {"visualizer/sim/config.py": "import visualizer.app\n"},
        {"engine-headless", "lesson-specs-headless", "layers"},
    ),
    "run layer imports Qt in its __init__": (
        PACKAGE | {"visualizer/app/__init__.py": "import PySide6\n"},
        {"run-layer-headless"},
    ),
    "run layer module imports pyqtgraph": (
        PACKAGE | {"visualizer/app/run.py": "import pyqtgraph\nRun = object\n"},
        {"run-layer-headless"},
    ),
    "a lesson's spec imports Qt": (
        PACKAGE | {"visualizer/lessons/toy.py": "import PySide6.QtGui\nSPEC = object\n"},
        {"lesson-specs-headless", "run-layer-headless"},  # the run layer imports the specs
    ),
    "a lesson's spec imports the run layer": (
        PACKAGE | {"visualizer/lessons/toy.py": "import visualizer.app.run\nSPEC = object\n"},
        {"lesson-specs-headless", "layers"},
    ),
    "engine imports a lesson's spec": (
        PACKAGE | {"visualizer/sim/engine.py": "import simpy\nimport visualizer.lessons.toy\n"},
        {"layers"},
    ),
    "the CLI builds the engine itself": (
        PACKAGE | {"visualizer/cli/compare.py": "from visualizer.sim.simulation import x\n"},
        {"one-engine-door"},
    ),
    "the slides command sums up a run itself": (
        PACKAGE | {"visualizer/cli/slides.py": "import visualizer.sim.summary\n"},
        {"one-engine-door"},
    ),
    "the UI sums up a run itself": (
        PACKAGE | {"visualizer/ui/window.py": "import PySide6\nimport visualizer.sim.summary\n"},
        {"one-engine-door", "ui-reads-runs"},
    ),
    "a command imports the CLI's dispatcher": (
        PACKAGE | {"visualizer/cli/slides.py": "from visualizer.cli import commands\n"},
        {"cli-no-cycle"},
    ),
    "the CLI's shared module imports a command": (
        PACKAGE | {"visualizer/cli/common.py": "import visualizer.cli.compare\n"},
        {"cli-no-cycle"},
    ),
    "a lesson's view imports Qt": (
        PACKAGE | {"visualizer/lessons/auth/view.py": "import PySide6.QtGui\n"},
        {"lesson-views-headless", "lesson-specs-headless"},
    ),
    "a lesson's view reads another lesson's facts": (
        PACKAGE | {"visualizer/lessons/auth/view.py": "import visualizer.lessons.counter.facts\n"},
        {"lessons-apart"},
    ),
    "a lesson's facts import the UI": (
        PACKAGE | {"visualizer/lessons/auth/facts.py": "import visualizer.ui.lesson.views\n"},
        {"lesson-specs-headless", "layers"},
    ),
    "the canvas imports the Qt theme": (
        PACKAGE | {"visualizer/ui/canvas/scene.py": "import visualizer.ui.theme\n"},
        {"canvas-colours"},
    ),
    "a lesson's view imports the Qt theme": (
        PACKAGE | {"visualizer/lessons/auth/view.py": "import visualizer.ui.theme\n"},
        # (and through it Qt; the view's own import of the UI is allowed)
        {"canvas-colours", "lesson-views-headless"},
    ),
    "the UI routes requests itself": (
        PACKAGE
        | {"visualizer/ui/window.py": "import PySide6\nimport visualizer.sim.routing.strategies\n"},
        {"ui-reads-runs"},
    ),
    "run layer imports the UI": (
        PACKAGE | {"visualizer/app/run.py": "from visualizer.ui.window import View\n"},
        {"run-layer-headless", "layers"},
    ),
}


@pytest.mark.parametrize(("files", "broken"), BREAKS.values(), ids=BREAKS.keys())
def test_each_forbidden_import_breaks_its_contract(tmp_path, files, broken):
    write_package(tmp_path, files)
    result = lint_imports(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    expected = {key: "BROKEN" if key in broken else "KEPT" for key in NAMES}
    assert verdicts(output) == expected, output
