"""Pictures and numbers out of the window: render to an image or SVG, then save atomically.

Rendering and saving are separate steps (as in pyqtgraph's exporters): ``render_*`` and
``*_svg`` return an image or bytes, ``save_*`` writes them via a temporary file and a
rename, so a failure never leaves half a file. pyqtgraph's own SVG exporter fails on
PySide6 ≥ 6.11, so SVG goes through ``QSvgGenerator`` for the canvas and the plots alike.

A picture can carry a ``Caption``: a line of small print in a band added under it
(scenario, seed and time on exports; the clock and the counters on recorded frames), so
it never covers what the picture shows.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QPointF, QRectF, QSize
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetricsF, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsView, QWidget

from visualizer.atomic import write_atomic
from visualizer.sim import table
from visualizer.sim.metrics import Sample

SCALES = (1, 2, 4)


class ExportError(Exception):
    """What failed and where, in words for a dialog or the command line."""


# --- rendering ------------------------------------------------------------------------


@contextmanager
def _uncached(scene: QGraphicsScene) -> Iterator[None]:
    """Items paint themselves (vector text and shapes) instead of their pixmap caches."""
    cached = [(item, item.cacheMode()) for item in scene.items()]
    for item, _ in cached:
        item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    try:
        yield
    finally:
        for item, mode in cached:
            item.setCacheMode(mode)


@contextmanager
def vector_views(widget: QWidget) -> Iterator[None]:
    """Every graphics view inside ``widget`` paints its items, not their pixmap caches
    (so an SVG of the compare view keeps text as text)."""
    with ExitStack() as stack:
        for view in widget.findChildren(QGraphicsView):
            scene = view.scene()
            if scene is not None:
                stack.enter_context(_uncached(scene))
        yield


def render_scene(scene: QGraphicsScene, scale: float = 1.0) -> QImage:
    """The whole scene at ``scale`` pixels per scene unit, on its background colour."""
    rect = scene.sceneRect()
    size = QSize(max(1, round(rect.width() * scale)), max(1, round(rect.height() * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(scene.backgroundBrush().color())
    painter = QPainter(image)
    painter.setRenderHints(
        QPainter.RenderHint.Antialiasing
        | QPainter.RenderHint.TextAntialiasing
        | QPainter.RenderHint.SmoothPixmapTransform
    )
    with _uncached(scene):
        scene.render(painter, QRectF(0, 0, size.width(), size.height()), rect)
    painter.end()
    return image


def scene_svg(scene: QGraphicsScene, title: str, caption: Caption | None = None) -> bytes:
    """The scene as SVG: labels stay text, shapes stay vector."""
    rect = scene.sceneRect()
    return _svg(
        title,
        QSize(round(rect.width()), round(rect.height())),
        rect,
        lambda p: _scene_onto(scene, p, rect),
        caption,
    )


def _scene_onto(scene: QGraphicsScene, painter: QPainter, rect: QRectF) -> None:
    painter.fillRect(rect, scene.backgroundBrush())
    with _uncached(scene):
        scene.render(painter, rect, rect)


@contextmanager
def laid_out_at(widget: QWidget, size: QSize | None) -> Iterator[None]:
    """``widget`` at ``size`` while the block runs (its layout and pyqtgraph's views
    follow at once), then back at its own size; no event is processed in between, so the
    window never shows the borrowed size. Meanwhile ``borrowed()`` is true: a widget that
    changes what it shows with its size keeps it (the picture shows what the window
    does, and the window gets back exactly what it had)."""
    old = widget.size()
    if size is None or size == old:
        yield
        return
    global _borrowed
    _borrowed += 1
    _resize(widget, size)
    try:
        yield
    finally:
        _resize(widget, old)
        _borrowed -= 1


_borrowed = 0


def borrowed() -> bool:
    """Whether a widget is laid out at a picture's size just now (``laid_out_at``)."""
    return _borrowed > 0


def _resize(widget: QWidget, size: QSize) -> None:
    widget.resize(size)
    layout = widget.layout()
    if layout is not None:
        layout.activate()  # children take their new geometry now, not at the next event


