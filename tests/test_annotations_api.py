"""Task annotations in: `POST /api/annotations`, the `annotations` field of `POST /api/datasets`,
the drop zone's callbacks, `python app.py matrix.csv --annotations tasks.csv` and
`explore(df, annotations=ann_df)`. Content-addressed like datasets; refused whole with a message
that says which file, which line and which column."""

from __future__ import annotations

import base64
import io
import json
import re
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from sqlalchemy import create_engine, func, select

from components import ids
from transfer.annotations import MAX_FIELDS, MAX_VALUES, AnnotationError
from transfer.store import StoredAnnotations, StoredDataset
from web.services import DATASETS_KEY

from callbacks import CALLBACK_PATH, callback_body, callback_key
from conftest import ROOT

MATRIX = b"train\\test,Alpha,Beta,Gamma\nAlpha,0.5,-0.25,0.1\nBeta,0.2,0.3,\nGamma,-0.1,0.0,0.4\n"
TASKS = b"task,kind,domain\nAlpha,QA,web\nBeta,QA,\nGamma,math,school\n"
TASKS_JSON = json.dumps({"tasks": {"Alpha": {"kind": "QA", "domain": "web"}, "Beta": {"kind": "QA", "domain": None},
                                   "Gamma": {"kind": "math", "domain": "school"}}}).encode()
DUPLICATE = b"task,kind\nAlpha,QA\nBeta,QA\nAlpha,math\n"
HEX32 = re.compile(r"[0-9a-f]{32}")


def multipart(**files) -> dict:
    return {"data": {name: (io.BytesIO(data), filename) for name, (data, filename) in files.items()},
            "content_type": "multipart/form-data"}


def post_annotations(client, data: bytes = TASKS, filename: str = "tasks.csv", **kwargs):
    return client.post("/api/annotations", **multipart(file=(data, filename)), **kwargs)


def rows(app, table) -> int:
    engine = create_engine(app.server.config[DATASETS_KEY].store.url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(table)).scalar_one()
    finally:
        engine.dispose()


# --- POST /api/annotations -----------------------------------------------------------------------


def test_post_multipart_stores_and_answers_id_fields_and_count(client, app):
    response = post_annotations(client)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) == {"id", "fields", "tasks"}
    assert HEX32.fullmatch(body["id"])  # 128 bits
    assert body["fields"] == ["kind", "domain"] and body["tasks"] == 3
    stored = app.server.config[DATASETS_KEY].annotations(body["id"])
    assert stored.value("Beta", "domain") is None and stored.values("kind") == ("QA", "math")


@pytest.mark.parametrize(("data", "content_type"),
                         [(TASKS, "text/csv"), (TASKS.replace(b",", b"\t"), "text/tab-separated-values"),
                          (TASKS_JSON, "application/json"), (TASKS, "application/x-www-form-urlencoded")],
                         ids=["csv", "tsv", "json", "curl-data-binary-default"])
def test_post_raw_body_and_every_format_gives_the_same_id(client, data, content_type):
    expected = post_annotations(client).get_json()["id"]
    response = client.post("/api/annotations", data=data, content_type=content_type)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["id"] == expected  # same content, same id: stored once


