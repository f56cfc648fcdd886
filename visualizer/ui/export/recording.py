"""Recording the canvas (or the window) to GIF or MP4.

Frames are captured at exact simulated times, one every ``speed / fps`` simulated
seconds, so the clip plays at the pace the window showed and stays smooth even when
the machine could not keep up live. Frames wait in a temporary folder; ``encode``
writes the clip through a temporary file and a rename.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import zlib
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QColor, QImage

from visualizer.ui.export.render import ExportError, transparent_to

Progress = Callable[[int, int], bool]  # (done, total) -> keep going?


class ClipFormat(StrEnum):
    GIF = "gif"
    MP4 = "mp4"


def clip_format(path: Path | str) -> ClipFormat:
    suffix = Path(path).suffix.lower().lstrip(".")
    try:
        return ClipFormat(suffix)
    except ValueError:
        raise ExportError(f"{path}: a recording is saved as .gif or .mp4") from None


class Recording:
    """Frames of one recording, taken at ``fps`` frames per simulated-time step."""

    SMALL_GIF_WIDTH = 1000  # the Record dialog's "scale the GIF" (a GIF gets big fast)
    MAX_GIF_FRAMES = 900  # about 90 s at 10 frames/s: longer clips belong in an MP4

    def __init__(self, fps: float, background: QColor, gif_width: int | None = None) -> None:
        """``gif_width``: a GIF wider than this is scaled down to it (None: full size);
        an MP4 always keeps the full size."""
        if not 1 <= fps <= 60:
            raise ExportError(f"frame rate {fps:g} is not allowed; choose 1 to 60 frames/s")
        self.fps = fps
        self.background = background
        self.gif_width = gif_width
        self._dir = Path(tempfile.mkdtemp(prefix="rrv-recording-"))
        self.frames = 0
        self.size: tuple[int, int] | None = None

    def add(self, image: QImage) -> None:
        """Store one frame (flattened; frames keep the first frame's size)."""
        flat = transparent_to(image, self.background)
        if self.size is None:
            self.size = (flat.width(), flat.height())
        elif (flat.width(), flat.height()) != self.size:
            flat = flat.scaled(*self.size).convertToFormat(QImage.Format.Format_RGB888)
        w, h = self.size
        rows = np.frombuffer(flat.constBits(), np.uint8, count=flat.bytesPerLine() * h)
        pixels = rows.reshape(h, flat.bytesPerLine())[:, : w * 3]
        # zlib at level 1: ~4× faster than PNG for the same size, while the animation runs
        try:
            (self._dir / f"{self.frames:06d}.z").write_bytes(zlib.compress(pixels.tobytes(), 1))
        except OSError as exc:
            raise ExportError(f"cannot store a recording frame: {exc.strerror or exc}") from None
        self.frames += 1

    @property
    def seconds(self) -> float:
        """Length of the clip when played back."""
        return self.frames / self.fps

    def _frame(self, k: int) -> np.ndarray:
        w, h = self.size or (0, 0)
        raw = zlib.decompress((self._dir / f"{k:06d}.z").read_bytes())
        return np.frombuffer(raw, np.uint8).reshape(h, w, 3)

    def encode(self, path: Path | str, progress: Progress | None = None) -> Path:
        """Write the clip (format from the file name); returns the path.

        Raises ``ExportError`` on failure or if ``progress`` asks to stop; nothing is
        left at ``path`` then.
        """
        path = Path(path).expanduser()
        fmt = clip_format(path)
        if self.frames == 0:
            raise ExportError("nothing was recorded: play the simulation while recording")
        if not path.parent.is_dir():
            raise ExportError(f"cannot write {path}: folder {path.parent} does not exist")
        tmp = path.with_name(f".{path.name}.{id(self)}.tmp{path.suffix}")
        try:
            if fmt is ClipFormat.GIF:
                self._gif(tmp, progress)
            else:
                self._mp4(tmp, progress)
            tmp.replace(path)
        except ExportError:
            tmp.unlink(missing_ok=True)
            raise
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
        return path

    def _tick(self, progress: Progress | None, done: int) -> None:
        if progress is not None and not progress(done, self.frames):
            raise ExportError("encoding cancelled")

    def _gif(self, path: Path, progress: Progress | None) -> None:
        """Frame by frame: each is quantised to its own palette and written at once, so
        memory stays at one frame whatever the length (Pillow's ``save_all`` keeps all).
        After the first, a frame holds only the rectangle around what changed, and the
        pixels in it that did not change are transparent: the previous frame shows
        through, and long runs of one index compress well."""
        from PIL import GifImagePlugin, Image

        if self.frames > self.MAX_GIF_FRAMES:
            raise ExportError(
                f"{self.frames:,} frames ({self.seconds:,.0f} s) is too long for a GIF "
                f"(at most {self.MAX_GIF_FRAMES}); save it as .mp4 instead"
            )
        duration = round(1000 / self.fps)
        previous: np.ndarray | None = None
        with path.open("wb") as fh:
            for k in range(self.frames):
                self._tick(progress, k)
                pixels = self._frame(k)
                if self.gif_width is not None and pixels.shape[1] > self.gif_width:
                    image = Image.fromarray(pixels)
                    height = round(image.height * self.gif_width / image.width)
                    image = image.resize((self.gif_width, height), Image.Resampling.LANCZOS)
                    pixels = np.asarray(image)
                if previous is None:
                    frame = _quantized(pixels)
                    header, _ = GifImagePlugin.getheader(frame, info={"loop": 0})
                    fh.writelines(header)
                    chunks = GifImagePlugin.getdata(
                        frame, duration=duration, include_color_table=True
                    )
                else:
                    frame, offset = _changes(pixels, previous)
                    chunks = GifImagePlugin.getdata(
                        frame,
                        offset,
                        duration=duration,
                        include_color_table=True,
                        transparency=_CLEAR,
                        disposal=1,  # leave the frame in place: the next one draws over it
                    )
                fh.writelines(chunks)
                previous = pixels
            fh.write(b";")  # trailer
        self._tick(progress, self.frames)

    def _mp4(self, path: Path, progress: Progress | None) -> None:
        import imageio_ffmpeg

        w, h = self.size or (0, 0)
        even = (w - w % 2, h - h % 2)  # H.264 with yuv420p needs even sides
        writer = imageio_ffmpeg.write_frames(
            str(path),
            even,
            fps=self.fps,
            codec="libx264",
            quality=7,
            macro_block_size=1,
            output_params=["-movflags", "+faststart"],
            ffmpeg_log_level="error",
        )
        writer.send(None)
        try:
            for k in range(self.frames):
                self._tick(progress, k)
                writer.send(np.ascontiguousarray(self._frame(k)[: even[1], : even[0]]))
        finally:
            writer.close()
        self._tick(progress, self.frames)

    def discard(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)
        self.frames = 0

    def __del__(self) -> None:  # the temporary frames never outlive the recording
        shutil.rmtree(getattr(self, "_dir", ""), ignore_errors=True)


#: The palette index of a GIF frame's unchanged (transparent) pixels; colours use 0-254.
_CLEAR = 255


def _quantized(pixels: np.ndarray) -> Any:
    """An RGB frame as a palette image of at most 255 colours (index 255 stays free)."""
    from PIL import Image

    return Image.fromarray(np.ascontiguousarray(pixels)).quantize(
        colors=255, method=Image.Quantize.MEDIANCUT
    )


def _changes(pixels: np.ndarray, previous: np.ndarray) -> tuple[Any, tuple[int, int]]:
    """What a frame adds to the one before: the rectangle around the changed pixels,
    quantised, with the unchanged ones in it transparent; and where it goes."""
    from PIL import Image

    changed = np.any(pixels != previous, axis=2)
    rows = np.flatnonzero(changed.any(axis=1))
    cols = np.flatnonzero(changed.any(axis=0))
    if rows.size == 0:  # nothing moved: one transparent pixel keeps the frame's time
        top, bottom, left, right = 0, 1, 0, 1
    else:
        top, bottom = int(rows[0]), int(rows[-1]) + 1
        left, right = int(cols[0]), int(cols[-1]) + 1
    quantized = _quantized(pixels[top:bottom, left:right])
    index = np.asarray(quantized).copy()
    index[~changed[top:bottom, left:right]] = _CLEAR
    palette = quantized.getpalette() or []
    frame = Image.frombytes("P", (right - left, bottom - top), index.tobytes())
    frame.putpalette(palette[: 3 * _CLEAR] + [0] * (768 - len(palette[: 3 * _CLEAR])))
    return frame, (left, top)


class EncodeJob(QObject):
    """Encodes a recording on a worker thread so the window keeps running; the GUI
    thread polls its progress (nothing Qt happens off the GUI thread). The frames on
    disk are deleted when it ends, whatever the outcome."""

    progressed = Signal(int)  # frames done
    finished = Signal()

    POLL_MS = 50

    def __init__(self, recording: Recording, path: Path | str, parent: QObject | None = None):
        super().__init__(parent)
        self.recording = recording
        self.target = Path(path)
        self.total = recording.frames
        self.done = 0
        self.path: Path | None = None
        self.error: str | None = None
        self._cancel = threading.Event()
        self._ended = False
        self._thread = threading.Thread(target=self._run, name="rrv-encode", daemon=True)
        self._timer = QTimer(self)
        self._timer.setInterval(self.POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._thread.start()
        self._timer.start()

    def _run(self) -> None:
        try:
            self.path = self.recording.encode(self.target, self._progress)
        except ExportError as exc:
            self.error = str(exc)
        except Exception as exc:  # reported in a dialog, never lost on a thread
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.recording.discard()

    def _progress(self, done: int, total: int) -> bool:
        self.done = done
        return not self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def running(self) -> bool:
        return not self._ended

    def _poll(self) -> None:
        self.progressed.emit(self.done)
        if not self._thread.is_alive() and not self._ended:
            self._ended = True
            self._timer.stop()
            self.finished.emit()

    def wait(self) -> Path | None:
        """Block until encoded (closing the window, tests); returns the file or None."""
        self._thread.join()
        self._poll()
        return self.path
