"""Pictures and numbers out of the window: render to an image or SVG, then save atomically.

Rendering and saving are separate steps (as in pyqtgraph's exporters): ``render_*`` and
``*_svg`` return an image or bytes, ``save_*`` writes them via a temporary file and a
rename, so a failure never leaves half a file. pyqtgraph's own SVG exporter fails on
PySide6 ≥ 6.11, so SVG goes through ``QSvgGenerator`` for the canvas and the plots alike.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QWidget

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


def scene_svg(scene: QGraphicsScene, title: str) -> bytes:
    """The scene as SVG: labels stay text, shapes stay vector."""
    rect = scene.sceneRect()
    return _svg(
        title,
        QSize(round(rect.width()), round(rect.height())),
        rect,
        lambda p: _scene_onto(scene, p, rect),
    )


def _scene_onto(scene: QGraphicsScene, painter: QPainter, rect: QRectF) -> None:
    painter.fillRect(rect, scene.backgroundBrush())
    with _uncached(scene):
        scene.render(painter, rect, rect)


def render_widget(widget: QWidget, scale: float = 1.0) -> QImage:
    """A widget (the window, a plot, the plot panel) as it looks, at ``scale``."""
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


def widget_svg(widget: QWidget, title: str) -> bytes:
    size = widget.size()
    rect = QRectF(0, 0, size.width(), size.height())
    return _svg(title, size, rect, lambda painter: _render_widget(widget, painter))


def _render_widget(widget: QWidget, painter: QPainter) -> None:
    """QWidget.render as a widget (graphics views override render() for their scene)."""
    scene = getattr(widget, "scene", None)
    prepare = getattr(scene() if callable(scene) else None, "prepareForPaint", None)
    if prepare is not None:  # pyqtgraph brings its items up to date before painting
        prepare()
    QWidget.render(widget, painter, QPoint(0, 0))


def _svg(title: str, size: QSize, view: QRectF, paint: Any) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(size)
    generator.setViewBox(view)
    generator.setTitle(title)
    generator.setDescription("Request Routing Visualizer")
    painter = QPainter(generator)
    paint(painter)
    painter.end()
    return bytes(buffer.data())


def image_png(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise ExportError("could not encode the picture as PNG")
    return bytes(data)


def metrics_csv(samples: Sequence[Sample], server_slots: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.header(server_slots))
    writer.writerows(table.rows(samples, server_slots))
    return out.getvalue()


def summary_json(summary: dict[str, Any]) -> str:
    return json.dumps(summary, indent=2) + "\n"


# --- saving -------------------------------------------------------------------------------


def save(path: Path | str, data: bytes | str) -> Path:
    """Write atomically; any failure becomes one ``ExportError`` naming the file."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise ExportError(f"{path} is a folder; choose a file name")
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: folder {path.parent} does not exist")
    try:
        write_atomic(path, data)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ExportError(f"cannot write {path}: {reason}") from None
    return path


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
