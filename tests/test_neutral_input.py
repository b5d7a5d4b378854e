"""The neutral-value box: typed text parsed on the server (locale-free, a decimal comma read as a
point), refused with a reason when it is not a number or lies outside the matrix, and a stored
copy that opens with the rest of the view kept."""

from __future__ import annotations

import numpy as np
import pytest

from components import ids
from transfer.matrix import TransferMatrix
from transfer.viewstate import ViewState, parse_neutral, parse_query, parse_typed_number

from callbacks import CALLBACK_PATH, callback_body, callback_key

AUC = "mistral-7b-instruct_auc"  # raw AUC: neutral 0.5, colour range fixed to 0..1


@pytest.mark.parametrize(
    "text, value",
    [
        ("0.5", 0.5), ("0,5", 0.5), (" .25 ", 0.25), ("-1e-3", -0.001), ("+2", 2.0), ("5.", 5.0), ("\u22120.5", -0.5),
        (0.75, 0.75), (3, 3.0),
    ],
    ids=[
        "point", "decimal-comma", "padded", "exponent", "plus", "trailing-point", "typographic-minus", "number", "int",
    ],
)
def test_typed_numbers_are_read_without_locale(text, value):
    assert parse_typed_number(text) == value


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "type a number"),
        ("   ", "type a number"),
        (None, "type a number"),
        ("abc", "'abc' is not a number"),
        ("1_0", "'1_0' is not a number"),
        ("١٢", "'١٢' is not a number"),
        ("0x10", "'0x10' is not a number"),
        ("1,000.5", "without thousands separators"),
        ("1,0,0", "without thousands separators"),
        ("nan", "'nan' is not a finite number"),
        ("-inf", "'-inf' is not a finite number"),
        ("1e999", "'1e999' is too large a number"),
        ("x" * 200, "'" + "x" * 39 + "…' is not a number"),
    ],
    ids=[
        "empty", "blank", "none", "word", "underscore", "arabic-digits", "hex", "thousands", "two-commas", "nan", "inf",
        "overflow", "long-text",
    ],
)
def test_typed_text_that_is_not_a_number_is_refused_with_a_reason(text, message):
    with pytest.raises(ValueError) as refused:
        parse_typed_number(text)
    assert message in str(refused.value)


def test_a_huge_typed_number_is_echoed_short():
    with pytest.raises(ValueError, match=r"^1e\+200 is outside") as refused:
        parse_neutral("9" * 200, TransferMatrix(rows=["a"], cols=["a"], values=[[0.5]]))
    assert len(str(refused.value)) < 120


def test_a_neutral_value_outside_the_matrix_is_refused_and_the_range_is_said():
    auc = TransferMatrix(
        rows=["a", "b"], cols=["a", "b"], values=[[0.6, 0.7], [0.8, 0.95]], neutral=0.5, scale=(0.0, 1.0),
    )
    assert parse_neutral("0,85", auc) == 0.85
    assert parse_neutral("0", auc) == 0.0  # the colour range's edge is still inside
    with pytest.raises(ValueError, match=r"1000 is outside this matrix's values \(0 to 1\)"):
        parse_neutral("1000", auc)
    diff = TransferMatrix(rows=["a", "b"], cols=["a", "b"], values=[[0.1, -0.2], [np.nan, 0.3]])
    with pytest.raises(ValueError, match=r"-5 is outside this matrix's values \(-0.3 to 0.3\)"):
        parse_neutral("-5", diff)


def test_the_box_is_a_text_box_for_decimals(app):
    from components import upload

    with app.server.app_context():
        card = upload.layout()
    box = next(c for c in card._traverse() if getattr(c, "id", None) == ids.NEUTRAL_INPUT)
    assert box.type == "text" and box.inputMode == "decimal"


def apply(app, client, text, query: str, token=None):
    """The Apply button's callback as the page sends it: (VIEW_OPEN data or None, status text, class)."""
    key = callback_key(app, ids.NEUTRAL_APPLY)
    body = callback_body(app, key, {ids.NEUTRAL_APPLY: 1, ids.NEUTRAL_INPUT: text, ids.UPLOAD_TOKEN: token})
    for entry in body["state"] + body["inputs"]:  # the box's text for its value, a count for n_submit
        if entry["id"] == ids.NEUTRAL_INPUT:
            entry["value"] = text if entry["property"] == "value" else None
        elif entry["id"] == ids.VIEW:
            entry["value"] = query
    response = client.post(CALLBACK_PATH, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    answer = response.get_json()["response"]
    opened = answer.get(ids.VIEW_OPEN, {}).get("data")
    return opened, answer[ids.UPLOAD_STATUS]["children"], answer[ids.UPLOAD_STATUS]["className"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Neutral value: type a number."),
        ("abc", "Neutral value: 'abc' is not a number."),
        ("1000", "Neutral value: 1000 is outside this matrix's values (0 to 1)"),
        ("inf", "Neutral value: 'inf' is not a finite number."),
    ],
    ids=["empty", "word", "outside", "infinite"],
)
def test_refusals_are_said_in_the_status_line_and_nothing_opens(app, client, text, message):
    opened, status, status_class = apply(app, client, text, f"dataset={AUC}")
    assert opened is None
    assert status.startswith(message) and "text-danger" in status_class


def test_the_current_value_is_said_and_opens_nothing(app, client):
    opened, status, _ = apply(app, client, "0,5", f"dataset={AUC}")
    assert opened is None and "0.5 is already this matrix's neutral value" in status


def test_a_decimal_comma_opens_a_copy_with_the_rest_of_the_view_kept(app, client):
    view = (f"dataset={AUC}&order=cluster&k=3&cluster=2&row=Winobias&col=TriviaQA&sort=value&pos=0.8&neg=0.2&diag=0"
            "&tab=dendrogram")
    state, notices = parse_query(view)
    assert notices == []
    opened, status, status_class = apply(app, client, "0,6", view)
    assert "text-success" in status_class and "neutral value 0.6" in status
    copy, notices = parse_query(opened["query"])
    assert notices == []
    matrix = app.server.config["TMX_DATASETS"].get(copy.dataset)
    assert copy.dataset != AUC and matrix.neutral == 0.6
    # everything but the dataset is kept: the selection, order, cut, tab and thresholds in range
    assert copy == ViewState(**{**state.as_dict(), "dataset": copy.dataset})


def test_a_threshold_the_new_neutral_leaves_out_of_range_restarts_from_the_suggestion(app, client):
    view = f"dataset={AUC}&row=Winobias&pos=0.6&neg=0.3"
    opened, _, _ = apply(app, client, "0.85", view)
    copy, _ = parse_query(opened["query"])
    assert copy.row == "Winobias" and copy.neg == 0.3  # still below the new neutral
    assert copy.pos is not None and copy.pos >= 0.85  # 0.6 is below it now: the copy's suggestion


def test_enter_in_the_box_applies_it_too(app):
    key = callback_key(app, ids.NEUTRAL_APPLY)
    assert {"id": ids.NEUTRAL_INPUT, "property": "n_submit"} in app.callback_map[key]["inputs"]
