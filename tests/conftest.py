"""Shared test setup: Qt runs offscreen and settings live in a throwaway folder."""

import os
import tempfile

from visualizer.offscreen import offscreen_platform

# offscreen, with a desktop-sized screen (the default 800×800 one clamps the windows):
# also when the caller asked for plain "offscreen", as CI does
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = offscreen_platform()

from PySide6.QtCore import QCoreApplication, QSettings

# Never read or write the real user's settings (QSettings is per organisation/app name).
_SETTINGS_DIR = tempfile.mkdtemp(prefix="rrv-test-settings-")
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, _SETTINGS_DIR)
QCoreApplication.setOrganizationName("request-routing-visualizer-tests")


import pytest  # noqa: E402


@pytest.fixture
def full_device(tmp_path):
    """A private /dev/full (a device node in a temporary folder; writes fail with
    ENOSPC): never the real device, which as root a test could damage."""
    import stat

    node = tmp_path / "full"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except PermissionError:
        pytest.skip("creating a device node needs root")
    try:
        node.open("wb").close()
    except PermissionError:
        pytest.skip("devices cannot be opened on this file system (mounted nodev)")
    return node
