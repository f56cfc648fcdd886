"""Command line: open the window, list presets, or run a scenario headless.

Exit codes: 0 ok, 2 bad input (one line on stderr, no traceback), 1 unexpected failure,
141 when the reader of stdout has gone (``visualizer run ... | head``), 128 + the signal
when stopped by Ctrl+C (130), SIGTERM (143) or a closed terminal (SIGHUP, 129).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import re
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, NoReturn, TextIO

from visualizer.atomic import write_atomic
from visualizer.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    EXIT_OK,
    advance_in_slices,
    flush_stdout,
    load_config,
    printable,
    quoted,
    scenario_options,
    seconds,
    silence_stdout,
    without_platform_notices,
    write_out,
)
from visualizer.cli.outputs import (
    TraceOut,
    UsageError,
    cannot_write,
    csv_output,
    output_path,
    same_file,
    trace_output,
)

__all__ = ["UsageError", "main"]

#: 128 + SIGPIPE; see ``_reader_gone``.
EXIT_READER_GONE = 141

#: Frames per simulated second of ``visualizer export --gif`` (passed to ``record_clip``).
CLIP_FPS = 10.0


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised in the main thread as Ctrl+C is, so that every block
    unwinds as for Ctrl+C: a file being written keeps its old content, no temporary file
    stays behind."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


#: Signals that end a headless command as Ctrl+C does (SIGHUP: the terminal closed).
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {_cut_words(message)} (see {self.prog} --help)")


def _cut_words(message: str) -> str:
    """argparse's message with what it quotes from the command line (an invalid choice,
    unrecognized arguments) cut as scenario messages cut values: an argument may be a
    100 KB word, and the message stays one short line."""
    from visualizer.sim.schema import show, show_name

    message = re.sub(r"'([^'\n]{61,})'", lambda m: show(m.group(1)), message)
    return re.sub(r"\S{81,}", lambda m: show_name(m.group()), message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="visualizer",
        description="Request Routing Visualizer: stateful vs stateless request routing, "
        "animated and measured by a discrete-event simulation.",
    )
    parser.add_argument(
        "--scenario",
        metavar="NAME|FILE",
        help="open the window on this preset or scenario file (default: sticky-crash)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.add_parser("scenarios", help="list the preset scenarios with their titles")
    check = sub.add_parser(
        "validate",
        help="check a scenario without running it",
        description="Load and check a scenario (its settings, --set overrides and every "
        "scheduled command) without running it: exit 0 if it would run, 2 with the "
        "one-line message if not.",
    )
    scenario_options(check)
    run = sub.add_parser(
        "run",
        help="run a scenario headless and print a summary",
        description="Run a scenario without a window and print a summary table.",
    )
    scenario_options(run)
    run.add_argument("--duration", type=seconds, metavar="S", help="simulated seconds")
    run.add_argument("--json", metavar="PATH|-", help="write the summary JSON ('-': stdout only)")
    run.add_argument(
        "--csv", metavar="PATH|-", help="write per-second metrics as CSV ('-': stdout only)"
    )
    run.add_argument(
        "--trace",
        metavar="PATH|-",
        help="write every request's trace as JSON Lines: route, session lookup, outcome, "
        "where its time went ('-': stdout only)",
    )
    from visualizer.cli import compare as cli_compare
    from visualizer.cli import settings as cli_settings
    from visualizer.cli import slides as cli_slides

    cli_compare.add_parser(sub)
    cli_settings.add_parser(sub)
    cli_slides.add_parser(sub)
    exp = sub.add_parser(
        "export",
        help="render the window offscreen at a simulated time and write its files",
        description="Run a scenario to --at seconds without showing a window and write "
        "window.png, canvas.png, canvas.svg, plots.png, metrics.csv and summary.json "
        "(and clip.gif with --gif) into --out: the pictures the window shows then.",
    )
    scenario_options(exp)
    exp.add_argument("--at", type=_at_seconds, required=True, metavar="SECONDS")
    exp.add_argument("--out", required=True, metavar="DIR", help="folder (created if needed)")
    exp.add_argument("--scale", type=int, choices=(1, 2, 4), default=1, help="canvas pixels")
    exp.add_argument(
        "--gif",
        type=_clip_seconds,
        metavar="SECONDS",
        help="also record clip.gif of the canvas, full size, the clock and the counters "
        "under each frame",
    )
    exp.add_argument(
        "--stamp",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="stamp every picture with scenario, seed and time (--no-stamp: none; "
        "default: the plots only)",
    )
    return parser


def _at_seconds(text: str) -> float:
    """``--at``: no later than the longest scenario, checked before anything runs (the
    run to ``--at`` is not bounded otherwise: ``--at 1e9`` would run until killed)."""
    from visualizer.sim.schema import key_specs

    value = seconds(text)
    limit = key_specs()["scenario.duration_s"].hi or math.inf
    if value > limit:
        raise argparse.ArgumentTypeError(
            f"{quoted(text)} is too late; at most {limit:,.0f} s, the longest a scenario runs"
        )
    return value


def _clip_seconds(text: str) -> float:
    """``--gif``: short enough for a GIF, checked before the clip is captured (the
    encoder checks only after capturing every frame, into the temp dir)."""
    from visualizer.ui.export.recording import Recording

    value = seconds(text)
    # record_clip captures the first and the last instant, rounding a part-frame up
    frames = math.ceil(value * CLIP_FPS - 1e-6) + 1
    if frames > Recording.MAX_GIF_FRAMES:
        longest = (Recording.MAX_GIF_FRAMES - 1) / CLIP_FPS
        raise argparse.ArgumentTypeError(
            f"{quoted(text)} is too long; a GIF holds at most {Recording.MAX_GIF_FRAMES} frames, "
            f"{longest:g} s at {CLIP_FPS:g} frames/s"
        )
    return value


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``visualizer`` and ``python -m visualizer``; returns the exit code."""
    from visualizer.sim.schema import ConfigError

    try:
        args = build_parser().parse_args(argv)
        # the window keeps Qt's own ways; the headless commands stop as on Ctrl+C
        with nullcontext() if args.command is None else _signals_stop():
            if args.command == "scenarios":
                code = _cmd_scenarios(sys.stdout)
            elif args.command == "run":
                code = _cmd_run(args)
            elif args.command == "validate":
                code = _cmd_validate(args)
            elif args.command == "export":
                code = _cmd_export(args)
            elif args.command == "compare":
                from visualizer.cli import compare as cli_compare

                code = cli_compare.run(args)
            elif args.command == "slides":
                from visualizer.cli import slides as cli_slides

                code = cli_slides.run(args)
            elif args.command == "settings":
                from visualizer.cli import settings as cli_settings

                code = cli_settings.run(args, sys.stdout)
            else:
                code = _cmd_window(args)
            flush_stdout()  # a closed pipe or a full disk shows here, not at exit
        return code
    except BrokenPipeError:
        return _reader_gone()
    except (UsageError, ConfigError) as exc:
        message = f"visualizer: error: {exc}" if isinstance(exc, ConfigError) else str(exc)
        print(printable(message), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt as exc:
        return _stopped(exc.signum if isinstance(exc, Stopped) else signal.SIGINT)
    except Exception as exc:
        if os.environ.get("VISUALIZER_DEBUG"):
            raise
        print(
            printable(
                f"visualizer: unexpected failure: {type(exc).__name__}: {exc} "
                "(set VISUALIZER_DEBUG=1 for the traceback)"
            ),
            file=sys.stderr,
        )
        return EXIT_FAILURE


_STOPPED_BY = {
    signal.SIGINT: "interrupted",
    **{sig: f"stopped by {signal.Signals(sig).name}" for sig in STOP_SIGNALS},
}


def _stopped(signum: int) -> int:
    """Say what stopped the command, if anyone can still hear it, and return 128 + the
    signal. After SIGHUP the terminal may be gone: what stdout or stderr still holds is
    then dropped, or Python's own flush at exit would fail again, with a traceback."""
    try:
        sys.stdout.flush()
    except OSError:
        silence_stdout()
    try:
        print(f"visualizer: {_STOPPED_BY.get(signum, 'stopped')}", file=sys.stderr, flush=True)
    except OSError:
        silence_stdout(sys.stderr)
    return 128 + signum


@contextmanager
def _signals_stop() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP raise ``Stopped`` in the main thread.

    Left alone: a signal that was ignored when we started (``nohup`` ignores SIGHUP) or
    has a handler of its own, and every signal off the main thread (only it can take
    handlers). After the first, further ones are ignored: the cleanup it asked for is
    not cut short."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    ours = [sig for sig in STOP_SIGNALS if signal.getsignal(sig) == signal.SIG_DFL]

    def stop(signum: int, frame: object) -> None:
        for sig in ours:
            signal.signal(sig, signal.SIG_IGN)
        raise Stopped(signum)

    for sig in ours:
        signal.signal(sig, stop)
    try:
        yield
    finally:
        for sig in ours:
            signal.signal(sig, signal.SIG_DFL)


def _reader_gone() -> int:
    """The reader of stdout has gone (``visualizer run ... | head`` after head quit).

    End quietly, as the Python docs' recipe for SIGPIPE does: point stdout at /dev/null
    so that Python's own flush at exit cannot fail again. For the exit code the recipe
    uses 1, but 1 here means "unexpected failure"; 141 (128 + SIGPIPE) is what the shell
    reports for any other Unix tool stopped by a closed pipe (``yes | head`` under
    ``set -o pipefail``), so scripts that allow for that status treat us the same way.
    """
    silence_stdout()
    return EXIT_READER_GONE


def _cmd_window(args: argparse.Namespace) -> int:
    from visualizer.ui.window.app import run_app, startup_config

    return run_app(startup_config(args.scenario))


def _cmd_export(args: argparse.Namespace) -> int:
    config = load_config(args)
    from visualizer.offscreen import offscreen_platform

    os.environ["QT_QPA_PLATFORM"] = offscreen_platform()  # never show a window
    from visualizer.ui.export.actions import record_clip, write_bundle
    from visualizer.ui.export.render import ExportError, writable_folder

    try:
        folder = writable_folder(args.out)
    except ExportError as exc:
        raise UsageError(f"visualizer export: --out {args.out}: {exc}") from None
    from visualizer.ui.colors import LIGHT
    from visualizer.ui.window.app import build_window, make_app

    with without_platform_notices():
        app = make_app()
        window = build_window(config, LIGHT, remember=False)
        try:
            window.resize(1600, 1000)
            window.show()
            app.processEvents()
            window.load_plots()
            window.driver.stop()  # frames are driven here, not by the window's timer
            window.driver.step(args.at)
            app.processEvents()
            try:
                written = write_bundle(window, folder, scale=args.scale, stamp=args.stamp)
                if args.gif:
                    clip = record_clip(window, folder / "clip.gif", args.gif, CLIP_FPS)
                    written.append(clip)
            except ExportError as exc:
                print(f"visualizer: error: {exc}", file=sys.stderr)
                return EXIT_FAILURE
        finally:
            window.close()
            window.settings.close()  # its throwaway folder in the temp dir, even on Ctrl+C
    write_out(sys.stdout, "".join(f"{printable(str(path))}\n" for path in written))
    return EXIT_OK


def _cmd_scenarios(out: TextIO) -> int:
    from visualizer.sim.scenario import DEFAULT_PRESET, list_presets

    presets = list_presets()
    width = max(len(printable(p.name)) for p in presets)
    lines = []
    for p in presets:
        mark = "  (default)" if p.name == DEFAULT_PRESET else ""
        lines.append(f"{printable(p.name):<{width}}  {printable(p.title)}{mark}\n")
    write_out(out, "".join(lines))
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    """A file checked before a class or a script runs it: what loading checks, nothing
    more (a ``ConfigError`` is the exit 2 of ``main``)."""
    config = load_config(args)
    n = len(config.faults)
    write_out(
        sys.stdout,
        f"{printable(args.scenario)}: ok ({n:,} scheduled command{'' if n == 1 else 's'})\n",
    )
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    from visualizer.app.headless import HeadlessRun
    from visualizer.sim import table
    from visualizer.sim.schema import server_slots

    outputs = {"--json": args.json, "--csv": args.csv, "--trace": args.trace}
    to_stdout = [option for option, text in outputs.items() if text == "-"]
    if len(to_stdout) > 1:
        raise UsageError(
            f"visualizer run: {' and '.join(f'{o} -' for o in to_stdout)} would all go to "
            "stdout; write all but one of them to files"
        )
    config = load_config(args)
    if config.compare is not None:  # a comparison's file: run its side A
        from visualizer.app.compare import sides

        config = sides(config)[0]
        print(
            "visualizer run: this scenario compares two designs; this is side A "
            "(visualizer compare runs both)",
            file=sys.stderr,
        )
    paths = {
        option: output_path(text, option)
        for option, text in outputs.items()
        if text not in (None, "-")
    }
    for (a, pa), (b, pb) in itertools.combinations(paths.items(), 2):
        if same_file(pa, pb):
            raise UsageError(
                f"visualizer run: {a} {outputs[a]} and {b} {outputs[b]} are the same file; "
                "give each its own"
            )
    json_path, csv_path = paths.get("--json"), paths.get("--csv")

    slots = server_slots(config)
    # The CSV streams to its file as the run goes (a 24 h run of 64 servers makes
    # ~100 MB) and is renamed into place when the run is over.
    with (
        csv_output(args.csv, csv_path) as rows,
        trace_output(args.trace, paths.get("--trace")) as traces,
    ):
        rows.write(table.header(slots, table.lesson_figures(config)))
        run = HeadlessRun(
            config,
            on_sample=lambda sample: rows.write(table.row(sample, slots)),
            traces=traces is not None,
            trace_buffer=10_000_000,  # drained after every slice of the run
        )
        _run_with_progress(run, config.scenario.duration_s, traces)
    summary = run.summary()
    text = json.dumps(summary, indent=2, sort_keys=False) + "\n"
    if json_path is not None:
        flush_stdout()  # CSV rows first, should --json be a link to stdout
        try:
            write_atomic(json_path, text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise cannot_write("--json", args.json, exc) from None
    # stdout last, so that a failed write leaves no table that looks like success
    if args.json == "-":
        write_out(sys.stdout, text)
    elif "-" not in (args.csv, args.trace):  # with --csv - or --trace -, stdout is that alone
        write_out(sys.stdout, format_summary(summary) + "\n")
    return EXIT_OK


def _run_with_progress(sim: Any, duration: float, traces: TraceOut | None = None) -> None:
    """Advance in slices; on a terminal, show progress when a run takes more than a moment.
    Traces (if asked for) are written after every slice, so they never pile up."""

    def after_slice() -> None:
        if traces is not None:
            traces.write(sim.drain_traces())

    advance_in_slices([sim], duration, after_slice, "simulating…")


def format_summary(s: dict[str, Any]) -> str:
    """The summary as a readable table for the terminal."""
    from visualizer.app.compare import design_words
    from visualizer.sim.config import Lesson
    from visualizer.sim.lessons import model_for
    from visualizer.sim.schema import parse_config

    cfg = s["config"]
    req, lat, ses, mem, users = (
        s["requests"],
        s["latency_ms"],
        s["sessions"],
        s["memory_mb"],
        s["users"],
    )

    def ms(x: float | None) -> str:
        return "—" if x is None else f"{x:,.1f} ms"

    share = f" ({req['failed'] / req['total']:.1%})" if req["total"] else ""
    codes = ", ".join(f"{k} {v:,}" for k, v in req["by_code"].items() if v) or "none"
    causes = ", ".join(f"{k} {v:,}" for k, v in ses["lost_by_cause"].items() if v) or "none"
    design = design_words(parse_config(cfg))  # where state lives, in the lesson's words
    model = model_for(Lesson(s["lesson"]))
    session_lines = [
        f"sessions  {ses['created']:>10,} created  {ses['lost']:>8,} lost ({causes})  "
        f"peak {ses['peak_active']:,} active",
    ]
    memory_lines = [
        f"memory    peak {mem['peak_total']:,.1f} MB in total, "
        f"{mem['peak_store']:,.1f} MB in the store",
    ]
    lines = [
        printable(f"{s['scenario']}: {cfg['scenario']['title']}"),
        f"seed {s['seed']}, {s['duration_s']:,.0f} s simulated, {cfg['servers']['count']} servers, "
        f"{design}, {cfg['balancer']['algorithm'].replace('_', ' ')}",
        "",
        f"requests  {req['total']:>10,} total  {req['ok']:>10,} ok  "
        f"{req['failed']:>8,} failed{share}  ({req['logins']:,} of the ok were logins)",
        f"errors    {codes}",
        f"latency   mean {ms(lat['mean'])}   p50 {ms(lat['p50'])}   p95 {ms(lat['p95'])}"
        f"   p99 {ms(lat['p99'])}",
        *(session_lines if model.keeps_sessions else []),
        *(memory_lines if model.holds_memory else []),
        f"users     {users['arrived']:>10,} arrived  {users['completed']:>8,} completed  "
        f"{users['abandoned']:>6,} abandoned  {users['relogins']:>6,} relogins",
        *model.summary_lines(s),
        "",
        f"{'server':<10}{'served':>10}{'failed':>9}{'crashes':>9}{'peak sessions':>15}"
        f"{'peak MB':>10}{'busy':>7}",
    ]
    for name, row in s["servers"].items():
        lines.append(
            f"{name:<10}{row['served']:>10,}{row['failed']:>9,}{row['crashes']:>9,}"
            f"{row['peak_sessions']:>15,}{mem['peak_by_server'][name]:>10,.1f}"
            f"{row['utilization']:>7.0%}"
        )
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
