"""``python -m visualizer``: same as the ``visualizer`` command."""

from visualizer.cli import main

raise SystemExit(main())
