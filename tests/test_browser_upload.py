"""The drop zone in real Chromium: a wide and a long file open at once; a broken one shows its
message and leaves the view as it was. The CSV download carries the displayed matrix."""

from __future__ import annotations

import pytest

from components import ids

from browser import drop, heatmap_data, query_of, wait_for_heatmap, wait_for_rows

WIDE = b"train\\test,Alpha,Beta,Gamma\nAlpha,0.5,-0.25,0.1\nBeta,0.2,0.3,\nGamma,-0.1,0.0,0.4\n"
LONG = b"train,test,AUC\nSST-2,SST-2,0.91\nSST-2,IMDB,0.84\nIMDB,SST-2,0.80\nIMDB,IMDB,0.93\n"
BROKEN = b"train\\test,A,B\nA,0.1,0.2\nB,0.3,n/a?\n"


LIMIT = 4000


@pytest.fixture
def app(make_app):
    """A small size limit so that the browser's own check can be seen refusing a file, and an
    upload budget that the test spends (web/abuse.py)."""
    return make_app(max_upload_bytes=LIMIT, upload_rate="4/hour")



def test_upload_wide_long_and_broken_files(live_server, page):
    page.goto(live_server.url + "/")
    wait_for_heatmap(page)

    drop(page, "wide-results.csv", WIDE)
    wait_for_rows(page, ["Alpha", "Beta", "Gamma"])
    data = heatmap_data(page)
    assert data["cols"] == ["Alpha", "Beta", "Gamma"]
    assert data["z"][0] == pytest.approx([0.5, -0.25, 0.1])  # float32 on the wire
    assert "Opened 'wide-results'" in page.inner_text(f"#{ids.UPLOAD_STATUS}")
    wide_query = query_of(page)
    assert len(wide_query.removeprefix("?dataset=")) == 32

    drop(page, "long-results.csv", LONG)
    wait_for_rows(page, ["SST-2", "IMDB"])
    assert [pytest.approx(row) for row in heatmap_data(page)["z"]] == [[0.91, 0.84], [0.80, 0.93]]
    long_query = query_of(page)
    assert long_query != wide_query
    assert "AUC" in page.inner_text(f"#{ids.DATASET_INFO}")

    drop(page, "broken.csv", BROKEN)
    page.wait_for_function(
        f"""() => document.getElementById("{ids.UPLOAD_STATUS}").textContent.includes("broken.csv:")""", timeout=20_000,
    )
    message = page.inner_text(f"#{ids.UPLOAD_STATUS}")
    assert "row 'B', column 'B': 'n/a?' is not a number" in message
    assert query_of(page) == long_query
    assert heatmap_data(page)["rows"] == ["SST-2", "IMDB"]

    drop(page, "huge.csv", WIDE + b"#" * LIMIT)
    page.wait_for_function(
        f"""() => document.getElementById("{ids.UPLOAD_STATUS}").textContent.includes("huge.csv:")""", timeout=20_000,
    )
    assert "the limit is 3.9 KB" in page.inner_text(f"#{ids.UPLOAD_STATUS}")
    assert query_of(page) == long_query

    # Reloading the link opens the uploaded matrix; the CSV download holds it.
    page.goto(live_server.url + "/" + long_query)
    wait_for_rows(page, ["SST-2", "IMDB"])
    with page.expect_download() as download:
        page.click(f"#{ids.DOWNLOAD_CSV}")
    text = open(download.value.path(), encoding="utf-8").read()
    assert text.splitlines()[-2:] == ["SST-2,0.91,0.84", "IMDB,0.8,0.93"]
    assert download.value.suggested_filename == "long-results.csv"

    # Another neutral value opens a copy of the matrix with it (a new id, the old link unchanged).
    page.fill(f"#{ids.NEUTRAL_INPUT}", "0.85")
    page.click(f"#{ids.NEUTRAL_APPLY}")
    page.wait_for_function(f"() => window.location.search !== {long_query!r}", timeout=20_000)
    page.wait_for_function(
        f"""() => document.getElementById("{ids.DATASET_INFO}").textContent.includes("neutral value 0.85")""",
        timeout=20_000,
    )
    assert heatmap_data(page)["rows"] == ["SST-2", "IMDB"]

    # Three drops and a copy spent this address's budget (the huge file never left the browser):
    # the next drop is refused under the drop zone, with when to try again; the view stays.
    copy_query = query_of(page)
    drop(page, "one-more.csv", WIDE)
    page.wait_for_function(
        f"""() => document.getElementById("{ids.UPLOAD_STATUS}").textContent.includes("one-more.csv:")""",
        timeout=20_000,
    )
    assert page.inner_text(f"#{ids.UPLOAD_STATUS}").startswith(
        "one-more.csv: Too many uploads from your address (at most 4 per 1 hour); try again in ")
    assert query_of(page) == copy_query and heatmap_data(page)["rows"] == ["SST-2", "IMDB"]
