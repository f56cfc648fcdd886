"""The slide deck out of the window: every preset with a slide number, rendered offscreen
as presenter mode shows it at the moment its story shows (``scenario.moment_s``), a
contact sheet of them all and a handout PDF with the title and speaker notes of each.

Rendering and saving are separate steps, as in ``export``: ``render_slide`` returns an
image, ``contact_sheet`` an image, ``handout_pdf`` the PDF's bytes; the command writes
them atomically.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextOption,
)
from PySide6.QtWidgets import QApplication

from visualizer.sim import scenario
from visualizer.sim.config import Config
from visualizer.ui.canvas.view import CanvasView
from visualizer.ui.colors import Theme
from visualizer.ui.window.main_window import MainWindow

#: Without ``moment_s``: this long after the last scheduled command, or the end of the run.
AFTER_LAST_FAULT_S = 5.0
#: Contact sheet: thumbnails across, their width, the room around and the label's lines.
SHEET_COLUMNS = 4
THUMB_WIDTH = 320
SHEET_GAP = 16
LABEL_PX = 13


@dataclass(frozen=True)
class SlideInfo:
    """A slide: its number in the teaching order (what the presenter bar shows), its
    preset's name, title and speaker notes."""

    number: int
    name: str
    title: str
    notes: str

    @property
    def file_name(self) -> str:
        return f"{self.number:02d}-{self.name}.png"


@dataclass(frozen=True)
class Slide:
    info: SlideInfo
    image: QImage
    moment_s: float


def deck() -> list[SlideInfo]:
    """Every preset with a slide number, in teaching order, numbered as the bar does."""
    out = []
    for number, preset in enumerate((p for p in scenario.list_presets() if p.slide), start=1):
        config = scenario.load_file(preset.path)
        out.append(SlideInfo(number, preset.name, config.scenario.title, config.scenario.notes))
    return out


def pick(slides: Sequence[SlideInfo], wanted: Sequence[str]) -> list[SlideInfo]:
    """The slides ``wanted`` names (a preset's name or a slide's number), in teaching
    order, each once; ``ValueError`` naming the first that is neither."""
    by_name = {s.name: s for s in slides}
    by_number = {str(s.number): s for s in slides}
    chosen: set[str] = set()
    for word in wanted:
        key = word.strip()
        slide = by_name.get(key) or by_number.get(key.lstrip("0") or "0")
        if slide is None:
            raise ValueError(word)
        chosen.add(slide.name)
    return [s for s in slides if s.name in chosen]


def story_moment(config: Config) -> float:
    """When the slide's story shows: ``scenario.moment_s``; if 0, a few seconds after the
    last scheduled command (either side's, in a comparison), else the end of the run;
    never later than the run's duration."""
    s = config.scenario
    if s.moment_s > 0:
        return min(s.moment_s, s.duration_s)
    faults = list(config.faults)
    if config.compare is not None:
        faults += [*config.compare.only_a, *config.compare.only_b]
    if not faults:
        return s.duration_s
    return min(max(f.at_s for f in faults) + AFTER_LAST_FAULT_S, s.duration_s)


def settle(window: MainWindow, size: QSize) -> None:
    """The window at ``size`` with everything laid out: the presenter's plots band
    follows a resize at the next event, and the layout follows the texts."""
    app = QApplication.instance()
    for _ in range(4):
        if window.isFullScreen() or window.isMaximized():
            window.showNormal()  # the offscreen screen is not the slide's size
        if window.size() != size:
            window.resize(size)
        app.processEvents()
        window.presenter.fit()
        app.processEvents()
        window.redraw()
        app.processEvents()


