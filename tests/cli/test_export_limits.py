"""``visualizer export``: limits checked before anything runs, and no settings folder
left behind in the temp dir, whichever way the command ends."""

from __future__ import annotations

import gc
import tempfile
from pathlib import Path

import pytest

from visualizer.cli import commands as cli
from visualizer.ui.export import actions as exporter
from visualizer.ui.window import app
from visualizer.ui.window.settings import AppSettings


@pytest.fixture
def no_window(monkeypatch):
    """Fail the test if the export gets as far as building its window."""

    def refuse(*args, **kwargs):
        raise AssertionError("the export started before its options were checked")

    monkeypatch.setattr(app, "build_window", refuse)


@pytest.fixture
def temp_dir(tmp_path, monkeypatch):
    """A private temp dir, to see what the command leaves there."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--at", "1e9", "at most 86,400"),
        ("--at", "86400.5", "at most 86,400"),
        ("--gif", "100", "at most 900 frames"),
        ("--gif", "1e9", "at most 900 frames"),
        ("--gif", "90", "at most 900 frames"),  # 90 s at 10 frames/s is 901 frames
    ],
)
def test_limits_are_checked_before_anything_runs(
    capsys, tmp_path, no_window, option, value, expected
):
    out = tmp_path / "out"
    argv = ["export", "sticky-crash", "--at", "5", "--out", str(out), option, value]
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and expected in err
    assert option in err and repr(value) in err
    assert not out.exists()


def test_the_longest_gif_passes_the_check(capsys, tmp_path, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt  # got past the checks: stop here

    monkeypatch.setattr(app, "build_window", interrupt)
    argv = ["export", "sticky-crash", "--at", "86400", "--out", str(tmp_path), "--gif", "89.9"]
    assert cli.main(argv) == 130


def test_throwaway_settings_remove_their_folder_when_closed(temp_dir):
    settings = AppSettings.throwaway()
    settings.theme = "dark"
    assert settings.theme == "dark"
    assert [p.name[:13] for p in temp_dir.iterdir()] == ["rrv-settings-"]
    settings.close()
    assert list(temp_dir.iterdir()) == []
    settings.close()  # twice is fine


def test_throwaway_settings_remove_their_folder_when_dropped(temp_dir):
    settings = AppSettings.throwaway()
    settings.theme = "dark"
    settings.sync()
    assert list(temp_dir.iterdir())
    del settings
    gc.collect()
    assert list(temp_dir.iterdir()) == []


def test_the_export_command_leaves_nothing_in_the_temp_dir(capsys, tmp_path, temp_dir, qapp):
    out = tmp_path / "out"
    assert cli.main(["export", "sticky-crash", "--at", "3", "--out", str(out)]) == 0
    assert (out / "window.png").is_file()
    assert list(temp_dir.iterdir()) == []


def test_ctrl_c_during_an_export_leaves_nothing_in_the_temp_dir(
    capsys, tmp_path, temp_dir, qapp, monkeypatch
):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(exporter, "write_bundle", interrupt)
    out = tmp_path / "out"
    assert cli.main(["export", "sticky-crash", "--at", "3", "--out", str(out)]) == 130
    assert list(temp_dir.iterdir()) == []
    assert not list(Path(out).glob("*.png"))
