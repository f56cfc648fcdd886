"""Rewrite the golden files: ``python -m tests.golden.update`` (only for a deliberate change
of numbers, in a commit of its own)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from visualizer.cli import commands as cli
from visualizer.sim.scenario import list_presets, load

FOLDER = Path(__file__).resolve().parent


def golden_json(name: str) -> str:
    """What ``visualizer run NAME --json -`` prints (``compare`` for a comparison)."""
    command = "compare" if load(name).compare is not None else "run"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main([command, name, "--json", "-"])
    assert code == 0, f"visualizer {command} {name} failed"
    return out.getvalue()


def main() -> None:
    for preset in list_presets():
        (FOLDER / f"{preset.name}.json").write_text(golden_json(preset.name), encoding="utf-8")
        print(f"wrote {preset.name}.json")


if __name__ == "__main__":
    main()