def test_same_content_is_stored_once_and_another_content_is_another_id(client, app):
    first = post_annotations(client).get_json()["id"]
    assert post_annotations(client, filename="again.csv").get_json()["id"] == first
    assert rows(app, StoredAnnotations) == 1
    other = post_annotations(client, TASKS.replace(b"math", b"arithmetic")).get_json()["id"]
    assert other != first and rows(app, StoredAnnotations) == 2


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "the file is empty"),
        (DUPLICATE, "line 4: task 'Alpha' is annotated twice (line 2 and line 4)"),
        (b"task,kind\nAlpha,QA\n,math\n", "line 3, column 1: empty task label"),
        (b"task\nAlpha\nBeta\n", "no field columns"),
        (b"task,kind,kind\nAlpha,QA,x\n", "field 'kind' appears twice"),
        (b"task,kind,\nAlpha,QA,x\n", "line 1, column 3 of the header: empty field name"),
        (b"task,kind\nAlpha,QA\nBeta,QA,extra\n", "line 3 (task 'Beta'): 3 fields, expected 2"),
        ("task," + ",".join(f"f{i}" for i in range(MAX_FIELDS + 1)) + "\nA" + ",x" * (MAX_FIELDS + 1) + "\n",
         (f"{MAX_FIELDS + 1} fields", f"at most {MAX_FIELDS}")),
        ("task,kind\n" + "".join(f"t{i},v{i}\n" for i in range(MAX_VALUES + 1)),
         ("field 'kind'", f"{MAX_VALUES + 1} distinct values", f"at most {MAX_VALUES}",
          f"line {MAX_VALUES + 2}, column 2")),
        (b"\x00\x01binary", "not text"),
        (b'{"tasks": [}', "not valid JSON"),
    ],
    ids=["empty", "duplicate", "empty-label", "no-fields", "duplicate-field", "empty-field", "ragged",
         "too-many-fields", "too-many-values", "binary", "bad-json"],
)
def test_refused_with_400_and_which_line_and_column(client, app, data, fragment):
    data = data.encode() if isinstance(data, str) else data
    filename = "tasks.json" if data.startswith(b"{") else "tasks.csv"
    response = post_annotations(client, data, filename)
    assert response.status_code == 400
    message = response.get_json()["error"]
    assert all(part in message for part in ((fragment,) if isinstance(fragment, str) else fragment)), message
    assert rows(app, StoredAnnotations) == 0


def test_no_file_field_is_400(client):
    response = client.post("/api/annotations", **multipart(other=(TASKS, "tasks.csv")))
    assert response.status_code == 400 and "multipart field 'file'" in response.get_json()["error"]


def test_over_the_limit_is_413_json(make_app):
    client = make_app(max_upload_bytes=1000).server.test_client()
    big = TASKS + b"#" * 1000
    raw = client.post("/api/annotations", data=big, content_type="text/csv")
    assert raw.status_code == 413 and "the limit is 1000 bytes" in raw.get_json()["error"]
    part = post_annotations(client, big)
    assert part.status_code == 413 and "the limit is 1000 bytes" in part.get_json()["error"]
    huge = client.post("/api/annotations", data=b"x" * (3 * 2**20), content_type="text/csv")
    assert huge.status_code == 413 and "too large" in huge.get_json()["error"]


def test_upload_token_rule_is_the_datasets_one(make_app):
    client = make_app(upload_token="s3cret-token").server.test_client()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-token"}):
        response = post_annotations(client, headers=headers)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "upload token" in response.get_json()["error"]
    assert post_annotations(client, headers={"Authorization": "Bearer s3cret-token"}).status_code == 201


def test_there_is_no_route_to_list_read_change_or_delete_annotations(client):
    ann_id = post_annotations(client).get_json()["id"]
    for method, path in [("get", "/api/annotations"), ("get", f"/api/annotations/{ann_id}"),
                         ("delete", f"/api/annotations/{ann_id}"), ("put", f"/api/annotations/{ann_id}"),
                         ("get", "/api/annotations?list=1")]:
        response = getattr(client, method)(path)
        assert response.status_code == 404, (method, path, response.status_code)
        assert "error" in response.get_json()


# --- POST /api/datasets with an annotations field -----------------------------------------------


def test_dataset_and_annotations_together_answer_a_link_with_both(client, app):
    response = client.post("/api/datasets", **multipart(file=(MATRIX, "results.csv"),
                                                        annotations=(TASKS, "tasks.csv")))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert HEX32.fullmatch(body["id"]) and body["annotations"] == post_annotations(client).get_json()["id"]
    query = urlsplit(body["url"]).query
    assert query == f"dataset={body['id']}&ann={body['annotations']}"
    assert response.headers["Location"] == body["url"]
    assert body["notices"] == [] and body["shape"] == [3, 3]
    view = client.get(f"/api/view?{query}").get_json()
    assert view["query"] == query and view["notices"] == []
    assert view["annotations"]["id"] == body["annotations"]
    assert view["annotations"]["fields"] == ["kind", "domain"]


