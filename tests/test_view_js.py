"""The browser writes the canonical query exactly as the server does: assets/view.js, run by
Node.js on the same random views, against `ViewState.to_query` and the controls' values."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.state import BINDINGS, view_spec
from transfer import palettes
from transfer.viewstate import (
    CI_LEVELS,
    DISTANCES,
    METHODS,
    NORMS,
    ORDERS,
    PROFILES,
    SIG_LEVELS,
    SORTS,
    TABLE_SORT_DIRECTIONS,
    TABS,
    UNCERTAINTY_DISPLAYS,
    ViewState,
    parse_query,
)

from conftest import ROOT

HARNESS = ROOT / "tests" / "js" / "view_harness.js"
# Labels and ids as links carry them: spaces, '+', '&', '%', '=', non-ASCII, digits.
label = st.text(st.sampled_from("aZ09 _-+&%=/é中.,?#"), min_size=1, max_size=12).filter(str.strip)
number = st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 7))
views = st.builds(
    ViewState,
    dataset=st.sampled_from(["mistral-7b-instruct_auc", "a" * 32, "x.y-z_1"]),
    compare=st.none() | st.sampled_from(["llama-3-8b_auc", "b" * 32]),
    norm=st.sampled_from(NORMS), order=st.sampled_from(ORDERS), method=st.sampled_from(METHODS),
    distance=st.sampled_from(DISTANCES), profile=st.sampled_from(PROFILES),
    k=st.none() | st.integers(2, 2000), cluster=st.none() | st.integers(1, 2000),
    row=st.none() | label, col=st.none() | label, sort=st.sampled_from(SORTS),
    pos=st.none() | number, neg=st.none() | number, diag=st.booleans(), tab=st.sampled_from(TABS),
    ci=st.sampled_from(CI_LEVELS), sig=st.none() | st.sampled_from(SIG_LEVELS), marks=st.booleans(),
    unc=st.sampled_from(UNCERTAINTY_DISPLAYS), palette=st.none() | st.sampled_from(palettes.NAMES),
    ann=st.none() | st.just("c" * 32), filter=st.none() | label,
    where=st.none() | st.tuples(label.filter(lambda t: ":" not in t),
                                st.lists(label.filter(lambda t: "|" not in t), min_size=1, max_size=3, unique=True)
                                .map(tuple)),
    collapse=st.none() | label, group=st.none() | label,
    track=st.none() | st.lists(label.filter(lambda t: "," not in t and t != "none"), max_size=3,
                               unique=True).map(tuple),
    tsort=st.none() | st.tuples(st.sampled_from(TABLE_SORT_DIRECTIONS), st.none() | label),
    trpage=st.integers(1, 2000), tcpage=st.integers(1, 2000),
)


def run_harness(states: list[ViewState]) -> list[dict]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: scripts/test installs Debian's nodejs package")
    cases = [{"controls": {b.field: b.from_state(getattr(s, b.field)) for b in BINDINGS}, "query": s.to_query()}
             for s in states]
    done = subprocess.run([node, str(HARNESS)], input=json.dumps({"spec": view_spec(), "cases": cases}),
                          capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(views, min_size=20, max_size=20))
def test_the_browser_writes_and_reads_links_as_the_server_does(states):
    # a state as a link carries it (numbers at the link's precision): what the page ever holds
    states = [parse_query(s.to_query())[0] for s in states]
    for state, answer in zip(states, run_harness(states)):
        assert answer["query"] == state.to_query(), state
        assert answer["controls"] == {b.field: b.from_state(getattr(state, b.field)) for b in BINDINGS}, state
