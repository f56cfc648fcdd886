"""Each lesson tells its own events in its own words, for the design the run has: the
captions come from real runs of every lesson, with every design its toggles reach."""

from __future__ import annotations

import dataclasses
import itertools
from functools import cache

import pytest

from visualizer.app.run import Run
from visualizer.lessons import SPECS, spec_for
from visualizer.sim import commands as ev
from visualizer.sim import scenario
from visualizer.sim.config import Config, Lesson
from visualizer.sim.records import Event, EventKind, event_of
from visualizer.sim.schema import with_values

K = EventKind
#: What a presenter can do to any run; each leaves one captioned event.
ACTS = (
    ev.CrashServer(0),
    ev.RestartServer(0),
    ev.CrashStore(),
    ev.RestoreStore(),
    ev.AddServer(),
    ev.RemoveServer(1),
)
CAPTIONED = {K.SERVER_CRASHED, K.SERVER_RESTARTED, K.STORE_CRASHED, K.STORE_RESTORED}
CAPTIONED |= {K.SERVER_ADDED, K.SERVER_REMOVED}


def first_preset(lesson: Lesson) -> Config:
    name = next(
        p.name
        for p in scenario.list_presets_cached()
        if p.slide and scenario.load(p.name).scenario.lesson is lesson
    )
    return scenario.load(name)


def designs(lesson: Lesson) -> list[Config]:
    """The lesson's first preset, without its faults, at every design its T and R
    toggles reach (S on and off)."""
    base = dataclasses.replace(first_preset(lesson), faults=())
    controls = SPECS[lesson].controls
    out = []
    for t_on, r_on, sticky in itertools.product((False, True), repeat=3):
        cfg = with_values(base, {"balancer.sticky": sticky}, "test")
        for letter, on in (("T", t_on), ("R", r_on)):
            cfg = with_values(cfg, dict(controls.toggle(letter).changes(cfg, on)), "test")
        if cfg not in out:
            out.append(cfg)
    return out


@cache
def captioned_events(cfg: Config) -> tuple[Event, ...]:
    run = Run(cfg, traces=False)
    run.advance(4.0)
    for act in ACTS:
        assert run.apply(act), act
        run.advance(run.now + 1.0)
    run.advance(run.now + 30.0)  # the removed server drains
    events = (event_of(row) for row in run.log.records())
    return tuple(e for e in events if e.kind in CAPTIONED)


def captions(cfg: Config) -> dict[EventKind, str]:
    spec = spec_for(cfg)
    said = {e.kind: spec.caption(e, cfg) for e in captioned_events(cfg)}
    assert set(said) == CAPTIONED, f"{cfg.scenario.name}: not every act was recorded"
    return said  # type: ignore[return-value]


@pytest.mark.parametrize("lesson", Lesson.known(), ids=str)
def test_every_lesson_captions_every_act_in_its_own_words(lesson):
    for cfg in designs(lesson):
        said = captions(cfg)
        for kind, text in said.items():
            assert text and len(text) <= 90, (kind, text)
            named = "store" if kind in (K.STORE_CRASHED, K.STORE_RESTORED) else "server-"
            assert named in text, (kind, text)
        if lesson not in (Lesson("sessions"), Lesson("auth")):
            # only the lessons with sessions speak of them
            assert not any("session" in text for text in said.values()), said


def test_a_crash_in_the_sessions_lesson_counts_the_sessions_it_lost():
    for cfg in designs(Lesson("sessions")):
        crash = next(e for e in captioned_events(cfg) if e.kind is K.SERVER_CRASHED)
        text = spec_for(cfg).caption(crash, cfg)
        lost = int(crash.detail)
        assert f"— {lost:,} session{'' if lost == 1 else 's'} lost" in text
        store = next(e for e in captioned_events(cfg) if e.kind is K.STORE_CRASHED)
        said = spec_for(cfg).caption(store, cfg)
        # told to the side it happened to: with tokens or server memory nothing fails
        assert ("STORE_UNAVAILABLE" in said) is (cfg.state.mode.value == "shared"), said


def test_realtime_crashes_speak_of_the_connections_the_transport_holds():
    for cfg in designs(Lesson("realtime")):
        crash = next(e for e in captioned_events(cfg) if e.kind is K.SERVER_CRASHED)
        text = spec_for(cfg).caption(crash, cfg)
        transport = cfg.realtime.transport.value
        assert ("WebSockets" in text) is (transport == "websocket"), text
        assert ("held polls" in text) is (transport == "long_poll"), text
    jittered = with_values(designs(Lesson("realtime"))[-1], {"realtime.transport": "websocket"}, "")
    jittered = with_values(jittered, {"realtime.reconnect_jitter_s": 5.0}, "")
    crash = next(e for e in captioned_events(jittered) if e.kind is K.SERVER_CRASHED)
    assert "reconnect within 5 s" in spec_for(jittered).caption(crash, jittered)


def test_counter_and_auth_tell_where_the_state_is():
    for cfg in designs(Lesson("counter")):
        said = captions(cfg)
        on_servers = cfg.counter.placement.value == "server"
        assert ("counts it kept are gone" in said[K.SERVER_CRASHED]) is on_servers
        uses_store = cfg.counter.placement.value == "store"
        assert ("STORE_UNAVAILABLE" in said[K.STORE_CRASHED]) is uses_store
    for cfg in designs(Lesson("auth")):
        said = captions(cfg)
        asks_store = cfg.auth.method.value == "session" or cfg.auth.blocklist or cfg.auth.refresh
        assert ("STORE_UNAVAILABLE" in said[K.STORE_CRASHED]) is asks_store
        assert "nobody signs in again" in said[K.SERVER_CRASHED]