def test_dataset_answer_names_labels_the_annotations_miss(client):
    partial = b"task,kind\nAlpha,QA\nDelta,math\n"
    body = client.post("/api/datasets", **multipart(file=(MATRIX, "results.csv"),
                                                    annotations=(partial, "tasks.csv"))).get_json()
    assert body["notices"] == [
        "1 label in the annotations is not in the matrix: 'Delta'",
        "2 tasks of the matrix have no annotation (shown as '(none)'): 'Beta', 'Gamma'",
    ]


def test_dataset_without_annotations_answers_as_before(client):
    body = client.post("/api/datasets", **multipart(file=(MATRIX, "results.csv"))).get_json()
    assert "annotations" not in body and urlsplit(body["url"]).query == f"dataset={body['id']}"


@pytest.mark.parametrize(
    ("matrix", "annotations", "status", "fragment"),
    [
        (MATRIX, DUPLICATE, 400,
         "annotations file 'tasks.csv': line 4: task 'Alpha' is annotated twice (line 2 and line 4)"),
        (MATRIX, b"", 400, "annotations file 'tasks.csv': the file is empty"),
        (b"t,A,B\nA,1,2\nB,3,x\n", TASKS, 400, "row 'B', column 'B': 'x' is not a number"),
        (MATRIX, TASKS + b"#" * 2000, 413, "annotations file 'tasks.csv': the file is"),
    ],
    ids=["bad-annotations", "empty-annotations", "bad-matrix", "annotations-too-large"],
)
def test_either_file_bad_stores_neither_and_says_which(make_app, matrix, annotations, status, fragment):
    app = make_app(max_upload_bytes=1500)
    client = app.server.test_client()
    response = client.post("/api/datasets", **multipart(file=(matrix, "results.csv"),
                                                        annotations=(annotations, "tasks.csv")))
    assert response.status_code == status
    assert fragment in response.get_json()["error"], response.get_json()["error"]
    assert rows(app, StoredDataset) == 0 and rows(app, StoredAnnotations) == 0


# --- the drop zone's callbacks, through Dash's endpoint --------------------------------------------


def data_url(data: bytes, mime: str = "text/csv") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def staged(*files: tuple[bytes, str]) -> dict:
    return {"files": [{"contents": data_url(data, "application/json" if name.endswith(".json") else "text/csv"),
                       "filename": name} for data, name in files]}


def drop(client, app, files: dict, view: str | None = None) -> dict:
    body = callback_body(app, callback_key(app, ids.UPLOAD_STAGED), {ids.UPLOAD_STAGED: files, ids.VIEW: view})
    response = client.post(CALLBACK_PATH, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]


def opened_query(answer: dict) -> dict:
    return parse_qs(answer[ids.VIEW_OPEN]["data"]["query"])


@pytest.mark.parametrize("order", ["matrix-first", "annotations-first"])
def test_drop_of_a_matrix_and_its_annotations_opens_both(client, app, order):
    client.get("/")
    files = [(MATRIX, "results.csv"), (TASKS, "tasks.csv")]
    answer = drop(client, app, staged(*(files if order == "matrix-first" else files[::-1])))
    assert answer[ids.UPLOAD_STATUS]["children"] == ("Opened 'results': 3 train x 3 test datasets. "
                                                     "Annotations: 3 tasks, 2 fields (kind, domain).")
    query = opened_query(answer)
    assert query["ann"] == [post_annotations(client).get_json()["id"]]
    assert app.server.config[DATASETS_KEY].get(query["dataset"][0]).rows == ("Alpha", "Beta", "Gamma")


