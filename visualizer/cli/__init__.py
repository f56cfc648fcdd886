"""The command line, ``visualizer``: ``main`` reads the arguments and runs a command.
``commands.py`` holds the dispatcher and the window, ``run``, ``export``, ``scenarios``
and ``validate``; ``compare.py``, ``settings.py`` and ``slides.py`` their own commands;
``common.py`` what they share and ``outputs.py`` where their files go. A command imports
``common`` and ``outputs``, never ``commands`` (no cycle: a contract keeps it so)."""

from visualizer.cli.commands import main

__all__ = ["main"]
