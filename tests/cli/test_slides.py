"""``visualizer slides``: the chosen slides as pictures at the asked size, a contact
sheet, a handout PDF of one page a slide, and bad options refused with exit code 2."""

from __future__ import annotations

import dataclasses
import re

import pytest
from PIL import Image

from tests.sim.helpers import config
from visualizer.cli import commands as cli
from visualizer.sim import scenario
from visualizer.sim.config import CompareSection, Fault, FaultAction
from visualizer.ui.export.slides import AFTER_LAST_FAULT_S, THUMB_WIDTH, story_moment


def _teaching_order() -> list[str]:
    return [p.name for p in scenario.list_presets() if p.slide]


def _size(path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def test_the_chosen_slides_a_contact_sheet_and_a_handout(tmp_path, capsys, qapp):
    order = _teaching_order()
    plain = order[0]
    compare = next(name for name in order if scenario.load(name).compare is not None)
    out = tmp_path / "deck"
    code = cli.main(
        ["slides", "--out", str(out), "--only", f"{compare},1", "--size", "800x450", "--pdf"]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    # named by their place in the teaching order, written in that order
    names = [f"{order.index(n) + 1:02d}-{n}.png" for n in sorted((plain, compare), key=order.index)]
    expected = [out / name for name in (*names, "index.png", "slides.pdf")]
    assert captured.out.splitlines() == [str(path) for path in expected]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in expected)
    for name in names:
        assert _size(out / name) == (800, 450), name
    # the contact sheet: two thumbnails side by side, each with its label under it
    sheet_w, sheet_h = _size(out / "index.png")
    thumb_h = THUMB_WIDTH * 450 // 800
    assert sheet_w > 2 * THUMB_WIDTH and sheet_h > thumb_h
    pdf = (out / "slides.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)) == len(names)


def test_a_compare_slide_shows_both_sides(tmp_path, capsys, qapp):
    """A compare preset opens as the window opens it: comparing, both canvases shown,
    in presenter mode, at the story's moment; a size below the window's smallest layout
    is rendered larger and scaled down to the size asked for."""
    from PySide6.QtCore import QSize

    from visualizer.ui.canvas.view import CanvasView
    from visualizer.ui.colors import LIGHT
    from visualizer.ui.export.slides import deck, render_slide
    from visualizer.ui.window.app import build_window

    def plots(info) -> list[str]:
        return scenario.load(info.name).scenario.plots.split()

    info = next(s for s in deck() if scenario.load(s.name).compare is not None)
    # before it, a slide with other plots, the one with the earliest moment
    others = [s for s in deck() if set(plots(s)) != set(plots(info))]
    before = min(others, key=lambda s: story_moment(scenario.load(s.name)))
    window = build_window(scenario.load(before.name), LIGHT, remember=False)
    try:
        window.show()
        render_slide(window, before, QSize(800, 450))
        banners: list[bool] = []  # the pause banner of each canvas, as pictured
        picture = window.window_image

        def pictured():
            banners.extend(v.topology.banner.isVisible() for v in window.findChildren(CanvasView))
            return picture()

        window.window_image = pictured
        slide = render_slide(window, info, QSize(800, 450))
        assert len(banners) >= 2 and not any(banners)  # a file shows no on-screen notices
        assert window.scene.banner.isVisible()  # the window's own, back
        shown = {p.name for p in window.plots.plots if p.isVisible()}
        assert shown == set(plots(info))  # the slide's plots, not the last slide's
        assert window.comparing.active and window.comparing.canvas.isVisible()
        assert window.presenter.active
        assert window.driver.now == pytest.approx(story_moment(window.driver.config))
        assert slide.image.size() == QSize(800, 450)
    finally:
        window.close()
        window.settings.close()


def test_the_story_moment():
    base = config(None, scenario__duration_s=100.0)
    assert story_moment(base) == 100.0  # no scheduled command: the end of the run
    crash = Fault(30.0, FaultAction.CRASH, "server-2")
    restart = Fault(20.0, FaultAction.RESTART, "server-2")
    faults = dataclasses.replace(base, faults=(crash, restart))
    assert story_moment(faults) == 30.0 + AFTER_LAST_FAULT_S  # after the last of them
    only_b = Fault(60.0, FaultAction.CRASH, "server-1")
    comparing = dataclasses.replace(faults, compare=CompareSection(only_b=(only_b,)))
    assert story_moment(comparing) == 60.0 + AFTER_LAST_FAULT_S  # either side's
    ending = Fault(99.0, FaultAction.CRASH, "server-1")
    assert story_moment(dataclasses.replace(base, faults=(ending,))) == 100.0
    assert story_moment(config(None, scenario__moment_s=42.0)) == 42.0  # the preset's
    late = config(None, scenario__duration_s=50.0, scenario__moment_s=80.0)
    assert story_moment(late) == 50.0  # never later than the run


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--size", "1280", "WxH"),
        ("--size", "100x100", "out of range"),
        ("--size", "5000x3000", "out of range"),
        ("--theme", "blue", "invalid choice"),
        ("--only", "no-such-slide", "neither a slide"),
        ("--only", "999", "neither a slide"),
    ],
)
def test_bad_options_exit_2_naming_the_option(tmp_path, capsys, option, value, words):
    out = tmp_path / "deck"
    code = cli.main(["slides", "--out", str(out), option, value])
    err = capsys.readouterr().err
    assert code == cli.EXIT_BAD_INPUT
    assert option in err and words in err and value in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()  # refused before anything is written


def test_an_out_that_is_a_file_exits_2(tmp_path, capsys):
    out = tmp_path / "file"
    out.write_text("mine")
    code = cli.main(["slides", "--out", str(out), "--only", "1"])
    err = capsys.readouterr().err
    assert code == cli.EXIT_BAD_INPUT and "--out" in err
    assert out.read_text() == "mine"