def test_drop_of_annotations_alone_attaches_them_to_the_view_on_screen(client, app):
    client.get("/")
    before = "dataset=mistral-7b_auc&order=cluster&k=3&row=NLI&tab=dendrogram"
    tasks = b"task,family\nNLI,classification\nIMDB,classification\nMath,math\n"
    answer = drop(client, app, staged((tasks, "tasks.csv")), view=before)
    assert answer[ids.UPLOAD_STATUS]["children"] == "Annotations: 3 tasks, 1 field (family)."
    assert answer[ids.UPLOAD_STATUS]["className"].find("text-success") >= 0
    ann_id = post_annotations(client, tasks).get_json()["id"]
    assert answer[ids.VIEW_OPEN]["data"]["query"] == (
        f"dataset=mistral-7b_auc&ann={ann_id}&order=cluster&k=3&row=NLI&tab=dendrogram")


def test_annotations_dropped_alone_drop_the_fields_they_lack(client, app):
    client.get("/")
    before = "dataset=mistral-7b_auc&collapse=task_type&track=task_type"
    answer = drop(client, app, staged((b"task,family\nNLI,classification\n", "t.csv")), view=before)
    query = opened_query(answer)
    assert "collapse" not in query and "track" not in query and query["dataset"] == ["mistral-7b_auc"]


def test_drop_of_json_annotations_alone(client, app):
    client.get("/")
    answer = drop(client, app, staged((TASKS_JSON, "tasks.json")), view="dataset=mistral-7b_auc")
    assert answer[ids.UPLOAD_STATUS]["children"] == "Annotations: 3 tasks, 2 fields (kind, domain)."
    assert opened_query(answer)["ann"] == [post_annotations(client).get_json()["id"]]


def test_a_legacy_single_file_staging_still_opens_a_matrix(client, app):
    client.get("/")
    answer = drop(client, app, {"contents": data_url(MATRIX), "filename": "results.csv"})
    assert set(opened_query(answer)) == {"dataset"}


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([(DUPLICATE, "tasks.csv")],
         "tasks.csv (annotations): line 4: task 'Alpha' is annotated twice (line 2 and line 4); give each task"),
        ([(MATRIX, "results.csv"), (DUPLICATE, "tasks.csv")],
         "tasks.csv (annotations): line 4: task 'Alpha' is annotated twice"),
        ([(MATRIX, "a.csv"), (MATRIX, "b.csv")], "a.csv and b.csv both read as matrices; drop one matrix file"),
        ([(TASKS, "a.csv"), (TASKS_JSON, "b.json")], "a.csv and b.json both read as annotations"),
        ([(MATRIX, "a.csv"), (TASKS, "b.csv"), (TASKS, "c.csv")], "3 files dropped; drop one matrix file"),
        # A broken matrix is still a matrix (its columns hold numbers), a broken long table too.
        ([(b"train\\test,A,B\nA,0.1,0.2\nB,0.3,n/a?\n", "broken.csv")],
         "broken.csv: row 'B', column 'B': 'n/a?' is not a number"),
        ([(b"train,test,value\nA,A,1\nA,A,2\n", "long.csv")], "long.csv: "),
    ],
    ids=["bad-annotations", "bad-annotations-beside-a-matrix", "two-matrices", "two-annotations", "three-files",
         "broken-wide-matrix", "broken-long-table"],
)
def test_refused_drops_say_which_file_and_leave_the_view(client, app, files, message):
    client.get("/")
    answer = drop(client, app, staged(*files), view="dataset=mistral-7b_auc")
    assert ids.VIEW_OPEN not in answer
    assert answer[ids.UPLOAD_STATUS]["children"].startswith(message), answer[ids.UPLOAD_STATUS]["children"]
    assert "text-danger" in answer[ids.UPLOAD_STATUS]["className"]
    assert rows(app, StoredAnnotations) == 0 and rows(app, StoredDataset) == 0


def test_broken_long_table_keeps_the_matrix_message(client, app):
    client.get("/")
    answer = drop(client, app, staged((b"train,test,value\nA,A,1\nA,A,2\n", "long.csv")))
    assert "duplicate pair" in answer[ids.UPLOAD_STATUS]["children"]


