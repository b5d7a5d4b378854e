"""Annotations files (transfer/annotations.py): every accepted form, every refusal with the line
and column it names, the stored form and its content id, colours, coverage notices."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transfer.annotations import (
    MAX_FIELDS,
    MAX_VALUES,
    NONE_COLOUR,
    NONE_LABEL,
    PALETTE,
    AnnotationError,
    Annotations,
    AnnotationsTooLarge,
    annotations_from_frame,
    parse_annotations,
)
from transfer.cluster_figures import PALETTE as CLUSTER_PALETTE
from transfer.matrix import MatrixError
from transfer.parsing import Limits, TooLarge

ROOT = Path(__file__).resolve().parent.parent
TASKS_CSV = b"""task,task_type,with_context
TriviaQA,factual QA,no
HotpotQA,factual QA,no
Winogrande,coreference,
HotpotQA_WC,reading comprehension,yes
"""
MISSING_CELL_GREY = "#e9ecef"  # the heatmap's plot background (transfer/figures.py)


def parse(text: str, **hints) -> Annotations:
    return parse_annotations(text.encode("utf-8"), **hints)


def refused(text: str | bytes, **hints) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(AnnotationError) as caught:
        parse_annotations(data, **hints)
    return str(caught.value)


# --- accepted --------------------------------------------------------------------------------


def test_csv_fields_tasks_and_values_in_file_order():
    ann = parse_annotations(TASKS_CSV)
    assert ann.fields == ("task_type", "with_context")
    assert ann.tasks == ("TriviaQA", "HotpotQA", "Winogrande", "HotpotQA_WC")
    assert ann.values("task_type") == ("factual QA", "coreference", "reading comprehension")
    assert ann.values("with_context") == ("no", "yes")  # the blank is not a value
    assert ann.value("Winogrande", "with_context") is None
    assert ann.value("HotpotQA_WC", "task_type") == "reading comprehension"
    assert ann.value("not there", "task_type") is None
    assert ann.of("TriviaQA") == {"task_type": "factual QA", "with_context": "no"}
    assert ann.of("not there") == {"task_type": None, "with_context": None}
    assert ann.has_field("task_type") and not ann.has_field("domain")


def test_the_bundled_orgad_tasks_file_reads():
    ann = parse_annotations((ROOT / "data/orgad2025-tasks.csv").read_bytes(), "orgad2025-tasks.csv")
    assert ann.fields[0] == "task_type" and "TriviaQA" in ann.tasks


def test_tsv_semicolons_comments_bom_crlf_quotes_and_spaces():
    tsv = parse("task\ttype\nA\tqa\nB\tnli\n")
    assert tsv.table == {"A": ("qa",), "B": ("nli",)}
    semi = parse("# my tasks\ntask;type\nA;qa\n\nB ; nli \n")
    assert semi.table == {"A": ("qa",), "B": ("nli",)}
    quoted = parse_annotations(b'\xef\xbb\xbftask,type\r\n"A, the first","qa, short"\r\n')
    assert quoted.table == {"A, the first": ("qa, short",)}


def test_missing_tokens_and_the_none_label_are_blank_and_spaces_collapse():
    ann = parse("task,type\nA,NA\nB,(none)\nC,  \nD,null\nE,  question   answering \n")
    assert [ann.value(t, "type") for t in "ABCD"] == [None] * 4
    assert ann.value("E", "type") == "question answering"
    assert ann.values("type") == ("question answering",)


def test_the_download_formula_guard_is_undone():
    ann = parse("task,type\n'=A,'-x\n")
    assert ann.table == {"=A": ("-x",)}


def test_json_forms():
    # {"tasks": {task: {field: value}}}: fields in order of first appearance; absent keys blank
    nested = {"tasks": {"A": {"type": "qa"}, "B": {"type": "nli", "ctx": True}}}
    ann = parse(json.dumps(nested))
    assert ann.fields == ("type", "ctx")
    assert ann.table == {"A": ("qa", None), "B": ("nli", "true")}
    # "fields" fixes the order
    ann = parse(json.dumps({"fields": ["ctx", "type"], **nested}))
    assert ann.fields == ("ctx", "type") and ann.table["B"] == ("true", "nli")
    # records (pandas to_json(orient="records")): numbers become text, null is blank
    records = [{"task": "A", "layer": 12, "type": None}, {"task": "B", "layer": 1.5, "type": "qa"}]
    ann = parse(json.dumps(records), filename="tasks.json")
    assert ann.fields == ("layer", "type") and ann.table == {"A": ("12", None), "B": ("1.5", "qa")}
    # a bare mapping (pandas set_index("task").to_json(orient="index"))
    assert parse(json.dumps({"A": {"type": "qa"}, "B": {"type": "nli"}})).values("type") == ("qa", "nli")


def test_format_hints_override_the_content():
    # starts like JSON, but named .csv: read as CSV (and refused as such, naming the line)
    assert "line 1" in refused('["task"]\n', filename="a.csv")
    assert "JSON" in refused("task,type\nA,qa\n", content_type="application/json")


def test_from_frame_first_column_or_named_index():
    frame = pd.DataFrame({"task": ["A", "B"], "type": ["qa", None]})
    ann = annotations_from_frame(frame)
    assert ann.table == {"A": ("qa",), "B": (None,)}
    assert annotations_from_frame(frame.set_index("task")) == ann
    labelled = pd.DataFrame({"type": ["qa", "nli"]}, index=["A", "B"])  # labels in an unnamed index
    assert annotations_from_frame(labelled).table == {"A": ("qa",), "B": ("nli",)}
    with pytest.raises(AnnotationError, match="appears twice"):
        annotations_from_frame(pd.DataFrame([["A", "x", "y"]], columns=["task", "type", "type"]))


# --- stored form, content id, colours --------------------------------------------------------


def test_json_dict_round_trip_and_content_id():
    ann = parse_annotations(TASKS_CSV)
    stored = ann.to_json_dict()
    assert stored["fields"] == ["task_type", "with_context"]
    assert stored["tasks"]["Winogrande"] == {"task_type": "coreference", "with_context": None}
    back = Annotations.from_json_dict(json.loads(json.dumps(stored)))
    assert back == ann and back.content_id() == ann.content_id()
    assert re.fullmatch(r"[0-9a-f]{32}", ann.content_id())
    # the stored form is also a file the parser reads, to the same content
    assert parse(json.dumps(stored)).content_id() == ann.content_id()
    assert hash(back) == hash(ann)


def test_content_id_changes_with_any_content_or_order():
    base = parse("task,type\nA,qa\nB,nli\n").content_id()
    assert parse("task,type\nA,qa\nB,nli\n").content_id() == base  # same content, same id
    assert parse("task, type \n A ,qa\nB,nli\n").content_id() == base  # spaces are not content
    assert parse("task,type\nB,nli\nA,qa\n").content_id() != base  # order decides the colours
    assert parse("task,type\nA,qa\nB,NLI\n").content_id() != base
    assert parse("task,kind\nA,qa\nB,nli\n").content_id() != base
    assert parse("task,type\nA,qa\nB,\n").content_id() != base


def test_from_json_dict_checks_what_it_reads():
    with pytest.raises(AnnotationError, match="not in 'fields'"):
        Annotations.from_json_dict({"fields": ["type"], "tasks": {"A": {"kind": "x"}}})


def test_palette_is_fixed_distinct_and_not_the_missing_or_none_grey():
    assert len(PALETTE) == MAX_VALUES == 24
    assert all(re.fullmatch(r"#[0-9a-f]{6}", colour) for colour in (*PALETTE, NONE_COLOUR))
    assert len(set(PALETTE)) == len(PALETTE)
    assert PALETTE[:3] == ("#332288", "#88ccee", "#44aa99")  # Paul Tol's muted scheme first
    # the cluster bands sit beside the tracks: the first 16 values take none of their colours
    assert not {c.lower() for c in CLUSTER_PALETTE} & set(PALETTE[:16])
    assert MISSING_CELL_GREY not in PALETTE and NONE_COLOUR not in PALETTE and NONE_COLOUR != MISSING_CELL_GREY
    assert MISSING_CELL_GREY in (ROOT / "transfer/figures.py").read_text()  # still the heatmap's grey


def test_value_i_gets_colour_i_in_every_parse():
    ann = parse_annotations(TASKS_CSV)
    assert ann.colour("task_type", "factual QA") == PALETTE[0]
    assert ann.colour("task_type", "reading comprehension") == PALETTE[2]
    assert ann.colour("with_context", "no") == PALETTE[0] and ann.colour("with_context", "yes") == PALETTE[1]
    assert ann.colour("task_type", None) == NONE_COLOUR == ann.colour("task_type", NONE_LABEL)
    assert ann.colour("task_type", "unknown value") == NONE_COLOUR
    with pytest.raises(KeyError):
        ann.colour("domain", "x")
    again = parse_annotations(TASKS_CSV.replace(b"\n", b"\r\n"))
    assert all(again.colour(f, v) == ann.colour(f, v) for f in ann.fields for v in ann.values(f))
    assert ann.colours("with_context") == {"no": PALETTE[0], "yes": PALETTE[1], NONE_LABEL: NONE_COLOUR}


def test_all_24_values_get_distinct_colours():
    text = "task,v\n" + "".join(f"t{i},value {i}\n" for i in range(MAX_VALUES))
    ann = parse(text)
    assert [ann.colour("v", f"value {i}") for i in range(MAX_VALUES)] == list(PALETTE)


# --- coverage notices -------------------------------------------------------------------------


def test_coverage_notices():
    ann = parse_annotations(TASKS_CSV)
    assert ann.coverage_notices(["TriviaQA", "HotpotQA"], ["Winogrande", "HotpotQA_WC", "TriviaQA"]) == []
    notices = ann.coverage_notices(["TriviaQA", "HotpotQA", "Math"], ["TriviaQA", "HotpotQA"])
    assert notices == [
        "2 labels in the annotations are not in the matrix: 'Winogrande', 'HotpotQA_WC'",
        "1 task of the matrix has no annotation (shown as '(none)'): 'Math'",
    ]
    many = [f"m{i}" for i in range(8)]
    notices = ann.coverage_notices(many, many[:3])
    assert notices[1] == (
        "8 tasks of the matrix have no annotation (shown as '(none)'): 'm0', 'm1', 'm2', 'm3', 'm4' and 3 more"
    )
    assert notices[0].startswith("4 labels in the annotations are not in the matrix")


# --- refused: each with its line and column ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "task,type\nA,qa\nB,nli\nA,qa\n",
            "line 4: task 'A' is annotated twice (line 2 and line 4); give each task one row",
        ),
        ("task,type\nA,qa\n  ,nli\n", "line 3, column 1: empty task label; every annotated task needs a name"),
        (
            "task,type,,domain\nA,qa,x,y\n",
            "line 1, column 3 of the header: empty field name; every field column needs a name",
        ),
        (
            "task,type,domain,type\nA,qa,x,y\n",
            "line 1, column 4 of the header: field 'type' appears twice (also column 2); every field needs its "
            "own name",
        ),
        (
            "# comment\ntask\nA\n",
            "line 2: no field columns; expected the task column, then one column per field "
            "(for example task,task_type,domain)",
        ),
        ("task,type\nA,qa,extra\n", "line 2 (task 'A'): 3 fields, expected 2 like the header (ragged rows)"),
        ("task,type\nA\n", "line 2 (task 'A'): 1 fields, expected 2 like the header (ragged rows)"),
        ("task,a:b\nA,qa\n", "line 1, column 2 of the header: field name 'a:b' contains ':'"),
        ("task,a,b,c\nA,1,2,3\n", None),  # accepted: the controls
        ("task,x,a;b\nA,1,2\n", None),  # a semicolon in a comma file is text
        ("task,x,a\nA,qa|nli,3\n", "line 2, column 2 (task 'A', field 'x'): the value 'qa|nli' contains '|'"),
        ("task,None\nA,1\n", "line 1, column 2 of the header: 'None' cannot be a field name"),
        ("task,type\n", "the file has a header but no task rows; expected one row per task"),
        ("# only\n# comments\n", "the file has only comment lines; expected a header row and one row per task"),
        ("  \n\n", "the file is empty; expected a header row"),
        ("task,type\n" + "x" * 201 + ",qa\n", "line 2, column 1: task label 'xxxx"),
        ("task," + "f" * 201 + "\nA,qa\n", "line 1, column 2 of the header: field name 'ffff"),
        ("task,type\nA," + "v" * 201 + "\n", "line 2, column 2 (task 'A', field 'type'): the value is 201 characters"),
    ],
)
def test_refusals_name_the_line_and_column(text, message):
    if message is None:
        parse(text)
        return
    assert refused(text).startswith(message)


def test_field_names_with_a_comma_are_refused():
    # a quoted header cell: links write track=<field>,<field>
    assert refused('task,"a,b"\nA,1\n').startswith(
        "line 1, column 2 of the header: field name 'a,b' contains ','; field names cannot contain ':' or ','"
    )


def test_too_many_fields_says_the_limit():
    header = ",".join(["task", *(f"f{k}" for k in range(MAX_FIELDS + 1))])
    row = ",".join(["A", *("x" for _ in range(MAX_FIELDS + 1))])
    assert refused(f"{header}\n{row}\n") == (
        f"line 1: {MAX_FIELDS + 1} fields; at most {MAX_FIELDS} are allowed (MAX_FIELDS): keep the fields you want "
        "to group, filter or colour by"
    )
    header = ",".join(["task", *(f"f{k}" for k in range(MAX_FIELDS))])
    row = ",".join(["A", *("x" for _ in range(MAX_FIELDS))])
    assert parse(f"{header}\n{row}\n").fields[-1] == f"f{MAX_FIELDS - 1}"


def test_too_many_distinct_values_says_the_field_the_count_and_the_limit():
    text = "task,type,domain\n" + "".join(f"t{i},qa,d{i}\n" for i in range(30))
    assert refused(text) == (
        "field 'domain' has 30 distinct values; at most 24 (MAX_VALUES) can be told apart by colour (value 25, "
        "'d24', is at line 26, column 3): merge values, or leave the field out"
    )
    text = "task,domain\n" + "".join(f"t{i},d{i % MAX_VALUES}\n" for i in range(100))  # 24 values, many tasks
    assert len(parse(text).values("domain")) == MAX_VALUES


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "the file is not text: it looks like a PNG image; expected CSV, TSV or JSON"),
        (
            b"PK\x03\x04rest",
            "the file is not text: it looks like a ZIP archive or an Excel workbook; save the sheet "
            "as CSV (annotations are read from CSV, TSV or JSON)",
        ),
        (b"task,type\x00\nA,b\n", "the file is not text (it contains NUL bytes)"),
        (b"task,type\nA,caf\xe9\n", "the file is not UTF-8 text (invalid byte at position 15)"),
        (b"\xff\xfe\x00\xd8", "the file starts like UTF-16 text but is not valid UTF-16"),
    ],
)
def test_binary_and_badly_encoded_files(data, message):
    assert refused(data).startswith(message)


def test_utf16_text_is_read():
    assert parse_annotations("task,type\nA,qa\n".encode("utf-16")).table == {"A": ("qa",)}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ('{"tasks": [', "not valid JSON: Expecting value (line 1, column 12)"),
        ("42", 'the JSON is not an annotations document; expected {"tasks"'),
        ("[]", "the JSON names no task"),
        ('{"tasks": {}}', "the JSON names no task"),
        ('[{"name": "A", "type": "qa"}]', "JSON record 1 has no \"task\" key (it has 'name', 'type')"),
        ('[{"task": "A"}, 3]', "JSON record 2: 3 is not an object"),
        ('[{"task": "A", "t": 1}, {"t": 2}]', 'JSON record 2 has no "task" key'),
        ('[{"task": 5, "t": 1}]', "JSON record 1: the task label must be text, got 5"),
        ('[{"task": "A", "t": [1]}]', "JSON record 1, field 't' (task 'A', field 't'): [1] is not a value"),
        (
            '{"tasks": {"A": {"t": {"x": 1}}}}',
            "JSON task 'A', field 't' (task 'A', field 't'): {\"x\": 1} is not a value",
        ),
        ('{"tasks": {"A": "qa"}}', "JSON task 'A': \"qa\" is not an object of field values"),
        (
            '{"A": {"t": 1}, "A ": {"t": 2}}',
            "JSON task 'A ': task 'A' is annotated twice (JSON task 'A' and JSON task 'A ')",
        ),
        ('{"fields": "t", "tasks": {"A": {"t": 1}}}', "'fields' must be a list of field names"),
        ('{"tasks": {"A": {}}}', "no field columns"),
        ('{"tasks": {"A": {"": 1}}}', "field 1: empty field name"),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON: nested too deeply"),
    ],
)
def test_json_refusals(document, message):
    assert refused(document, filename="tasks.json").startswith(message)


def test_size_limit_is_the_matrices_and_a_413():
    limits = Limits(max_bytes=100)
    with pytest.raises(AnnotationsTooLarge) as caught:
        parse_annotations(b"task,type\n" + b"A,qa\n" * 30, limits=limits)
    assert isinstance(caught.value, TooLarge) and isinstance(caught.value, AnnotationError)
    assert str(caught.value) == "the file is 160 bytes; the limit is 100 bytes"


def test_task_count_limit_follows_the_cell_limit():
    limits = Limits(max_cells=8)  # a matrix within 8 cells has at most 4 labels on an axis
    assert len(parse_annotations(b"task,t\n" + b"".join(b"t%d,x\n" % i for i in range(4)), limits=limits).tasks) == 4
    with pytest.raises(AnnotationsTooLarge, match="more than 4 tasks"):
        parse_annotations(b"task,t\n" + b"".join(b"t%d,x\n" % i for i in range(5)), limits=limits)


def test_errors_are_matrix_errors_for_the_routes():
    assert issubclass(AnnotationError, MatrixError)


# --- any bytes: annotations or AnnotationError ----------------------------------------------------

TOKENS = [
    b",",
    b"\t",
    b";",
    b"\n",
    b"\r\n",
    b'"',
    b"#",
    b"'",
    b"=",
    b"|",
    b":",
    b"NA",
    b"(none)",
    b"task",
    b"type",
    b"{",
    b"}",
    b"[",
    b"]",
    b'"tasks"',
    b'"task"',
    b"\x00",
    b"\xff",
    b" ",
    b"qa",
    b"x" * 210,
    b"null",
    b"1",
]


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(draw(st.sampled_from([TASKS_CSV, json.dumps({"tasks": {"A": {"t": "x"}}}).encode()])))
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "token"]))
        if action == "delete" and data:
            del data[min(position, len(data) - 1)]
        elif action == "insert":
            data[position:position] = bytes([draw(st.integers(0, 255))])
        else:
            data[position:position] = draw(st.sampled_from(TOKENS))
    return bytes(data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_any_file_is_annotations_or_a_clear_error(data):
    try:
        ann = parse_annotations(data)
    except AnnotationError as err:
        assert str(err)
        return
    assert ann.fields and ann.tasks and len(ann.fields) <= MAX_FIELDS
    assert all(len(ann.values(field)) <= MAX_VALUES for field in ann.fields)
    assert Annotations.from_json_dict(ann.to_json_dict()).content_id() == ann.content_id()
