"""The link keys of task metadata: ann, filter, where, collapse, order=group, group, track."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from transfer.matrix import TransferMatrix
from transfer.viewstate import (
    ViewState,
    parse_query,
    resolve_annotations,
    resolve_shown,
    state_from_values,
)

ANN = "0123456789abcdef0123456789abcdef"
FIELDS = ("task_type", "with_context")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (f"ann={ANN}", {"ann": ANN}),
        ("filter=qa", {"filter": "qa"}),
        ("where=task_type:factual QA|math", {"where": ("task_type", ("factual QA", "math"))}),
        ("where=a:b:c", {"where": ("a", ("b:c",))}),  # the first colon ends the field
        ("where=a:x||x", {"where": ("a", ("x",))}),  # empty and repeated values dropped
        ("collapse=task_type", {"collapse": "task_type"}),
        ("order=group&group=with_context", {"order": "group", "group": "with_context"}),
        ("track=task_type,with_context", {"track": ("task_type", "with_context")}),
        ("track=none", {"track": ()}),
    ],
)
def test_keys_parse_and_write_back_canonically(query, expected):
    state, notices = parse_query(query)
    assert notices == []
    assert {name: getattr(state, name) for name in expected} == expected
    again, _ = parse_query(state.to_query())
    assert again == state


def test_canonical_order_puts_the_new_keys_beside_their_kin():
    state = ViewState(dataset="d", track=("a",), where=("a", ("x",)), filter="q", ann=ANN, collapse="a",
                      group="a", order="group", compare="e")
    keys = [pair.split("=")[0] for pair in state.to_query().split("&")]
    assert keys == ["dataset", "compare", "ann", "filter", "where", "collapse", "order", "group", "track"]


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("ann=xyz", "Ignored ann: 'xyz' is not an annotations id (32 hexadecimal digits)."),
        ("ann=" + "A" * 32, "is not an annotations id"),
        ("filter=%20%20", "Ignored filter: empty text."),
        ("filter=" + "x" * 101, "Ignored filter: the text is 101 characters long; at most 100 allowed."),
        ("where=task_type", "Ignored where: 'task_type' is not field:value (several values separated by |)."),
        ("where=task_type:|", "Ignored where: 'task_type:|' names no value."),
        ("where=:x", "Ignored where: '' is not a field name."),
        ("track=a,b,c,d", "Ignored track: 4 fields; at most 3 tracks are drawn."),
        ("order=groups", "Ignored order: 'groups' is not one of data, cluster, group."),
    ],
)
def test_malformed_keys_are_ignored_with_a_specific_notice(query, notice):
    state, notices = parse_query(query)
    assert len(notices) == 1 and notice in notices[0]
    assert state == ViewState()


def test_state_from_values_keeps_tuple_fields_of_a_state():
    state = ViewState(dataset="d", where=("task_type", ("math",)), track=("with_context",))
    again, notices = state_from_values(state.as_dict())
    assert notices == [] and again == state


def test_state_from_values_refuses_lists_from_a_request():
    again, _ = state_from_values({"dataset": "d", "track": ["a", "b"]})
    assert again.track is None


def test_without_annotations_every_field_key_is_dropped_with_one_notice():
    state, _ = parse_query("order=group&group=a&collapse=a&where=a:x&track=a&filter=q")
    resolved, notices = resolve_annotations(state, None)
    assert notices == ["Ignored where, collapse, group, track, order=group: this matrix has no task annotations."]
    assert resolved == ViewState(filter="q")  # a filter reads the labels: it needs no annotations


def test_unknown_fields_are_dropped_and_the_known_ones_named():
    state, _ = parse_query("where=kind:x&collapse=kind&track=kind,task_type")
    resolved, notices = resolve_annotations(state, FIELDS)
    # the one known track is the first field: the default, left out of the link
    assert resolved.where is None and resolved.collapse is None and resolved.track is None
    assert notices == [
        "Ignored where: 'kind' is not a field of the annotations (task_type, with_context).",
        "Ignored collapse: 'kind' is not a field of the annotations (task_type, with_context).",
        "Ignored track: 'kind' is not a field of the annotations (task_type, with_context).",
    ]


def test_tracks_keep_their_order_and_the_first_field_alone_is_the_default():
    assert resolve_annotations(ViewState(track=("with_context", "task_type")), FIELDS)[0].track == (
        "with_context", "task_type")
    assert resolve_annotations(ViewState(track=("task_type",)), FIELDS)[0].track is None
    assert resolve_annotations(ViewState(track=()), FIELDS)[0].track == ()


def test_order_group_without_a_group_sorts_by_the_first_field():
    resolved, notices = resolve_annotations(ViewState(order="group"), FIELDS)
    assert resolved.group == "task_type" and notices == []
    assert "group=task_type" in resolved.to_query()


def test_a_hidden_selection_is_dropped_with_the_reason():
    stored = TransferMatrix(rows=["a", "b", "c"], cols=["a", "b", "c"], values=np.zeros((3, 3)))
    shown = stored.reordered([0, 1], [0, 1])
    state = ViewState(row="c", col="zz")
    resolved, notices = resolve_shown(state, shown, stored)
    assert resolved.row is None and resolved.col is None
    assert notices == ["Ignored row: 'c' is not shown: the filter leaves it out.",
                       "Ignored col: 'zz' is not a test dataset of this matrix."]
    collapsed, notices = resolve_shown(ViewState(row="c", collapse="kind"), shown, stored)
    assert collapsed.row is None and notices == ["Ignored row: 'c' is not a kind of the collapsed matrix."]


_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=12)


@given(field=_text.filter(lambda t: ":" not in t and t.strip()),
       values=st.lists(_text.filter(lambda t: "|" not in t), min_size=1, max_size=4, unique=True),
       text=_text.filter(str.strip))
def test_any_where_and_filter_survive_the_link(field, values, text):
    state = ViewState(dataset="d", where=(field, tuple(values)), filter=text)
    again, notices = parse_query(state.to_query())
    assert notices == [] and again == state