def test_an_ambiguous_table_beside_annotations_asks_for_its_columns_then_opens_both(client, app):
    client.get("/")
    table = (b"model,dataset,seed,acc\nbert,mnli,1,0.5\nbert,mnli,2,0.7\nbert,snli,1,0.6\nrob,mnli,1,0.1\n"
             b"rob,snli,1,0.2\nrob,snli,2,0.4\n")
    tasks = b"task,family\nbert,encoder\nrob,encoder\nmnli,nli\nsnli,nli\n"
    files = staged((table, "runs.csv"), (tasks, "tasks.csv"))
    answer = drop(client, app, files)
    assert answer[ids.UPLOAD_MAPPING] == {"hidden": False}
    assert answer[ids.UPLOAD_STATUS]["children"].startswith("runs.csv: ")
    guesses = {field: answer[field]["value"] for field in
               (ids.UPLOAD_MAP_TRAIN, ids.UPLOAD_MAP_TEST, ids.UPLOAD_MAP_REPLICATE, ids.UPLOAD_MAP_VALUE)}
    body = callback_body(app, callback_key(app, ids.UPLOAD_MAP_READ),
                         {ids.UPLOAD_MAP_READ: 1, ids.UPLOAD_STAGED: files, **guesses})
    opened = client.post(CALLBACK_PATH, json=body).get_json()["response"]
    assert opened[ids.UPLOAD_STATUS]["children"].endswith("Annotations: 4 tasks, 1 field (family).")
    assert set(opened_query(opened)) == {"dataset", "ann"}


def test_drop_needs_the_upload_token_for_annotations_too(make_app):
    app = make_app(upload_token="s3cret-token")
    client = app.server.test_client()
    client.get("/")
    answer = drop(client, app, staged((TASKS, "tasks.csv")))
    assert "upload token" in answer[ids.UPLOAD_STATUS]["children"] and ids.VIEW_OPEN not in answer
    assert rows(app, StoredAnnotations) == 0


# --- the command line ------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path):
    (tmp_path / "results.csv").write_bytes(MATRIX)
    (tmp_path / "tasks.csv").write_bytes(TASKS)
    (tmp_path / "dup.csv").write_bytes(DUPLICATE)
    return tmp_path


def test_cli_opens_the_matrix_with_its_annotations(files, monkeypatch, capsys, sqlite_url):
    from dash import Dash

    import app as app_module

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    served = []
    monkeypatch.setattr(Dash, "run", lambda self, **options: served.append((self, options)))
    app_module.main([str(files / "results.csv"), "--annotations", str(files / "tasks.csv"), "--port", "8123"])
    (app, options), = served
    assert options["port"] == 8123
    datasets = app.server.config[DATASETS_KEY]
    ann_id = datasets.default_ann
    assert HEX32.fullmatch(ann_id) and datasets.annotations(ann_id).fields == ("kind", "domain")
    out = capsys.readouterr().out
    link = f"http://127.0.0.1:8123/?dataset={datasets.default_id}&ann={ann_id}"
    assert f"Annotations: 3 tasks, 2 fields (kind, domain); the view with them: {link}" in out
    view = app.server.test_client().get(f"/api/view?{urlsplit(link).query}").get_json()
    assert view["rows"] == ["Alpha", "Beta", "Gamma"] and view["annotations"]["id"] == ann_id


def test_cli_page_opened_without_a_link_shows_the_annotations(files, monkeypatch, sqlite_url):
    """The default view (`/`, no query) is the command line's matrix with its annotations, and
    its link says so (`ann=`), so that it opens the same anywhere."""
    from dash import Dash

    import app as app_module

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    served = []
    monkeypatch.setattr(Dash, "run", lambda self, **options: served.append(self))
    app_module.main([str(files / "results.csv"), "--annotations", str(files / "tasks.csv")])
    datasets = served[0].server.config[DATASETS_KEY]
    view = served[0].server.test_client().get("/api/view").get_json()
    assert view["query"] == f"dataset={datasets.default_id}&ann={datasets.default_ann}"
    assert view["annotations"]["id"] == datasets.default_ann


def test_cli_names_labels_the_annotations_miss(files, monkeypatch, capsys, sqlite_url):
    from dash import Dash

    import app as app_module

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setattr(Dash, "run", lambda self, **options: None)
    (files / "partial.csv").write_bytes(b"task,kind\nAlpha,QA\n")
    app_module.main([str(files / "results.csv"), "--annotations", str(files / "partial.csv")])
    assert ("Note: 2 tasks of the matrix have no annotation (shown as '(none)'): 'Beta', 'Gamma'."
            in capsys.readouterr().out)


