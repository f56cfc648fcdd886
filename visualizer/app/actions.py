"""Every user action in one table: its id, title, keys, menu and help line.

The window builds its menus and shortcuts from this table and binds each id to a
handler; the F1 help and the control panel's hints are generated from it too, so a key
is documented where it is defined. No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass

from visualizer.lessons.spec import LessonControls


@dataclass(frozen=True)
class Action:
    id: str
    title: str  # menu text; "&" marks the mnemonic
    keys: tuple[str, ...] = ()  # QKeySequence strings; the first is shown
    menu: str | None = None  # None: a key only (no menu entry)
    help: str = ""  # the F1 line; empty: not listed
    shown_keys: str = ""  # how F1 shows the keys when not the first one (e.g. "1 – 9")
    checkable: bool = False
    separator_before: bool = False

    @property
    def key_text(self) -> str:
        return self.shown_keys or (self.keys[0] if self.keys else "")


SCENARIO, SIMULATION, TIMELINE, STATE, SERVERS, VIEW, HELP = (
    "&Scenario",
    "S&imulation",
    "Time&line",
    "S&tate",
    "Se&rvers",
    "&View",
    "&Help",
)
MENUS = (SCENARIO, SIMULATION, TIMELINE, STATE, SERVERS, VIEW, HELP)

ACTIONS: tuple[Action, ...] = (
    # --- scenario -----------------------------------------------------------------------
    Action("open", "&Open…", ("Ctrl+O",), SCENARIO, "open / save a scenario", "Ctrl+O / Ctrl+S"),
    Action("save", "&Save as…", ("Ctrl+S",), SCENARIO),
    Action(
        "export",
        "&Export…",
        ("Ctrl+E",),
        SCENARIO,
        "export pictures and numbers",
        separator_before=True,
    ),
    Action(
        "record",
        "S&tart / stop recording…",
        ("Ctrl+Shift+R",),
        SCENARIO,
        "start / stop recording a GIF or MP4",
    ),
    Action(
        "compare",
        "&Compare…",
        ("Ctrl+K",),
        SCENARIO,
        "compare two designs side by side on the same users (again: change B or stop)",
        separator_before=True,
    ),
    Action("quit", "&Quit", ("Ctrl+Q",), SCENARIO, "quit", separator_before=True),
    # --- simulation ---------------------------------------------------------------------
    Action("play", "&Play / pause", ("Space",), SIMULATION, "play / pause"),
    Action("step", "&Step", ("Right",), SIMULATION, "step 0.1 s (pauses)", "→"),
    Action(
        "faster",
        "&Faster",
        ("+", "=", "Ctrl+="),
        SIMULATION,
        "faster / slower (0.1× to 50×)",
        "+ / −",
    ),
    Action("slower", "S&lower", ("-", "_"), SIMULATION),
    Action("reset", "&Reset run", ("Ctrl+R",), SIMULATION, "reset the run", separator_before=True),
    # --- timeline -----------------------------------------------------------------------
    Action("back", "&Back 5 s", ("Shift+Left",), TIMELINE, "seek 5 s back / ahead", "Shift+← / →"),
    Action("ahead", "&Ahead 5 s", ("Shift+Right",), TIMELINE),
    Action(
        "previous_marker", "&Previous marker", ("[",), TIMELINE, "previous / next marker", "[ / ]"
    ),
    Action("next_marker", "&Next marker", ("]",), TIMELINE),
    Action(
        "start",
        "To the &start",
        ("Home",),
        TIMELINE,
        "to the start / to the latest moment",
        "Home / End",
    ),
    Action("latest", "To the &latest moment", ("End",), TIMELINE),
    Action(
        "undo",
        "&Undo the new future",
        ("Ctrl+Z",),
        TIMELINE,
        "undo: bring back the future that a command given in the past replaced",
        separator_before=True,
    ),
    # --- state --------------------------------------------------------------------------
    # (titled in the lesson's words once a run is shown: ``toggle_words``)
    Action("stateful", "S&tateful", ("T",), STATE, "the lesson's first toggle on / off"),
    Action("sticky", "&Sticky", ("S",), STATE, "sticky on / off"),
    Action("shared", "Sha&red store", ("R",), STATE, "the lesson's third toggle on / off"),
    # --- servers ------------------------------------------------------------------------
    *(
        Action(
            f"server_{n}",
            f"Crash / restart server-{n}",
            (str(n),) if n <= 9 else (),  # keys 1-9; the menu reaches all sixteen
            SERVERS,
            "crash / restart server N" if n == 1 else "",
            "1 – 9",
        )
        for n in range(1, 17)
    ),
    Action("add_server", "&Add a server", (), SERVERS, separator_before=True),
    Action("remove_server", "&Remove a server", (), SERVERS),
    Action("toggle_store", "Crash / restore the &store", (), SERVERS),
    # --- view ---------------------------------------------------------------------------
    Action("presenter", "&Presenter mode", ("F5",), VIEW, "presenter mode on / off", "F5 / Esc"),
    Action("leave_presenter", "Leave presenter mode", ("Esc",)),
    Action(
        "presenter_view",
        "Presenter &view (notes, next slide, clock)",
        ("Ctrl+F5",),
        VIEW,
        "the presenter's own window: notes, next slide, clock",
    ),
    Action(
        "next_preset",
        "Next preset",
        ("PgDown",),
        None,
        "next / previous preset (presenter mode)",
        "PgDn / PgUp",
    ),
    Action("previous_preset", "Previous preset", ("PgUp",)),
    Action("notes", "Speaker notes", ("N",), None, "speaker notes on / off (presenter mode)"),
    Action(
        "cycle_plots",
        "Plots shown",
        ("P",),
        None,
        "the preset's plots / all that fit / none (presenter mode)",
    ),
    Action("full_screen", "&Full screen", ("F11",), VIEW, "full screen"),
    Action("event_log", "&Event log", ("Ctrl+L",), VIEW, "show / hide the event log"),
    Action("reduced_motion", "&Reduced motion", (), VIEW, checkable=True, separator_before=True),
    # --- help ---------------------------------------------------------------------------
    Action("shortcuts", "&Keyboard shortcuts", ("F1",), HELP, "all shortcuts"),
)

BY_ID: dict[str, Action] = {a.id: a for a in ACTIONS}


#: The State menu's actions press the lesson's big toggles (``visualizer.lessons``).
TOGGLE_ACTIONS = {"stateful": "T", "sticky": "S", "shared": "R"}


def toggle_words(controls: LessonControls) -> dict[str, tuple[str, str]]:
    """Each toggle action's menu title and F1 line in the lesson's words, e.g.
    ("WebSocke&t", "WebSocket on / off (off: clients poll over plain HTTP)"): the
    key T, S or R is the mnemonic where the title has its letter."""
    words = {}
    for action_id, letter in TOGGLE_ACTIONS.items():
        toggle = controls.toggle(letter)
        title = toggle.title
        at = title.lower().find(letter.lower())  # the toggle's key as its mnemonic
        menu = title if at < 0 else f"{title[:at]}&{title[at:]}"
        words[action_id] = (menu, f"{title} on / off (off: {toggle.off_text})")
    return words


def help_rows(controls: LessonControls | None = None) -> list[tuple[str, str]]:
    """(keys, what they do) for the F1 help, in table order; the toggles in the words of
    the lesson ``controls`` gives (none: the table's own)."""
    said = toggle_words(controls) if controls is not None else {}
    return [(a.key_text, said[a.id][1] if a.id in said else a.help) for a in ACTIONS if a.help]


def hint(*ids: str) -> str:
    """A short line of keys for the control panel, e.g. "Space play · → step"."""
    return " · ".join(f"{BY_ID[i].key_text} {BY_ID[i].help.split(' (')[0]}" for i in ids)
