"""``visualizer slides``: the slide deck as pictures, without a window.

Every preset with a slide number, in teaching order, opened as presenter mode opens it
(a comparison with both sides), run to the moment its story shows (``scenario.moment_s``)
and written as ``NN-name.png``; then ``index.png``, a contact sheet of them all, and with
``--pdf`` ``slides.pdf``, a handout: one slide a page with its title and speaker notes.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

from visualizer.cli import common, outputs

COMMAND = "slides"
THEME_NAMES = ("light", "dark", "contrast")
#: The smallest and largest slides, (width, height): a phone's landscape screen to 4K.
MIN_SIZE = (640, 360)
MAX_SIZE = (3840, 2160)


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        COMMAND,
        help="render every slide as presenter mode shows it, a contact sheet and a handout",
        description="Render every preset with a slide number, in teaching order, as "
        "presenter mode shows it at the moment its story shows (the preset's "
        "scenario.moment_s), without showing a window. Writes NN-name.png for each slide "
        "(NN: its number), index.png (every slide small, with its number and title) and, "
        "with --pdf, slides.pdf (one slide a page with its title and speaker notes).",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="folder (created if needed)")
    p.add_argument(
        "--size",
        type=_size,
        default=(1280, 720),
        metavar="WxH",
        help=f"slide size in pixels, {_wxh(MIN_SIZE)} to {_wxh(MAX_SIZE)} (default 1280x720)",
    )
    p.add_argument("--theme", choices=THEME_NAMES, default="light", help="colours (default light)")
    p.add_argument("--pdf", action="store_true", help="also write the handout slides.pdf")
    p.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME|N[,...]",
        help="only these slides, by preset name or slide number, e.g. --only 1,compare-crash "
        "(repeatable)",
    )


def _wxh(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def _size(text: str) -> tuple[int, int]:
    """``--size``: ``WxH`` (``x``, ``X`` or ``×``), each within the allowed range."""
    match = re.fullmatch(r"\s*(\d{1,6})\s*[xX×]\s*(\d{1,6})\s*", text)
    if match is None:
        raise argparse.ArgumentTypeError(
            f"{common.quoted(text)} is not a size; write it as WxH, e.g. 1280x720"
        )
    w, h = int(match.group(1)), int(match.group(2))
    (lo_w, lo_h), (hi_w, hi_h) = MIN_SIZE, MAX_SIZE
    if not (lo_w <= w <= hi_w and lo_h <= h <= hi_h):
        raise argparse.ArgumentTypeError(
            f"{w}x{h} is out of range; a slide is {lo_w} to {hi_w} pixels wide and "
            f"{lo_h} to {hi_h} high"
        )
    return w, h


def _chosen(args: argparse.Namespace) -> list[Any]:
    from visualizer.ui.export.slides import deck, pick

    slides = deck()
    wanted = [word for value in args.only for word in value.split(",") if word.strip()]
    if not wanted:
        if args.only:
            raise outputs.UsageError(f"visualizer {COMMAND}: --only names no slide")
        return slides
    try:
        return pick(slides, wanted)
    except ValueError as exc:
        raise outputs.UsageError(
            f"visualizer {COMMAND}: --only: {common.quoted(str(exc).strip())} is neither a "
            f"slide's preset nor its number (1 to {len(slides)}; see visualizer scenarios)"
        ) from None


def run(args: argparse.Namespace) -> int:
    from visualizer.offscreen import offscreen_platform

    os.environ["QT_QPA_PLATFORM"] = offscreen_platform()  # never show a window
    from PySide6.QtCore import QSize

    from visualizer.sim import scenario
    from visualizer.ui.export.render import ExportError, image_png, save, writable_folder

    chosen = _chosen(args)
    try:
        folder = writable_folder(args.out)
    except ExportError as exc:
        raise outputs.UsageError(f"visualizer {COMMAND}: --out {args.out}: {exc}") from None
    from visualizer.ui.export.slides import contact_sheet, handout_pdf, render_deck
    from visualizer.ui.theme import theme_named
    from visualizer.ui.window.app import build_window, make_app

    size = QSize(*args.size)
    progress = _Progress(len(chosen))
    written: list[Path] = []
    with common.without_platform_notices():
        app = make_app()
        window = build_window(
            scenario.load(chosen[0].name), theme_named(args.theme), remember=False
        )
        try:
            window.resize(size)
            window.show()
            app.processEvents()
            window.load_plots()
            window.driver.stop()  # frames are driven here, not by the window's timer
            slides = []
            try:
                for slide in render_deck(window, chosen, size, progress.before):
                    name = slide.info.file_name
                    written.append(save(folder / name, image_png(slide.image), own_name=True))
                    slides.append(slide)
                progress.say("contact sheet…")
                sheet = contact_sheet(slides, window.theme)
                written.append(save(folder / "index.png", image_png(sheet), own_name=True))
                if args.pdf:
                    progress.say("handout…")
                    pdf = handout_pdf(slides)
                    written.append(save(folder / "slides.pdf", pdf, own_name=True))
            except ExportError as exc:
                progress.clear()
                print(f"visualizer: error: {exc}", file=sys.stderr)
                return common.EXIT_FAILURE
        finally:
            progress.clear()
            window.close()
            window.settings.close()  # its throwaway folder in the temp dir, even on Ctrl+C
    common.write_out(sys.stdout, "".join(f"{common.printable(str(path))}\n" for path in written))
    return common.EXIT_OK


class _Progress:
    """On a terminal, one line on stderr saying which slide is being rendered."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.done = 0
        self.show = sys.stderr.isatty()
        self.shown = False
        self.started = time.monotonic()

    def before(self, info: Any) -> None:
        self.done += 1
        self.say(f"slide {self.done}/{self.count} {common.printable(info.name)}…")

    def say(self, text: str) -> None:
        if self.show:
            sys.stderr.write(f"\rrendering {text}".ljust(70)[:70])
            sys.stderr.flush()
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * 70 + "\r")
            sys.stderr.flush()
            self.shown = False
