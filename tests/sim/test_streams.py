"""Named random streams: changing where state lives, the algorithm or stickiness never
changes who arrives, when, or what they intend to do."""

from __future__ import annotations

import dataclasses
from collections import Counter
from functools import cache

import pytest

from tests.sim.helpers import config
from visualizer.sim.records import EventKind
from visualizer.sim.rng import Streams, derive
from visualizer.sim.scenario import list_presets, load
from visualizer.sim.simulation import Simulation

SECONDS = 60.0
PRESETS = [p.name for p in list_presets()]


def arrivals(cfg) -> list[tuple[float, int, int]]:
    """(time, user, workflow length) of every user who arrived in the first minute."""
    sim = Simulation(cfg, record_events=True, event_buffer=5_000_000)
    sim.advance(SECONDS)
    out = [(e.t, e.user, e.detail) for e in sim.drain_events() if e.kind is EventKind.USER_ARRIVED]
    assert out and len(out) == sim.totals.arrived
    return out


def variants(name: str):
    """The preset with each balancer.* and state.* setting changed in turn."""
    yield "algorithm random", dict(balancer__algorithm="random")
    yield "least connections", dict(balancer__algorithm="least_connections")
    yield "hash", dict(balancer__algorithm="hash")
    yield "round robin", dict(balancer__algorithm="round_robin")
    yield "sticky flipped", dict(balancer__sticky=not load(name).balancer.sticky)
    yield "health check 1 s", dict(balancer__health_check_s=1.0)
    for mode in ("local", "shared", "token"):
        yield f"mode {mode}", dict(state__mode=mode)
    yield "big sessions", dict(state__session_kb=500.0)
    yield "short ttl", dict(state__ttl_s=3.0)
    yield "slow token check", dict(state__token_verify_ms=30.0)


@pytest.mark.parametrize("name", PRESETS)
def test_balancer_and_state_settings_never_change_who_arrives(name):
    base = arrivals(load(name))
    for label, changes in variants(name):
        assert arrivals(config(name, **changes)) == base, f"{name}: {label}"


#: Each preset with the sections of three others, chosen so that every preset lends its
#: sections three times: the property the all-pairs test checked (378 pairs, growing with
#: the square of the presets), over every preset's sections, in linear time.
OFFSETS = (1, 7, 13)
PAIRS = [(a, PRESETS[(k + step) % len(PRESETS)]) for k, a in enumerate(PRESETS) for step in OFFSETS]


@cache
def preset_arrivals(name: str) -> tuple[tuple[float, int, int], ...]:
    return tuple(arrivals(load(name)))


def test_every_preset_lends_its_sections_to_three_others():
    lent = Counter(b for _, b in PAIRS)
    assert set(lent) == set(PRESETS) and set(lent.values()) == {len(OFFSETS)}
    assert all(a != b for a, b in PAIRS)


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_presets_with_each_others_balancer_and_state_see_the_same_users(a, b):
    """A preset with another preset's balancer.* and state.* sections: same users."""
    first, second = load(a), load(b)
    mixed = dataclasses.replace(first, balancer=second.balancer, state=second.state)
    assert tuple(arrivals(mixed)) == preset_arrivals(a)


def test_streams_are_distinct_and_stable():
    assert derive(1, "arrivals") == 0x3E730B1EB1B4EFE  # SHA-256: the same in every process
    s = Streams(1)
    draws = {name: getattr(s, name).random() for name in ("arrivals", "users", "service")}
    assert len(set(draws.values())) == 3
    assert Streams(1).users.random() == draws["users"]
    assert Streams(2).users.random() != draws["users"]