def render_widget(widget: QWidget, scale: float = 1.0, size: QSize | None = None) -> QImage:
    """A widget (the window, a plot, the plot panel) as it looks, at ``scale``; laid out
    at ``size`` (logical pixels) for the picture if given."""
    with laid_out_at(widget, size):
        size = widget.size()
        image = QImage(
            max(1, round(size.width() * scale)),
            max(1, round(size.height() * scale)),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        image.fill(widget.palette().window().color())
        painter = QPainter(image)
        painter.scale(scale, scale)
        _render_widget(widget, painter)
        painter.end()
    return image


def widget_svg(
    widget: QWidget, title: str, size: QSize | None = None, caption: Caption | None = None
) -> bytes:
    with laid_out_at(widget, size):
        size = widget.size()
        rect = QRectF(0, 0, size.width(), size.height())
        return _svg(title, size, rect, lambda painter: _render_widget(widget, painter), caption)


def _render_widget(widget: QWidget, painter: QPainter) -> None:
    """QWidget.render as a widget (graphics views override render() for their scene)."""
    scene = getattr(widget, "scene", None)
    prepare = getattr(scene() if callable(scene) else None, "prepareForPaint", None)
    if prepare is not None:  # pyqtgraph brings its items up to date before painting
        prepare()
    QWidget.render(widget, painter, QPoint(0, 0))


def _svg(
    title: str,
    size: QSize,
    view: QRectF,
    paint: Callable[[QPainter], None],
    caption: Caption | None = None,
) -> bytes:
    band = caption.height if caption is not None else 0
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(size.width(), size.height() + band))
    generator.setViewBox(view.adjusted(0, 0, 0, band))
    generator.setTitle(title)
    generator.setDescription("Request Routing Visualizer")
    painter = QPainter(generator)
    painter.save()
    paint(painter)
    painter.restore()
    if caption is not None:
        caption.paint(painter, QRectF(view.left(), view.bottom(), view.width(), band))
    painter.end()
    return _with_generic_families(bytes(buffer.data()))


#: Qt's names for the generic families, as CSS spells them.
_GENERIC_FAMILIES = {"sans serif": "sans-serif", "serif": "serif", "monospace": "monospace"}
_FONT_FAMILY = re.compile(rb'font-family="([^"]*)"')


def _with_generic_families(svg: bytes) -> bytes:
    """Every ``font-family`` ends with a CSS generic family (``DejaVu Sans`` becomes
    ``'DejaVu Sans', sans-serif``), so a reader without our font gets a sans-serif face,
    not the browser's default serif; Qt's own ``Sans Serif`` becomes ``sans-serif``."""
    names: dict[bytes, bytes] = {}

    def fix(match: re.Match[bytes]) -> bytes:
        family = match.group(1)
        if family not in names:
            text = family.decode("utf-8", "replace").strip()
            generic = _GENERIC_FAMILIES.get(text.lower())
            if generic is None and text and "'" not in text and "," not in text:
                fixed = QFontDatabase.isFixedPitch(text)
                generic = f"'{text}', {'monospace' if fixed else 'sans-serif'}"
            names[family] = generic.encode() if generic else family
        return b'font-family="' + names[family] + b'"'

    return _FONT_FAMILY.sub(fix, svg)


# --- captions -------------------------------------------------------------------------------

#: One piece of a caption: (text, colour, bold).
Run = tuple[str, str, bool]


@dataclass(frozen=True)
class Caption:
    """Small print in a band under a picture: runs of text at its left and right ends.

    ``size`` is the text height in the picture's own units (pixels of a PNG, user units
    of an SVG); the band is a little under twice that. Text too long for the width is
    made smaller, never cut."""

    left: tuple[Run, ...] = ()
    right: tuple[Run, ...] = ()
    background: str = "#FFFFFF"
    size: float = 12.0

    @property
    def height(self) -> int:
        return max(1, round(self.size * 1.8))

    def text(self) -> str:
        return " ".join("".join(t for t, _, _ in runs) for runs in (self.left, self.right))

    def paint(self, painter: QPainter, band: QRectF) -> None:
        painter.save()
        painter.fillRect(band, QColor(self.background))
        margin = self.size * 0.7
        size = self.size
        need = self._width(self.left, size) + self._width(self.right, size) + 3 * margin
        if need > band.width() > 0:
            size = max(1.0, size * band.width() / need)
        metrics = QFontMetricsF(_caption_font(size, False))
        baseline = band.center().y() + (metrics.ascent() - metrics.descent()) / 2
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self._draw(painter, self.left, band.left() + margin, baseline, size)
        right = band.right() - margin - self._width(self.right, size)
        self._draw(painter, self.right, right, baseline, size)
        painter.restore()

    @staticmethod
    def _width(runs: tuple[Run, ...], size: float) -> float:
        return sum(
            QFontMetricsF(_caption_font(size, bold)).horizontalAdvance(text)
            for text, _, bold in runs
        )

    @staticmethod
    def _draw(painter: QPainter, runs: tuple[Run, ...], x: float, y: float, size: float) -> None:
        for text, color, bold in runs:
            font = _caption_font(size, bold)
            painter.setFont(font)
            painter.setPen(QColor(color))
            painter.drawText(QPointF(x, y), text)
            x += QFontMetricsF(font).horizontalAdvance(text)


