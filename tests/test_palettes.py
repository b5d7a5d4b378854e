"""Colour that fits the data: where a matrix's neutral value comes from (declared, a metric's
chance level, both signs, or none: sequential), that this survives exports and the store without
changing the content ids of existing matrices, the `palette` key of the link, and /api/view's
`displayed.scale` and `displayed.palette`."""

from __future__ import annotations

import numpy as np
import pytest

from components import multiples as multiples_panel
from components import options
from components.thresholds import neutral_text
from transfer import palettes
from transfer.matrix import CHANCE, DECLARED, NO_NEUTRAL, SIGNS, TransferMatrix
from transfer.multiples import small_multiples
from transfer.parsing import WRITERS, parse_matrix
from transfer.store import DatasetStore
from transfer.thresholds import threshold_scale
from transfer.uncertainty import cell_stats, reach_notice
from transfer.viewstate import ViewState, parse_query, resolve_uncertainty

from replicated import replicated_matrix

# The ids the code before this change gave (run from the pre-change worktree): durable links.
BUNDLED_IDS = {
    "mistral-7b-instruct_auc-diff": "4b99b1836a1c237fe5ee252e5fdf7c45",
    "mistral-7b-instruct_auc": "9fa0cd3f4b75402955209c9bae34fdfa",
    "mistral-7b_auc-diff": "12c9ae25bf1f26e61a94dc36f43a1bee",
    "mistral-7b_auc": "7177abb1acb979b3578e825c4f7ef7ea",
    "llama-3-8b_auc-diff": "da6f25c7f8fdde36694b293ba4afa4e5",
    "llama-3-8b_auc": "e1d00c6285c388e3114de8ea7995d994",
    "example-seeds": "39e49ffe40aefba7bb0896868082cc8e",
}
BOTH_SIGNS = b"t,A,B\nA,-0.2,0.1\nB,0.3,0.05\n"  # no neutral value: 0 inferred, as before
BOTH_SIGNS_ID = "545ed3693ee0df5c3ce426f59f32e0c6"
DECLARED_HALF = b"# neutral: 0.5\nt,A,B\nA,60,99\nB,0,70\n"
DECLARED_HALF_ID = "3c8ca17b6627c542e267b3410527c732"
ACCURACY = b"# metric: accuracy\nt,A,B,C\nA,60,99,0\nB,0,70,45\nC,80,12.5,\n"  # 0..99, two zeros, no neutral
CHANCE_AUC = b"# metric: ROC-AUC\nt,A,B\nA,0.7,0.9\nB,0.6,0.8\n"


def test_bundled_and_declared_matrices_keep_their_content_ids(app):
    datasets = app.server.config["TMX_DATASETS"]
    assert {entry.id: datasets.get(entry.id).content_id() for entry in datasets.entries} == BUNDLED_IDS
    assert all(datasets.get(entry.id).neutral_declared for entry in datasets.entries)
    assert parse_matrix(DECLARED_HALF).content_id() == DECLARED_HALF_ID
    both = parse_matrix(BOTH_SIGNS)
    assert (both.neutral, both.neutral_basis, both.content_id()) == (0.0, SIGNS, BOTH_SIGNS_ID)


@pytest.mark.parametrize(
    "data, basis, kind, neutral",
    [(ACCURACY, NO_NEUTRAL, "sequential", 49.5), (CHANCE_AUC, CHANCE, "diverging", 0.5),
     (BOTH_SIGNS, SIGNS, "diverging", 0.0), (DECLARED_HALF, DECLARED, "diverging", 0.5)],
    ids=["sequential", "chance-level", "both-signs", "declared"],
)
def test_exports_and_the_store_keep_where_the_neutral_value_comes_from(data, basis, kind, neutral, store_url):
    matrix = parse_matrix(data)
    assert (matrix.neutral_basis, matrix.scale_kind, matrix.neutral) == (basis, kind, neutral)
    for fmt, (write, suffix, _) in WRITERS.items():
        text = write(matrix)
        assert ("neutral" in text) == (basis == DECLARED), fmt  # only a declared one is written
        again = parse_matrix(text.encode(), filename=f"m.{suffix}")
        assert (again.neutral_basis, again.neutral, again.content_id()) == (basis, neutral, matrix.content_id()), fmt
    store = DatasetStore(store_url)
    stored = DatasetStore(store_url).get(store.put(matrix))  # a second store: not the first one's cache
    assert (stored.neutral_basis, stored.neutral, stored.value_range()) == (basis, neutral, matrix.value_range())
    assert stored.content_id() == matrix.content_id()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return request.getfixturevalue("postgres_databases").new()