@pytest.mark.parametrize(
    ("name", "fragment"),
    [("dup.csv", "dup.csv: line 4: task 'Alpha' is annotated twice"), ("missing.csv", "cannot read the file"),
     ("empty.csv", "the file is empty")],
    ids=["duplicate", "missing", "empty"],
)
def test_cli_bad_annotations_exit_2_with_a_message(files, monkeypatch, capsys, sqlite_url, name, fragment):
    from app import main

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    (files / "empty.csv").write_bytes(b"")
    with pytest.raises(SystemExit) as exited:
        main([str(files / "results.csv"), "--annotations", str(files / name)])
    assert exited.value.code == 2
    assert fragment in capsys.readouterr().err


def test_cli_annotations_over_the_limit_and_without_a_value(files, monkeypatch, capsys, sqlite_url):
    from app import main

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TMX_MAX_UPLOAD_BYTES", "100")
    (files / "big.csv").write_bytes(TASKS + b"#" * 200)
    with pytest.raises(SystemExit) as exited:
        main(["--annotations", str(files / "big.csv")])
    assert exited.value.code == 2 and "the limit is 100 bytes" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main([str(files / "results.csv"), "--annotations"])
    assert exited.value.code == 2 and "--annotations: expected one argument" in capsys.readouterr().err


def test_cli_process_exits_2_without_a_traceback(files, sqlite_url):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": sqlite_url}
    result = subprocess.run(
        [sys.executable, "app.py", str(files / "results.csv"), "--annotations", str(files / "dup.csv")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "dup.csv: line 4: task 'Alpha' is annotated twice (line 2 and line 4)" in result.stderr
    assert "Traceback" not in result.stderr


# --- the notebook ----------------------------------------------------------------------------------


def test_explore_with_an_annotations_frame(sqlite_url):
    from app import explore
    from web.config import Config

    frame = pd.DataFrame([[0.8, 0.6], [0.55, 0.9]], index=["SST-2", "IMDB"], columns=["SST-2", "IMDB"])
    tasks = pd.DataFrame({"task": ["SST-2", "IMDB"], "domain": ["movies", "movies"], "size": [67_349, 25_000]})
    app = explore(frame, annotations=tasks, run=False, config=Config(database_url=sqlite_url))
    datasets = app.server.config[DATASETS_KEY]
    stored = datasets.annotations(datasets.default_ann)
    assert stored.fields == ("domain", "size") and stored.value("IMDB", "size") == "25000"
    view = app.server.test_client().get(f"/api/view?dataset={datasets.default_id}&ann={datasets.default_ann}")
    assert view.get_json()["annotations"]["rows"] == [{"domain": "movies", "size": "67349"},
                                                      {"domain": "movies", "size": "25000"}]
    assert app.server.test_client().get("/api/view").get_json()["annotations"]["id"] == datasets.default_ann
    indexed = explore(frame, annotations=tasks.set_index("task"), run=False, config=Config(database_url=sqlite_url))
    assert indexed.server.config[DATASETS_KEY].default_ann == datasets.default_ann  # the same content


def test_explore_refuses_bad_annotations_before_storing_anything(sqlite_url):
    from app import explore
    from web.config import Config

    frame = pd.DataFrame([[0.8, 0.6], [0.55, 0.9]], index=["A", "B"], columns=["A", "B"])
    tasks = pd.DataFrame({"task": ["A", "A"], "kind": ["x", "y"]})
    with pytest.raises(AnnotationError, match="task 'A' is annotated twice"):
        explore(frame, annotations=tasks, run=False, config=Config(database_url=sqlite_url))
    engine = create_engine(sqlite_url)
    with engine.connect() as connection:
        tables = connection.exec_driver_sql("select name from sqlite_master where type='table'").scalars().all()
    engine.dispose()
    assert tables == []  # no app was built: nothing stored
