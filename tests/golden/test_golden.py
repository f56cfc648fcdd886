"""Every preset's summary JSON, byte for byte: refactors must not change a number.

A deliberate change of numbers regenerates these files (``python -m tests.golden.update``)
in a commit of its own, with the theory tests still passing."""

from __future__ import annotations

import pytest

from tests.golden.update import FOLDER, golden_json
from visualizer.sim.scenario import list_presets


@pytest.mark.parametrize("name", [p.name for p in list_presets()])
def test_preset_summary_is_byte_identical_to_its_golden_file(name):
    expected = (FOLDER / f"{name}.json").read_text(encoding="utf-8")
    assert golden_json(name) == expected


def test_every_preset_has_a_golden_file():
    files = {p.stem for p in FOLDER.glob("*.json")}
    assert files == {p.name for p in list_presets()}
