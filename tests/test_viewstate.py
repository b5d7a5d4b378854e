"""The URL codec: canonical form, round trips, garbage in -> defaults plus notices."""

from __future__ import annotations

import numpy as np
import pytest

from transfer.matrix import TransferMatrix
from transfer.viewstate import (
    ViewState,
    format_number,
    parse_query,
    resolve,
    resolve_shown,
    resolve_thresholds,
    state_from_values,
)

M = TransferMatrix(rows=["A", "B"], cols=["A", "B", "C"], values=np.array([[0.1, -0.2, 0.3], [0.0, 0.2, -0.1]]))


def test_default_state_writes_only_nothing_but_set_fields():
    assert ViewState().to_query() == ""
    assert ViewState(dataset="d").to_query() == "dataset=d"


def test_canonical_order_is_field_order_and_defaults_are_dropped():
    state, notices = parse_query("pos=0.10&row=A&dataset=d&order=data&diag=1&neg=-0.150&k=3")
    assert notices == []
    assert state.to_query() == "dataset=d&k=3&row=A&pos=0.1&neg=-0.15"


@pytest.mark.parametrize(
    "state",
    [
        ViewState(dataset="mistral-7b_auc", row="Hotpot QA & co", col="Ünïcode ✓"),
        ViewState(dataset="abc", compare="def", norm="zrow", order="cluster", method="ward", k=4, cluster=2),
        ViewState(dataset="x", pos=0.123456, neg=-0.5, diag=False, sort="value", tab="dendrogram"),
    ],
    ids=["labels", "clustering", "thresholds"],
)
def test_round_trip(state):
    back, notices = parse_query(state.to_query())
    assert back == state and notices == []


@pytest.mark.parametrize(
    "query, notice",
    [
        ("order=sideways", "Ignored order: 'sideways' is not one of data, cluster, group."),
        ("pos=abc", "Ignored pos: 'abc' is not a number."),
        ("pos=nan", "Ignored pos: 'nan' is not a finite number."),
        ("k=0", "Ignored k: 0 is less than 1; the tree is shown uncut."),
        ("k=3.5", "Ignored k: '3.5' is not a whole number."),
        ("diag=yes", "Ignored diag: 'yes' is not 0 or 1."),
        ("dataset=../etc/passwd", "Ignored dataset: '../etc/passwd' is not a dataset id."),
        ("frobnicate=1", "Ignored unknown parameter 'frobnicate'."),
        ("row=", "Ignored row: empty label."),
    ],
    ids=["choice", "number", "nan", "k-zero", "k-float", "flag", "dataset", "unknown", "empty-label"],
)
def test_garbage_falls_back_to_defaults_with_a_notice(query, notice):
    state, notices = parse_query(query)
    assert notice in notices
    assert state == ViewState()


def test_oversized_query_is_refused_whole():
    state, notices = parse_query("row=" + "x" * 5000)
    assert state == ViewState() and "characters long" in notices[0]


def test_too_many_parameters():
    state, notices = parse_query("&".join(f"a{i}=1" for i in range(100)))
    assert state == ViewState() and "more than 64 parameters" in notices[0]


@pytest.mark.parametrize(
    "value, text",
    [(0.1, "0.1"), (-0.15, "-0.15"), (1e-5, "0.00001"), (-0.0, "0"), (2.0, "2"), (1 / 3, "0.333333"), (-1e-9, "0")],
)
def test_format_number(value, text):
    assert format_number(value) == text


def test_resolve_drops_unknown_labels_and_clamps_thresholds():
    state, _ = parse_query("dataset=d&row=Z&col=C&pos=5&neg=-0.05&k=9&cluster=4")
    resolved, notices = resolve(state, M)
    resolved, more = resolve_shown(resolved, M, M)
    notices += more
    assert resolved.row is None and resolved.col == "C"
    assert resolved.k == 3 and resolved.cluster is None
    assert any("'Z' is not a train dataset" in n for n in notices)
    resolved, notices = resolve_thresholds(resolved, M)
    assert resolved.pos == 0.3 and resolved.neg == -0.05
    assert notices == ["pos=5 is outside 0..0.3; using 0.3."]


def test_resolve_refuses_ward_with_non_euclidean_distance():
    state, _ = parse_query("method=ward&distance=cosine")
    resolved, notices = resolve(state, M)
    assert resolved.method == "average" and "Ward linkage works only with the Euclidean distance" in notices[0]


@pytest.mark.parametrize(
    "old, new",
    [
        ("metric=cosine", "distance=cosine"),
        ("dataset=d&order=cluster&metric=cityblock&k=3", "dataset=d&order=cluster&distance=cityblock&k=3"),
        ("metric=euclidean", ""),  # the default: left out either way
    ],
    ids=["alone", "among-others", "default"],
)
def test_links_with_the_old_distance_key_open_the_same_state_and_write_the_new_one(old, new):
    state, notices = parse_query(old)
    assert (state, notices) == parse_query(new) and notices == []  # an old key needs no notice
    assert state.to_query() == new and "metric" not in state.to_query()


@pytest.mark.parametrize(
    "query, distance",
    [
        ("distance=cosine&metric=cityblock", "cosine"), ("metric=cityblock&distance=cosine", "cosine"),
        ("distance=nope&metric=cosine", "euclidean"),
    ],
    ids=["new-first", "old-first", "new-invalid"],
)
def test_the_distance_key_wins_over_the_old_one(query, distance):
    state, notices = parse_query(query)
    assert state.distance == distance
    assert all("metric" not in notice for notice in notices)


def test_an_invalid_old_distance_key_is_named_as_the_link_wrote_it():
    state, notices = parse_query("metric=manhattan")
    assert state == ViewState()
    assert notices == ["Ignored metric: 'manhattan' is not one of euclidean, correlation, cosine, cityblock."]


def test_state_from_values_types_and_drops_invalid():
    values = {"dataset": "d", "k": 3, "pos": 0.1, "diag": False, "order": "bogus", "row": None}
    state, notices = state_from_values(values)
    assert state == ViewState(dataset="d", k=3, pos=0.1, diag=False)
    assert notices == ["Ignored order: 'bogus' is not one of data, cluster, group."]