def render_slide(window: MainWindow, info: SlideInfo, size: QSize) -> Slide:
    """``info``'s preset, opened as PageDown opens it in presenter mode (a comparison
    with both sides), run to its story's moment and rendered at ``size``."""
    if not window.presenter.active:
        window.presenter.enter()
    window.open_preset(info.name)
    window.presenter.notes.hide()
    window.presenter.plots_view = "preset"
    window.presenter._arrange()  # the slide's own plots, as PageDown shows them
    window.driver.stop()  # frames are driven here, not by the window's timer
    moment = story_moment(window.driver.config)
    settle(window, size)
    window.driver.step(moment)
    window.refresh_plots()
    laid_out = size
    for _ in range(3):
        settle(window, laid_out)
        if window.size() == laid_out:
            break
        laid_out = room_for(window, size)
    image = _picture(window)
    if image.size() != size:  # laid out larger than the window's smallest, then shrunk
        image = image.scaled(
            size,
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    return Slide(info, image, moment)


def _picture(window: MainWindow) -> QImage:
    """The window as a file shows it: as export does, without the on-screen notices (the
    pause banner, what a click does), which a slide on paper cannot act on."""
    view = window.compare_view()
    views = view.findChildren(CanvasView) if view is not None else [window.canvas]
    with ExitStack() as stack:
        for canvas in views:
            stack.enter_context(canvas.topology.for_export())
        return window.window_image()


def room_for(window: MainWindow, size: QSize) -> QSize:
    """``size`` grown, in its proportions, until the window's layout fits in it: a slide
    smaller than the smallest window is rendered at that and scaled down to its size."""
    need = window.minimumSizeHint().expandedTo(window.minimumSize()).expandedTo(window.size())
    k = max(1.0, need.width() / size.width(), need.height() / size.height())
    return QSize(math.ceil(size.width() * k), math.ceil(size.height() * k))


def render_deck(
    window: MainWindow,
    slides: Sequence[SlideInfo],
    size: QSize,
    starting: Callable[[SlideInfo], None] = lambda info: None,
) -> Iterator[Slide]:
    """Each slide in turn (``starting`` is called before each, for progress)."""
    for info in slides:
        starting(info)
        yield render_slide(window, info, size)


def _label_font(px: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(round(px))
    font.setBold(bold)
    return font


def contact_sheet(slides: Sequence[Slide], theme: Theme) -> QImage:
    """Thumbnails in a grid, the number and title under each (the title cut to its width)."""
    if not slides:
        raise ValueError("no slides")
    first = slides[0].image
    thumb_h = round(THUMB_WIDTH * first.height() / max(1, first.width()))
    label_h = round(LABEL_PX * 1.5 * 2)  # two lines of title
    columns = min(SHEET_COLUMNS, len(slides))
    rows = -(-len(slides) // columns)
    cell_w, cell_h = THUMB_WIDTH + SHEET_GAP, thumb_h + label_h + SHEET_GAP
    sheet = QImage(
        columns * cell_w + SHEET_GAP, rows * cell_h + SHEET_GAP, QImage.Format.Format_RGB32
    )
    sheet.fill(QColor(theme.canvas))
    painter = QPainter(sheet)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    for k, slide in enumerate(slides):
        x = SHEET_GAP + (k % columns) * cell_w
        y = SHEET_GAP + (k // columns) * cell_h
        target = QRectF(x, y, THUMB_WIDTH, thumb_h)
        painter.drawImage(target, slide.image)
        painter.setPen(QColor(theme.card_border))
        painter.drawRect(target)
        painter.setPen(QColor(theme.text))
        painter.setFont(_label_font(LABEL_PX))
        text = f"{slide.info.number}. {slide.info.title}"
        room = QRectF(x, y + thumb_h + 4, THUMB_WIDTH, label_h - 4)
        _draw_wrapped(painter, room, text)
    painter.end()
    return sheet


def _draw_wrapped(painter: QPainter, room: QRectF, text: str) -> None:
    """``text`` wrapped into ``room``; what does not fit ends in an ellipsis."""
    metrics = QFontMetricsF(painter.font())
    lines = max(1, int(room.height() // metrics.lineSpacing()))
    words, out, line = text.split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if metrics.horizontalAdvance(trial) <= room.width() or not line:
            line = trial
        else:
            out.append(line)
            line = word
    out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = metrics.elidedText(out[-1] + " …", Qt.TextElideMode.ElideRight, room.width())
        if not out[-1].endswith("…"):
            out[-1] = out[-1].rstrip(" …") + "…"
    for k, text_line in enumerate(out):
        if metrics.horizontalAdvance(text_line) > room.width():
            text_line = metrics.elidedText(text_line, Qt.TextElideMode.ElideRight, room.width())
        baseline = room.top() + metrics.ascent() + k * metrics.lineSpacing()
        painter.drawText(room.left(), baseline, text_line)


def handout_pdf(slides: Sequence[Slide], title: str = "Request Routing Visualizer") -> bytes:
    """One A4 landscape page a slide: the picture, then its number and title, then its
    speaker notes."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title)
    writer.setCreator("Request Routing Visualizer")
    writer.setResolution(150)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape,
            QMarginsF(12, 12, 12, 12),
            QPageLayout.Unit.Millimeter,
        )
    )
    painter = QPainter(writer)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    page = QRectF(painter.viewport())
    dpi = writer.resolution()
    for k, slide in enumerate(slides):
        if k:
            writer.newPage()
        _handout_page(painter, page, slide, dpi)
    painter.end()
    buffer.close()
    return bytes(data.data())


def _handout_page(painter: QPainter, page: QRectF, slide: Slide, dpi: int) -> None:
    points = dpi / 72.0  # device pixels a typographic point
    image = slide.image
    # the picture takes the page's width, or 62% of its height, whichever is less
    scale = min(page.width() / image.width(), page.height() * 0.62 / image.height())
    w, h = image.width() * scale, image.height() * scale
    picture = QRectF(page.left() + (page.width() - w) / 2, page.top(), w, h)
    painter.drawImage(picture, image)
    painter.setPen(QColor("#B9BEC7"))
    painter.drawRect(picture)
    painter.setPen(QColor("#16181C"))
    top = picture.bottom() + 10 * points
    heading = QFont()
    heading.setPixelSize(round(15 * points))
    heading.setBold(True)
    painter.setFont(heading)
    line = QFontMetricsF(heading).lineSpacing()
    head = f"{slide.info.number}. {slide.info.title}"
    painter.drawText(QRectF(page.left(), top, page.width(), line * 2), _wrap_flags(), head)
    used = painter.boundingRect(
        QRectF(page.left(), top, page.width(), line * 2), _wrap_flags(), head
    )
    top = used.bottom() + 4 * points
    small = QFont()
    small.setPixelSize(round(9 * points))
    painter.setFont(small)
    painter.setPen(QColor("#5B616B"))
    moment = f"{slide.info.name}, at {slide.moment_s:,.0f} s"
    painter.drawText(QRectF(page.left(), top, page.width(), line), moment)
    top += QFontMetricsF(small).lineSpacing() + 6 * points
    body = QFont()
    body.setPixelSize(round(11.5 * points))
    painter.setFont(body)
    painter.setPen(QColor("#16181C"))
    notes = slide.info.notes or "(no speaker notes)"
    room = QRectF(page.left(), top, page.width(), page.bottom() - top)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    painter.drawText(room, notes, option)


def _wrap_flags() -> int:
    return int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft)
