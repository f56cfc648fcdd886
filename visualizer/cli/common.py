"""What the commands share: the exit codes, the scenario options (a preset or file,
--seed, --set) and loading them, quoting an argument in a message, writing to stdout
(a full disk is bad input, a closed pipe is the reader gone), printable names, the
platform's notices kept out of a headless command's output, and runs advanced in slices
with progress on a terminal."""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from visualizer.cli.outputs import UsageError

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


def scenario_options(parser: argparse.ArgumentParser) -> None:
    """The scenario argument, --seed and --set, shared by run and export."""
    parser.add_argument("scenario", metavar="NAME|FILE", help="preset name or .toml file")
    parser.add_argument("--seed", type=_seed, metavar="N", help="random seed")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override a scenario key, e.g. --set servers.count=6 (repeatable)",
    )


def quoted(text: str) -> str:
    """An argument as a message quotes it: cut, as it may be any length."""
    from visualizer.sim.schema import show

    return show(text)


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quoted(text)} is not a number of seconds") from None
    if not math.isfinite(value):  # 1e999, or 400 digits, is inf
        raise argparse.ArgumentTypeError(f"{quoted(text)} is not a finite number of seconds")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{quoted(text)} must be a positive number of seconds")
    return value


def _seed(text: str) -> int:
    """``--seed``: a whole number a scenario's seed may be (Python refuses to convert
    one of more than 4,300 digits: that is a seed too large, not a word)."""
    from visualizer.sim.schema import key_specs

    hi = int(key_specs()["scenario.seed"].hi or 0)
    too_large = f"{quoted(text)} is too large; a seed is at most {hi:,}"
    try:
        value = int(text)
    except ValueError:
        if re.fullmatch(r"\s*\+?\d[\d_]*\s*", text):
            raise argparse.ArgumentTypeError(too_large) from None
        raise argparse.ArgumentTypeError(f"{quoted(text)} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{quoted(text)} must be 0 or more")
    if value > hi:
        raise argparse.ArgumentTypeError(too_large)
    return value


def flush_stdout() -> None:
    """Push out what stdout holds now, so that a failure is reported while we can."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _stdout_failed(exc) from None


def write_out(out: TextIO, text: str) -> None:
    """Write to stdout (or ``out``): a failure other than a closed pipe, such as a full
    disk, is one line and exit 2, not an unexpected failure."""
    try:
        out.write(text)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _stdout_failed(exc) from None


def _stdout_failed(exc: OSError) -> UsageError:
    silence_stdout()  # or Python's own flush at exit fails again, with a traceback
    return UsageError(f"visualizer: cannot write to stdout ({exc.strerror or exc})")


def silence_stdout(stream: TextIO | None = None) -> None:
    """Send whatever stdout (or ``stream``) still holds to /dev/null."""
    try:
        fd = (stream or sys.stdout).fileno()
    except (OSError, ValueError):  # not a real file (tests capture it)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on rather than show (escape
    sequences, control, invisible and bidirectional characters) written as ``\\xNN``,
    ``\\uNNNN`` or ``\\UNNNNNNNN``: names and titles come from scenario files, and a
    file must not be able to drive the terminal it is listed in."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _escaped(ord(ch)) for ch in text)


def _escaped(code: int) -> str:
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def load_config(args: argparse.Namespace) -> Any:
    """Scenario + --set overrides + --duration/--seed, all validated (ConfigError: exit 2)."""
    from visualizer.sim import scenario
    from visualizer.sim.schema import with_values

    config = scenario.load(args.scenario, args.overrides)
    changes: dict[str, Any] = {}
    if getattr(args, "duration", None) is not None:
        changes["scenario.duration_s"] = args.duration
    if args.seed is not None:
        changes["scenario.seed"] = args.seed
    return with_values(config, changes, "command line") if changes else config


#: How Qt's platform plugins begin a notice about a window feature they lack ("This
#: plugin does not support propagateSizeHints()"): the offscreen platform of ``export``
#: lacks many, and saying so is noise to someone writing files.
PLATFORM_NOTICE = "This plugin does not support "


@contextmanager
def without_platform_notices() -> Iterator[None]:
    """Qt's messages while the block runs, less the platform's notices of what it does
    not support; every other message goes where it went before, as it was."""
    from PySide6.QtCore import qFormatLogMessage, qInstallMessageHandler

    previous: Any = None

    def handler(mode: Any, context: Any, message: str) -> None:
        if message.startswith(PLATFORM_NOTICE):
            return
        if previous is not None:
            previous(mode, context, message)
        else:  # as Qt's own handler writes it (QT_MESSAGE_PATTERN included)
            print(qFormatLogMessage(mode, context, message), file=sys.stderr, flush=True)

    previous = qInstallMessageHandler(handler)
    try:
        yield
    finally:
        qInstallMessageHandler(previous)


def advance_in_slices(
    sims: list[Any], duration: float, after_slice: Callable[[], None], doing: str
) -> None:
    """Advance every run to ``duration`` in the same slices, calling ``after_slice`` after
    each; on a terminal, ``doing`` and the progress show when it takes more than a moment."""
    show = sys.stderr.isatty()
    started = time.monotonic()
    shown = False
    step = max(duration / 200.0, 1.0)
    t = 0.0
    while t < duration:
        t = min(duration, t + step)
        for sim in sims:
            sim.advance(t)
        after_slice()
        if show and time.monotonic() - started > 1.0:
            sys.stderr.write(f"\r{doing} {t:,.0f} / {duration:,.0f} s")
            sys.stderr.flush()
            shown = True
    if shown:
        sys.stderr.write("\r" + " " * 60 + "\r")
