"""The engine stays free of Qt: it must run headless and be testable without a display."""

import ast
import subprocess
import sys
from pathlib import Path

import visualizer.sim

SIM_DIR = Path(visualizer.sim.__file__).parent
FORBIDDEN = ("PySide6", "pyqtgraph", "shiboken6", "PyQt5", "PyQt6", "visualizer.ui")


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_no_engine_module_imports_qt_or_the_ui():
    files = sorted(SIM_DIR.rglob("*.py"))
    assert len(files) >= 8
    offenders = [
        f"{path.name}: {name}"
        for path in files
        for name in _imports(path)
        if name.split(".")[0] in FORBIDDEN or name.startswith("visualizer.ui")
    ]
    assert offenders == []


def test_running_the_engine_loads_no_qt_module():
    code = (
        "import sys\n"
        "from visualizer.sim import scenario\n"
        "from visualizer.sim.simulation import Simulation\n"
        "from visualizer.sim.summary import summarize\n"
        "sim = Simulation(scenario.load('sticky-crash'))\n"
        "sim.advance(5)\n"
        "summarize(sim)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'pyqtgraph', 'shiboken6'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
