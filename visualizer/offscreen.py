"""The offscreen Qt platform with a screen the size of a real one.

Qt's offscreen platform pretends to have an 800×800 screen, and the window keeps itself
on its screen, so a "1600×1000" export or test window would come out 800 px wide. A
configuration file gives the pretend screen a desktop's size. (No Qt import here: the
platform is chosen before Qt starts.)
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from visualizer.atomic import write_atomic

WIDTH, HEIGHT = 2560, 1600


def _user() -> int:
    return os.getuid() if hasattr(os, "getuid") else 0


def offscreen_platform(width: int = WIDTH, height: int = HEIGHT) -> str:
    """The ``QT_QPA_PLATFORM`` value for an offscreen screen of ``width`` × ``height``."""
    screen = {
        "name": "offscreen",
        "x": 0,
        "y": 0,
        "width": width,
        "height": height,
        "logicalDpi": 96,
        "logicalBaseDpi": 96,
        "dpr": 1,
    }
    text = json.dumps({"screens": [screen]})
    path = Path(tempfile.gettempdir()) / f"visualizer-offscreen-{width}x{height}-{_user()}.json"
    try:
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            write_atomic(path, text)
    except OSError:
        return "offscreen"  # an unwritable temp dir: the small default screen still works
    return f"offscreen:configfile={path}"