def test_a_declared_neutral_value_is_kept_and_an_inferred_one_is_not_written_as_declared():
    declared = parse_matrix(ACCURACY, metadata={"neutral": "50"})
    assert (declared.neutral, declared.neutral_basis, declared.scale_kind) == (50.0, DECLARED, "diverging")
    assert declared.value_range() == (0.0, 100.0) and declared.metadata()["neutral"] == 50.0  # symmetric
    sequential = parse_matrix(ACCURACY)
    assert sequential.metadata()["neutral"] is None and sequential.value_range() == (0.0, 99.0)
    assert declared.content_id() != sequential.content_id()
    # the scale of a file without a neutral value: its range, its middle the sliders' reference
    scaled = parse_matrix(b'{"rows":["A","B"],"cols":["A","B"],"values":[[60,99],[0,70]],"scale":[0,100]}')
    assert (scaled.scale_kind, scaled.value_range(), scaled.neutral) == ("sequential", (0.0, 100.0), 50.0)


def test_thresholds_of_a_sequential_scale_run_over_its_range_from_its_middle():
    matrix = parse_matrix(ACCURACY)
    scale = threshold_scale(matrix)
    assert (scale.low, scale.neutral, scale.high) == (0.0, 49.5, 99.0)
    assert (scale.suggested_pos, scale.suggested_neg) == (69.5, 29.5)  # 40% of the way to each end
    assert neutral_text(matrix, scale) == "no neutral value (accuracy): sliders from the middle, 49.5"
    auc = parse_matrix(CHANCE_AUC)
    assert neutral_text(auc, threshold_scale(auc)) == "neutral value 0.5 (ROC-AUC, its chance level)"


# --- the palette of the link ----------------------------------------------------------------------


def test_palettes_are_offered_by_kind_with_the_default_first():
    assert palettes.names_of("diverging") == ("rdbu", "puor", "brbg")
    assert palettes.names_of("sequential") == ("viridis", "cividis")
    for palette in palettes.PALETTES.values():
        stops = [stop for stop, _ in palette.stops]
        assert stops[0] == 0.0 and stops[-1] == 1.0 and stops == sorted(set(stops))
        assert all(len(colour) == 7 and colour.startswith("#") for _, colour in palette.stops)  # breakdown.js reads hex
        if palette.kind == "diverging":
            assert palette.centre_colour in ("#f7f7f7", "#f5f5f5")  # a white centre


def test_palette_in_the_link_is_canonical_and_refused_with_a_notice(client):
    auc_diff = "mistral-7b-instruct_auc-diff"
    view = client.get(f"/api/view?dataset={auc_diff}&palette=puor&row=NLI").get_json()
    assert view["query"] == f"dataset={auc_diff}&row=NLI&palette=puor" and view["notices"] == []
    assert (view["displayed"]["scale"], view["displayed"]["palette"]) == ("diverging", "puor")
    assert view["state"]["palette"] == "puor"
    default = client.get(f"/api/view?dataset={auc_diff}&palette=rdbu").get_json()  # the default: left out
    assert default["query"] == f"dataset={auc_diff}" and default["notices"] == []
    assert default["displayed"]["palette"] == "rdbu" and default["state"]["palette"] is None
    wrong = client.get(f"/api/view?dataset={auc_diff}&palette=viridis").get_json()
    assert wrong["query"] == f"dataset={auc_diff}" and wrong["displayed"]["palette"] == "rdbu"
    assert wrong["notices"] == ["Ignored palette=viridis: this matrix's colour scale is diverging (rdbu, puor, brbg)."]
    unknown = client.get(f"/api/view?dataset={auc_diff}&palette=jet").get_json()
    assert unknown["query"] == f"dataset={auc_diff}"
    assert unknown["notices"] == ["Ignored palette: 'jet' is not one of rdbu, puor, brbg, viridis, cividis."]
    assert parse_query("palette=PuOr")[0] == ViewState()  # names as the link writes them: lower case


def test_api_view_says_the_scale_of_a_sequential_upload_and_its_palette(client):
    posted = client.post("/api/datasets", data=ACCURACY, content_type="text/csv").get_json()
    view = client.get(f"/api/view?dataset={posted['id']}&palette=cividis").get_json()
    assert view["notices"] == [] and view["query"].endswith("&palette=cividis")
    assert view["displayed"]["scale"] == "sequential" and view["displayed"]["palette"] == "cividis"
    assert view["displayed"]["neutral_basis"] == view["dataset"]["neutral_basis"] == NO_NEUTRAL
    assert view["color_range"] == [0.0, 99.0]
    plain = client.get(f"/api/view?dataset={posted['id']}").get_json()
    assert plain["displayed"]["palette"] == "viridis"
    # a comparison or a z-score is a difference: diverging around 0, whatever the matrix was
    for derived in ("norm=zrow", "norm=diag"):
        shown = client.get(f"/api/view?dataset={posted['id']}&{derived}&palette=cividis").get_json()
        assert (shown["displayed"]["scale"], shown["displayed"]["neutral"]) == ("diverging", 0.0), derived
        assert shown["displayed"]["palette"] == "rdbu" and "Ignored palette=cividis" in shown["notices"][-1]
    other = client.post("/api/datasets", data=ACCURACY.replace(b"60", b"61"), content_type="text/csv").get_json()
    compared = client.get(f"/api/view?dataset={posted['id']}&compare={other['id']}").get_json()
    assert compared["displayed"]["scale"] == "diverging" and compared["displayed"]["neutral"] == 0.0


