"""``visualizer export`` for publishing: stamps on request, wide plots, a window picture
without a stale frame rate, and no Qt platform noise on stderr."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from visualizer.cli import commands as cli
from visualizer.ui.window.main_window import MainWindow

SVG = "{http://www.w3.org/2000/svg}"
STAMP = "sticky-crash · seed 1 · t = 4.0 s"
NOTICE = "This plugin does not support"


def _texts(path) -> str:
    root = ET.parse(path).getroot()
    return " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


def _export(tmp_path, capsys, *options: str):
    out = tmp_path / "-".join(["out", *options])
    code = cli.main(["export", "sticky-crash", "--at", "4", "--out", str(out), *options])
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()
    return out


def _size(path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def _sizes(out):
    return {name: _size(out / name) for name in ("window.png", "plots.png")}


def test_the_stamp_options(tmp_path, capsys, qapp):
    default = _export(tmp_path, capsys)
    stamped = _export(tmp_path, capsys, "--stamp")
    bare = _export(tmp_path, capsys, "--no-stamp")
    sizes = {out: _sizes(out) for out in (default, stamped, bare)}
    # by default only the plots carry the stamp
    assert STAMP not in _texts(default / "canvas.svg")
    assert sizes[default]["window.png"] == sizes[bare]["window.png"]
    assert sizes[default]["plots.png"][1] > sizes[bare]["plots.png"][1]
    # --stamp: every picture, in a band under it
    assert STAMP in _texts(stamped / "canvas.svg")
    window_w, window_h = sizes[default]["window.png"]
    assert sizes[stamped]["window.png"][0] == window_w
    assert sizes[stamped]["window.png"][1] > window_h
    assert sizes[stamped]["plots.png"] == sizes[default]["plots.png"]
    (aw, ah), (bw, bh) = _size(stamped / "canvas.png"), _size(default / "canvas.png")
    assert aw == bw and ah > bh
    # --no-stamp: none
    assert STAMP not in _texts(bare / "canvas.svg")
    # the plots are laid out at least 1,600 px wide whatever the window gives them
    for out in (default, stamped, bare):
        assert sizes[out]["plots.png"][0] >= 1600


def test_stamp_options_parse(tmp_path):
    parser = cli.build_parser()
    base = ["export", "x", "--at", "1", "--out", str(tmp_path)]
    assert parser.parse_args(base).stamp is None
    assert parser.parse_args([*base, "--stamp"]).stamp is True
    assert parser.parse_args([*base, "--no-stamp"]).stamp is False


def test_the_window_picture_shows_no_frame_rate_of_a_paused_run(
    tmp_path, capsys, qapp, monkeypatch
):
    seen = []
    real = MainWindow.window_image

    def window_image(self):
        seen.append(self.status_labels["fps"].text())
        return real(self)

    monkeypatch.setattr(MainWindow, "window_image", window_image)
    _export(tmp_path, capsys)
    assert seen and "fps" not in seen[0]


def test_no_qt_platform_notices_on_stderr(tmp_path):
    out = tmp_path / "out"
    argv = ["export", "sticky-crash", "--at", "2", "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "visualizer", *argv],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert NOTICE not in done.stderr
    assert (out / "window.png").is_file()


def test_other_qt_messages_still_reach_stderr():
    script = textwrap.dedent(
        f"""
        from PySide6.QtCore import qWarning
        from visualizer.cli.common import without_platform_notices
        with without_platform_notices():
            qWarning("{NOTICE} raise()")
            qWarning("a message worth reading")
        qWarning("after the export")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert "a message worth reading" in lines
    assert "after the export" in lines  # Qt's own handler is back
    assert not any(NOTICE in line for line in lines)


@pytest.mark.parametrize("message", ["a message worth reading", f"quoted: {NOTICE} raise()"])
def test_the_filter_passes_others_to_the_handler_before_it(qtlog, message):
    from PySide6.QtCore import qDebug, qWarning

    with cli.without_platform_notices():
        qWarning(f"{NOTICE} propagateSizeHints()")  # as the offscreen platform says it
        qDebug(message)  # (a warning that got through would fail the test, by design)
    assert [r.message for r in qtlog.records] == [message]
