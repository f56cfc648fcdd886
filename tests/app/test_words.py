"""A setting's value in words, from its one spec: marker lines, compare titles and captions
never show a raw ``section.key``."""

from __future__ import annotations

import pytest

from visualizer.app.words import caption, said, short
from visualizer.sim.schema import key_specs

LIVE = [s for s in key_specs().values() if s.section != "scenario"]


@pytest.mark.parametrize("spec", LIVE, ids=[s.dotted for s in LIVE])
def test_every_setting_has_words_without_its_raw_key(spec):
    values = list(spec.choices) or (
        [True, False] if spec.kind == "bool" else [spec.lo, spec.default, spec.hi]
    )
    for value in values:
        for text in (short(spec.dotted, value), caption(spec.dotted, value)):
            assert text and spec.dotted not in text and "_" not in text, text
            assert f"{spec.section}." not in text, text


def test_captions_speak_the_lessons_words():
    assert caption("services.consumer_up", True) == "Consumer running → on"  # was a raw key
    assert caption("balancer.sticky", False) == "sticky sessions off: any request, any server"
    assert caption("counter.placement", "client") == "Count lives → on the client"
    assert said("state.ttl_s", 300.0) == "300 s"
    assert short("state.mode", "local", before="token") == "stateful"
