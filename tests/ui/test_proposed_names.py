"""The file names the Save and Export dialogs propose take the scenario's name as a stem
only: a name from a shared file must not choose the folder (``/some/dir/evil``)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from visualizer.ui.export import actions as exporter
from visualizer.ui.export.render import STEM_CHARS, file_stem
from visualizer.ui.window import scenario_files


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("sticky-crash", "sticky-crash"),
        ("/some/dir/evil", "some-dir-evil"),
        ("../../etc/cron.d/x", "etc-cron.d-x"),
        ("..", "scenario"),
        (".hidden", "hidden"),
        ("~root", "root"),
        ("a\x1b[31mb", "a-[31mb"),
        ("C:\\Windows\\x", "C-Windows-x"),
        ("left\u202eright", "leftright"),  # a bidirectional override turns names around
        ("", "scenario"),
        ("café ✓", "café ✓"),
    ],
)
def test_a_name_becomes_a_plain_file_stem(name, stem):
    assert file_stem(name) == stem


def test_a_long_name_is_cut():
    assert file_stem("x" * 500) == "x" * STEM_CHARS


class _Dialog:
    """QFileDialog as the dialogs call it: records where each would have opened."""

    asked: ClassVar[list[str]] = []

    @staticmethod
    def getSaveFileName(parent, title, start, filters):
        _Dialog.asked.append(start)
        return "", ""


def test_save_and_export_propose_names_in_the_folder_they_remember(
    open_window, tmp_path, monkeypatch
):
    window = open_window("sticky-crash")
    evil = tmp_path / "evil.toml"
    evil.write_text('[scenario]\nname = "/some/dir/evil"\n')
    assert window.files.open_path(evil)
    assert window.driver.config.scenario.name == "/some/dir/evil"
    _Dialog.asked = []
    monkeypatch.setattr(scenario_files, "QFileDialog", _Dialog)
    monkeypatch.setattr(exporter, "QFileDialog", _Dialog)
    (tmp_path / "exports").mkdir()
    window.settings.export_folder = str(tmp_path / "exports")

    assert window.files.save_dialog() is None  # Ctrl+S
    assert window.exporter.export_one("summary_json") == []  # Export one
    assert window.exporter.export_plot(0, "png") == []  # a plot's right-click menu
    window.exporter.start_recording("canvas", 10.0)  # Ctrl+Shift+R, then again
    window.driver.play()
    for _ in range(4):
        window.driver.tick(0.05)
    assert window.exporter.stop_recording() is None

    save, one, plot, clip = (Path(p) for p in _Dialog.asked)
    assert save == tmp_path / "some-dir-evil-session.toml"  # the recent file's folder
    exports = tmp_path / "exports"
    assert one == exports / "some-dir-evil-summary.json"
    assert plot.parent == exports and plot.name.startswith("some-dir-evil-plot-")
    assert clip == exports / "some-dir-evil.gif"