def _caption_font(size: float, bold: bool) -> QFont:
    font = QFont()
    font.setPixelSize(max(1, round(size)))
    font.setBold(bold)
    return font


def with_caption(image: QImage, caption: Caption | None) -> QImage:
    """``image`` with ``caption``'s band under it (the same image without a caption)."""
    if caption is None:
        return image
    picture = QImage(image)
    picture.setDevicePixelRatio(1.0)  # pixels, whatever the screen the grab came from
    height = picture.height() + caption.height
    out = QImage(picture.width(), height, QImage.Format.Format_ARGB32_Premultiplied)
    out.fill(QColor(caption.background))
    painter = QPainter(out)
    painter.drawImage(0, 0, picture)
    caption.paint(painter, QRectF(0, picture.height(), picture.width(), caption.height))
    painter.end()
    return out


def image_png(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise ExportError("could not encode the picture as PNG")
    return bytes(data)


def metrics_csv(samples: Sequence[Sample], server_slots: int, figures: Sequence[str] = ()) -> str:
    """The per-second samples as CSV (``figures``: the lesson's own columns)."""
    rows = table.rows(samples, server_slots)
    return csv_text([table.header(server_slots, figures), *rows])


def csv_text(rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def summary_json(summary: dict[str, Any]) -> str:
    return json.dumps(summary, indent=2) + "\n"


# --- saving -------------------------------------------------------------------------------


def save(path: Path | str, data: bytes | str, *, own_name: bool = False) -> Path:
    """Write atomically; any failure becomes one ``ExportError`` naming the file.

    ``own_name``: the file name is ours, in a folder the user chose (the files of an
    export bundle): a link or any other non-folder found under it is replaced, not
    written through (see ``visualizer.atomic``)."""
    path = Path(path).expanduser()
    if path.is_dir() and not (own_name and path.is_symlink()):
        raise ExportError(f"{path} is a folder; choose a file name")
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: folder {path.parent} does not exist")
    try:
        write_atomic(path, data, own_name=own_name)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ExportError(f"cannot write {path}: {reason}") from None
    return path


#: Characters a file name must not carry (the Windows and macOS set, so a name made on
#: Linux is one everywhere), besides control characters.
_NOT_IN_NAMES = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f-\x9f]+')
#: The longest stem a proposed file name takes from a scenario's name.
STEM_CHARS = 60


def file_stem(name: str, fallback: str = "scenario") -> str:
    """``name`` (a scenario's, from a file anyone may have written) as the stem of a file
    name the Save and Export dialogs propose: never a path (``/some/dir/evil`` would
    send the dialog to another folder), never hidden (a leading dot), no control
    characters, at most ``STEM_CHARS`` long; ``fallback`` when nothing is left."""
    stem = _NOT_IN_NAMES.sub("-", name)
    stem = "".join(ch for ch in stem if ch.isprintable())  # invisible and bidi marks
    stem = stem[:STEM_CHARS].strip(" .-~")
    return stem or fallback


def save_png(path: Path | str, image: QImage) -> Path:
    return save(path, image_png(image))


def writable_folder(path: Path | str) -> Path:
    """A folder we can write into (created if missing), or an ``ExportError``."""
    folder = Path(path).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-"):
            pass
    except OSError as exc:
        raise ExportError(f"cannot write into {folder}: {exc.strerror or exc}") from None
    if not os.access(folder, os.W_OK):
        raise ExportError(f"cannot write into {folder}: permission denied")
    return folder


def transparent_to(image: QImage, color: QColor) -> QImage:
    """Flatten onto ``color`` (GIF and MP4 have no alpha)."""
    out = QImage(image.size(), QImage.Format.Format_RGB32)
    out.fill(color)
    painter = QPainter(out)
    painter.drawImage(0, 0, image)
    painter.end()
    return out.convertToFormat(QImage.Format.Format_RGB888)
