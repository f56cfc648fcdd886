"""The offscreen Qt platform with a screen the size of a real one.

Qt's offscreen platform pretends to have an 800×800 screen, and the window keeps itself
on its screen, so a "1600×1000" export or test window would come out 800 px wide. A
configuration file shipped with the package (``assets/offscreen-screen.json``) gives
the pretend screen a desktop's size, 2560×1600. (No Qt import here: the platform is
chosen before Qt starts.)
"""

from __future__ import annotations

from visualizer.sim.scenario import assets_dir

SCREEN_FILE = "offscreen-screen.json"


def offscreen_platform() -> str:
    """The ``QT_QPA_PLATFORM`` value for a desktop-sized offscreen screen."""
    try:
        path = assets_dir() / SCREEN_FILE
    except FileNotFoundError:
        return "offscreen"
    text = str(path)
    # Qt splits the platform's options at ":" and ","; such a path (a Windows drive
    # letter) falls back to the small default screen rather than to a broken option.
    if not path.is_file() or ":" in text or "," in text:
        return "offscreen"
    return f"offscreen:configfile={text}"
