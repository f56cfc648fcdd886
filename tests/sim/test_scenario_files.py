"""Scenario files that are not what they seem: pipes, devices, folders, loops, huge or
empty files, deep nesting, a BOM; and text that must survive ``to_toml``."""

from __future__ import annotations

import dataclasses
import os
import threading
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from visualizer.cli import commands as cli
from visualizer.sim import scenario
from visualizer.sim.schema import ConfigError

MB = 1_000_000


@contextmanager
def unblocked(fifo: Path, after: float = 5.0) -> Iterator[None]:
    """If a reader is still stuck opening ``fifo`` after a while, open it for writing and
    close it at once, so a reader that should never have waited gets EOF instead of
    hanging the test run."""
    done = threading.Event()

    def watch() -> None:
        if done.wait(after):
            return
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # nobody is reading: nothing to unblock
            return
        os.close(fd)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


def error_of(path: Path | str) -> str:
    """The ConfigError both ways in: by name (CLI) and by path (the window's Open)."""
    with pytest.raises(ConfigError) as by_name:
        scenario.load(str(path))
    with pytest.raises(ConfigError) as by_path:
        scenario.load_file(Path(path))
    for exc in (by_name, by_path):
        message = str(exc.value)
        assert "\n" not in message and str(path) in message
    return str(by_path.value)


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "x.toml"
    os.mkfifo(fifo)
    started = time.monotonic()
    with unblocked(fifo):
        message = error_of(fifo)
    assert time.monotonic() - started < 2.0
    assert "is a named pipe (FIFO)" in message


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_a_link_to_a_device_is_refused(tmp_path, device):
    if not Path(device).exists():
        pytest.skip(f"this system has no {device}")
    link = tmp_path / "x.toml"
    link.symlink_to(device)
    assert "is a device" in error_of(link)


def test_a_folder_is_refused_as_a_folder(tmp_path):
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    assert "is a folder" in error_of(folder)
    assert "is a folder" in error_of(tmp_path)


def test_a_symlink_loop_is_refused_as_a_loop(tmp_path):
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.symlink_to(b)
    b.symlink_to(a)
    assert "is a symbolic link loop" in error_of(a)


def test_a_missing_file_is_still_a_missing_file(tmp_path):
    assert "no such scenario file" in error_of(tmp_path / "gone.toml")


def test_an_unknown_user_folder_is_a_missing_file():
    with pytest.raises(ConfigError, match="no such scenario file"):
        scenario.load("~nosuchuser-rrv/x.toml")


@pytest.fixture
def never_parsed(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a file over the size limit was parsed")

    monkeypatch.setattr(tomllib, "loads", refuse)


def test_a_huge_file_is_refused_by_its_size_unread(tmp_path, never_parsed):
    path = tmp_path / "huge.toml"
    with path.open("wb") as fh:  # 300 MB, sparse: costs no disk
        fh.truncate(300 * MB)
    message = error_of(path)
    assert "300.0 MB" in message and "at most 1 MB" in message
    assert len(message) < 200


def test_a_file_with_a_long_string_is_refused_and_not_echoed(tmp_path, never_parsed):
    path = tmp_path / "long.toml"
    path.write_text('[scenario]\ntitle = "' + "A" * (2 * MB) + '"\n')
    message = error_of(path)
    assert "2.0 MB" in message and "AAAA" not in message


def test_deep_nesting_is_a_config_error(tmp_path, capsys):
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * 100_000)
    assert "nested too deeply" in error_of(path)
    assert cli.main(["run", str(path)]) == 2
    assert "nested too deeply" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["", "\n\n   \n", "# just a comment\n\n# and another\n"])
def test_a_file_without_settings_is_refused_with_an_example(tmp_path, text):
    path = tmp_path / "empty.toml"
    path.write_text(text)
    message = error_of(path)
    assert "has no settings" in message and "[servers]" in message


def test_a_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf[servers]\ncount = 3\n")
    assert scenario.load_file(path).servers.count == 3


def test_a_bare_preset_name_wins_over_a_folder_or_file_of_that_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    preset = scenario.preset_path("sticky-crash")
    Path("sticky-crash").mkdir()
    Path("shared-store").write_text("not toml at all")
    assert scenario.resolve("sticky-crash") == preset
    assert scenario.load("shared-store") == scenario.load_file(scenario.preset_path("shared-store"))
    with pytest.raises(ConfigError, match="is a folder"):
        scenario.load("./sticky-crash")  # a path is a path


def test_a_bare_name_that_is_no_preset_can_still_be_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("mine").write_text("[servers]\ncount = 5\n")
    assert scenario.load("mine").servers.count == 5


# --- writing text back --------------------------------------------------------------------


EVERY_CONTROL = "".join(chr(c) for c in range(0x20)) + "\x7f\x80\x9f"


@pytest.mark.parametrize(
    "text",
    [
        EVERY_CONTROL,
        'bell \u0007, quote ", backslash \\, \\u0041 and \\n stay text',
        "line\nbreak\ttab\r\nend",
        "\u2028\u202e\U0001f600 é",
    ],
)
def test_to_toml_writes_any_text_as_valid_toml(text):
    base = scenario.load("sticky-crash")
    config = dataclasses.replace(
        base, scenario=dataclasses.replace(base.scenario, title=text, description=text)
    )
    data = tomllib.loads(scenario.to_toml(config))
    assert data["scenario"]["title"] == text and data["scenario"]["description"] == text


def test_a_saved_description_with_breaks_and_tabs_loads_back_equal(tmp_path):
    base = scenario.load("sticky-crash")
    config = dataclasses.replace(
        base,
        scenario=dataclasses.replace(
            base.scenario, title='"Quoted" \\ title', description='two\nlines\tand "quotes" \\'
        ),
    )
    path = tmp_path / "saved.toml"
    path.write_text(scenario.to_toml(config), encoding="utf-8")
    assert scenario.load_file(path) == config