def test_the_colours_select_offers_the_palettes_of_the_kind(client, app):
    from transfer.view import view_from_query

    posted = client.post("/api/datasets", data=ACCURACY, content_type="text/csv").get_json()
    with app.server.app_context():
        datasets = app.server.config["TMX_DATASETS"]
        sequential = view_from_query(datasets, f"dataset={posted['id']}")
        diverging = view_from_query(datasets, "dataset=mistral-7b_auc")
        assert options.palette_options(sequential) == [
            {"label": "Viridis", "value": "default"}, {"label": "Cividis", "value": "cividis"}]
        assert [o["value"] for o in options.palette_options(diverging)] == ["default", "puor", "brbg"]


def test_small_multiples_of_a_sequential_matrix_have_no_white_point():
    values = np.array([[60.0, 99.0], [0.0, 70.0]])
    first = TransferMatrix(rows=["A", "B"], cols=["A", "B"], values=values, metric="accuracy", neutral=None)
    second = TransferMatrix(rows=["A", "B"], cols=["A", "B"], values=values + 1, metric="accuracy", neutral=None)
    groups = small_multiples("one", first, [("one", first), ("two", second)])
    assert len(groups) == 1 and groups[0].neutral is None and groups[0].color_range == (0.0, 100.0)
    caption = multiples_panel._group(groups[0], "cividis").children[0].children
    assert caption == "accuracy: one colour scale 0 to 100, sequential (no neutral value)."
    figure = multiples_panel._group(groups[0], "cividis").children[1].children[0].children.children[1].children.figure
    assert figure.data[0].colorscale[0][1] == palettes.PALETTES["cividis"].stops[0][1]
    shifted = TransferMatrix(rows=["A", "B"], cols=["A", "B"], values=values / 100, metric="AUC", neutral=0.6,
                             scale=(0.0, 1.0))
    group = small_multiples("s", shifted, [("s", shifted)])[0]
    assert multiples_panel._group(group).children[0].children == "AUC: one colour scale 0 to 1, white at 0.6."


def test_typing_a_neutral_value_declares_it_even_the_middle_of_a_sequential_scale(app, client):
    from test_neutral_input import apply

    from components.upload import shown_neutral

    datasets = app.server.config["TMX_DATASETS"]
    accuracy = parse_matrix(ACCURACY)
    dataset = datasets.put(accuracy)
    assert shown_neutral(accuracy) == ""  # no neutral value: the box is empty
    opened, status, _ = apply(app, client, "49.5", f"dataset={dataset}&palette=cividis")
    assert opened is not None and "neutral value 49.5" in status
    copy = datasets.get(parse_query(opened["query"])[0].dataset)
    assert (copy.neutral, copy.neutral_basis, copy.scale_kind) == (49.5, DECLARED, "diverging")
    assert "palette" not in opened["query"]  # cividis is not a diverging palette
    assert shown_neutral(copy) == "49.5"
    view = client.get(f"/api/view?{opened['query']}").get_json()
    assert view["displayed"]["scale"] == "diverging" and view["color_range"] == [0.0, 99.0]


def test_insights_of_a_sequential_matrix_speak_of_lowest_and_highest_not_negative_and_positive():
    from transfer.insights import build_insights

    texts = {insight.kind: (insight.title, insight.text) for insight in build_insights(parse_matrix(ACCURACY))}
    assert texts["strongest_negative"] == (
        "Lowest transfer", "Lowest off-diagonal transfers: A → C (0.00), B → A (0.00), C → B (12.50).")
    assert texts["strongest_positive"][0] == "Highest transfer"
    declared = {i.kind: i.title for i in build_insights(parse_matrix(ACCURACY, metadata={"neutral": 50}))}
    assert declared["strongest_negative"] == "Strongest negative transfer"


def test_replicates_of_a_matrix_without_a_neutral_value_have_intervals_but_no_tests():
    rng = np.random.default_rng(3)
    samples = 70 + rng.normal(0, 2, (3, 3, 4))  # accuracies: all positive, no neutral value declared
    sequential = replicated_matrix(samples, metric="accuracy", neutral=None)
    declared = replicated_matrix(samples, metric="accuracy", neutral=50.0)
    assert (sequential.scale_kind, declared.scale_kind) == ("sequential", "diverging")
    stats, tested = cell_stats(sequential), cell_stats(declared)
    assert np.isfinite(stats.ci_low).all() and np.array_equal(stats.ci_low, tested.ci_low)
    assert np.isnan(stats.p).all() and stats.tested == 0 and stats.tests == ()
    assert tested.tested == 9 and (tested.q < 0.05).all()  # 70 +- 2 against 50: every cell
    assert "no neutral value to test against" in reach_notice(stats, neutral=False)
    state, notices = resolve_uncertainty(ViewState(sig=0.05), sequential)
    assert state.sig is None
    assert notices == ["Ignored sig: this matrix has no neutral value, so its cells are not tested."]
    assert resolve_uncertainty(ViewState(sig=0.05), declared) == (ViewState(sig=0.05), [])
