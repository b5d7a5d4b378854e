"""A view with task annotations, end to end through `open_view` and its JSON twin: filters first,
then collapse, then order, thresholds, statistics and insights, on a matrix worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from transfer.annotations import parse_annotations
from transfer.matrix import TransferMatrix
from transfer.replicates import Spread
from transfer.view import view_from_query, view_json

from replicated import DatasetsStub

TASKS = ("qa1", "nli1", "qa2", "nli2")
# Train rows x test columns. Groups: qa1, qa2 are QA; nli1, nli2 are NLI.
VALUES = np.array([
    #  qa1   nli1   qa2   nli2
    [0.9, -0.1, 0.3, -0.2],  # qa1
    [-0.1, 0.7, -0.2, 0.4],  # nli1
    [0.2, -0.3, 0.8, 0.0],  # qa2
    [0.0, 0.5, -0.4, 0.6],  # nli2
])
# Off-diagonal cells whose tasks share a group: qa1->qa2 0.3, qa2->qa1 0.2, nli1->nli2 0.4,
# nli2->nli1 0.5: within = 1.4 / 4 = 0.35. The other eight sum to -1.3: between = -0.1625.
# Collapsed (in-domain cells left out): QA->QA (0.3 + 0.2)/2 = 0.25, QA->NLI (-0.1 - 0.2 - 0.3 + 0)/4
# = -0.15, NLI->QA (-0.1 - 0.2 + 0 - 0.4)/4 = -0.175, NLI->NLI (0.4 + 0.5)/2 = 0.45.
ANNOTATIONS = b"task,kind,source\nqa1,QA,web\nqa2,QA,books\nnli1,NLI,web\nnli2,NLI,web\n"
OTHER = b"task,family\nqa1,a\nnli1,a\nqa2,b\nnli2,b\n"


class AnnotatedDatasets(DatasetsStub):
    """DatasetsStub with a default annotations file per dataset and uploaded ones by id."""

    def __init__(self, defaults: dict, uploads=(), **matrices):
        super().__init__(**matrices)
        self.defaults = defaults
        self.uploads = {ann.content_id(): ann for ann in uploads}

    def default_annotations(self, dataset_id):
        return self.defaults.get(dataset_id)

    def annotations(self, ann_id):
        return self.uploads.get(ann_id)


MATRIX = TransferMatrix(rows=TASKS, cols=TASKS, values=VALUES, name="hand")
DEFAULT = parse_annotations(ANNOTATIONS, "tasks.csv")
UPLOADED = parse_annotations(OTHER, "other.csv")
DATASETS = AnnotatedDatasets({"m": DEFAULT}, [UPLOADED], m=MATRIX, bare=MATRIX)


def twin(query: str) -> dict:
    return view_json(view_from_query(DATASETS, query))


def test_the_datasets_own_annotations_describe_each_displayed_label():
    view = twin("dataset=m")
    ann = view["annotations"]
    assert ann["id"] is None and ann["fields"] == ["kind", "source"] and ann["tracks"] == ["kind"]
    assert ann["rows"][2] == {"kind": "QA", "source": "books"}
    assert [c["kind"] for c in ann["cols"]] == ["QA", "NLI", "QA", "NLI"]
    assert view["group_stats"] is None and view["collapsed"] is None


def test_an_uploaded_annotations_id_replaces_the_dataset_own():
    view = twin(f"dataset=m&ann={UPLOADED.content_id()}&track=none")
    assert view["annotations"]["id"] == UPLOADED.content_id()
    assert view["annotations"]["fields"] == ["family"] and view["annotations"]["tracks"] == []


def test_an_unknown_annotations_id_falls_back_with_a_notice():
    view = twin("dataset=m&ann=" + "f" * 32)
    assert view["annotations"]["fields"] == ["kind", "source"]
    assert "ann=" not in view["query"]
    assert any("Unknown annotations" in n for n in view["notices"])


def test_a_matrix_without_annotations_answers_null():
    view = twin("dataset=bare&collapse=kind")
    assert view["annotations"] is None and view["collapsed"] is None
    assert view["notices"] == ["Ignored collapse: this matrix has no task annotations."]


def test_filter_keeps_matching_labels_on_both_axes_before_thresholds_and_insights():
    view = twin("dataset=m&filter=QA&pos=0.25")
    assert view["rows"] == ["qa1", "qa2"] and view["cols"] == ["qa1", "qa2"]
    assert view["values"] == [[0.9, 0.3], [0.2, 0.8]]
    assert view["highlight"]["positive"] == [["qa1", "qa1"], ["qa1", "qa2"], ["qa2", "qa2"]]
    assert view["annotations"]["rows"] == [{"kind": "QA", "source": "web"}, {"kind": "QA", "source": "books"}]


def test_where_keeps_tasks_with_one_of_the_values():
    view = twin("dataset=m&where=source:books|web")
    assert view["rows"] == list(TASKS)
    view = twin("dataset=m&where=kind:NLI&row=nli2&col=qa1")
    assert view["rows"] == ["nli1", "nli2"] and view["cols"] == ["nli1", "nli2"]
    assert view["state"]["row"] == "nli2" and view["state"]["col"] is None
    assert "Ignored col: 'qa1' is not shown: the filter leaves it out." in view["notices"]


def test_a_filter_leaving_fewer_than_two_tasks_is_refused_and_the_view_stays():
    view = twin("dataset=m&filter=qa1")
    assert view["rows"] == list(TASKS)
    assert "filter=" not in view["query"]
    assert any("filter" in n for n in view["notices"])


def test_order_group_sorts_both_axes_by_the_fields_values_in_file_order():
    view = twin("dataset=m&order=group")
    assert view["query"] == "dataset=m&order=group&group=kind"
    assert view["rows"] == ["qa1", "qa2", "nli1", "nli2"] and view["cols"] == view["rows"]
    assert view["values"][1] == [0.2, 0.8, -0.3, 0.0]  # qa2's row, columns reordered alike


def test_within_vs_between_with_a_permutation_p_value():
    view = twin("dataset=m&group=kind")
    stats = view["group_stats"]
    assert stats["field"] == "kind" and stats["permutations"] == 9999
    assert stats["within"] == pytest.approx(0.35) and stats["between"] == pytest.approx(-0.1625)
    assert stats["difference"] == pytest.approx(0.5125)
    # Four tasks in two pairs have three pairings; the observed one has the largest |difference|
    # (the others: -0.2375 and -0.275), so a third of the shuffles reach it.
    assert stats["p"] == pytest.approx(1 / 3, abs=0.02)
    assert twin("dataset=m&group=kind")["group_stats"] == stats  # the same answer on every request
    groups = [i for i in view["insights"] if i["kind"] == "groups"]
    assert groups and "+0.35 vs \u22120.16 between groups" in groups[0]["text"]


def test_collapse_shows_the_group_by_group_block_means():
    view = twin("dataset=m&collapse=kind")
    assert view["rows"] == ["QA", "NLI"] and view["cols"] == ["QA", "NLI"]
    assert np.allclose(view["values"], [[0.25, -0.15], [-0.175, 0.45]])
    assert view["collapsed"]["counts"] == [[2, 4], [4, 2]]
    assert view["collapsed"]["row_members"] == {"QA": ["qa1", "qa2"], "NLI": ["nli1", "nli2"]}
    assert view["annotations"]["rows"] == [{"kind": "QA"}, {"kind": "NLI"}]
    assert view["group_stats"]["within"] == pytest.approx(0.35)  # of the tasks, not of the blocks


def test_collapse_selects_and_thresholds_groups():
    view = twin("dataset=m&collapse=kind&row=NLI&col=QA&pos=0.3")
    assert view["selection"]["cell"]["value"] == pytest.approx(-0.175)
    assert view["highlight"]["positive"] == [["NLI", "NLI"]]
    view = twin("dataset=m&collapse=kind&row=qa1")
    assert view["state"]["row"] is None
    assert "Ignored row: 'qa1' is not a kind of the collapsed matrix." in view["notices"]


def test_a_cut_of_the_collapsed_matrix_counts_its_groups():
    view = twin("dataset=m&collapse=kind&k=5")
    assert view["state"]["k"] == 2 and "k=5 is more than the 2 groups; using k=2." in view["notices"]


def test_clusters_agree_with_the_field_when_the_cut_recovers_it():
    view = twin("dataset=m&order=cluster&k=2&group=kind")
    agreement = view["clusters"]["agreement"]
    assert agreement["field"] == "kind"
    cut = view["clusters"]["rows"]["cluster_of"]
    recovered = cut["qa1"] == cut["qa2"] and cut["nli1"] == cut["nli2"] and cut["qa1"] != cut["nli1"]
    assert (agreement["ari"] == 1.0) == recovered
    assert twin("dataset=m&order=cluster&k=2")["clusters"]["agreement"] is None


def test_collapse_of_replicates_gives_each_block_an_interval():
    rng = np.random.default_rng(5)
    samples = VALUES[..., None] + rng.normal(0, 0.05, (4, 4, 3))
    replicated = TransferMatrix(rows=TASKS, cols=TASKS, values=samples.mean(axis=2),
                                spread=Spread.from_samples(samples, ("s1", "s2", "s3")))
    datasets = AnnotatedDatasets({"r": DEFAULT}, r=replicated)
    view = view_json(view_from_query(datasets, "dataset=r&collapse=kind"))
    unc = view["uncertainty"]
    assert unc is not None and unc["n"] == [[3, 3], [3, 3]]
    # the block's replicate means: QA->QA in seed s is the mean of qa1->qa2 and qa2->qa1 in s
    qa = (samples[0, 2] + samples[2, 0]) / 2
    assert view["values"][0][0] == pytest.approx(qa.mean())
    assert unc["std"][0][0] == pytest.approx(qa.std(ddof=1))
