"""Share a view in real Chromium: copy the link, open it in a fresh browser, get the same view."""

from __future__ import annotations

from components import ids

from browser import heatmap_data, query_of, wait_for_heatmap
from test_share_serving import shared_matrix, upload

API_VIEW_JS = "() => fetch('/api/view' + window.location.search).then(r => r.json())"


def open_view(page, url: str) -> None:
    page.goto(url)
    wait_for_heatmap(page)
    page.wait_for_function("() => window.location.search.startsWith('?dataset=')")  # canonical form written


def test_copied_link_opens_the_identical_view_in_a_new_browser(live_server, sqlite_url, page, browser):
    dataset_id = upload(live_server.url, shared_matrix())
    # Hand-written, out of order and not normalised: the page rewrites it in canonical form.
    open_view(
        page, f"{live_server.url}/?k=3&pos=0.0500&row=Movies&dataset={dataset_id}&col=Winobias&order=cluster&diag=0",
    )
    canonical = f"dataset={dataset_id}&order=cluster&k=3&row=Movies&col=Winobias&pos=0.05&diag=0"
    page.wait_for_function(f"() => window.location.search === '?{canonical}'")
    shown = page.evaluate(API_VIEW_JS)
    assert shown["notices"] == [] and shown["query"] == canonical

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.click(f"#{ids.SHARE_BUTTON}")
    page.wait_for_selector(f"#{ids.SHARE_STATUS}:has-text('Link copied')")
    link = page.evaluate("() => navigator.clipboard.readText()")
    assert link == f"{live_server.url}/?{canonical}"
    assert page.input_value(f"#{ids.SHARE_LINK}") == link
    assert page.get_attribute(f"#{ids.SHARE_JSON}", "href") == f"/api/view?{canonical}"

    fresh = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        other = fresh.new_page()
        errors: list[str] = []
        other.on("pageerror", lambda err: errors.append(str(err)))
        open_view(other, link)
        assert other.url == link
        assert other.evaluate(API_VIEW_JS) == shown
        assert heatmap_data(other) == heatmap_data(page)
        assert other.inner_text(f"#{ids.DATASET_INFO}") == page.inner_text(f"#{ids.DATASET_INFO}")
        assert not errors
    finally:
        fresh.close()


def test_without_clipboard_api_the_link_is_shown_selected(live_server, page):
    # As on plain http from another host: no navigator.clipboard, and execCommand refuses.
    page.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined, configurable: true});"
        "document.execCommand = () => false;"
    )
    open_view(page, f"{live_server.url}/?dataset=llama-3-8b_auc&row=Movies")
    page.click(f"#{ids.SHARE_BUTTON}")
    page.wait_for_selector(f"#{ids.SHARE_STATUS}:has-text('Copy the selected link')")
    link = f"{live_server.url}/{query_of(page)}"
    assert page.input_value(f"#{ids.SHARE_LINK}") == link
    page.wait_for_function(
        f"""() => {{ const f = document.activeElement;
                   return f && f.id === "{ids.SHARE_LINK}" && f.selectionStart === 0
                     && f.selectionEnd === f.value.length; }}"""
    )
    page.wait_for_timeout(350)
    page.click(f"#{ids.SHARE_CLOSE}")
    page.wait_for_selector(f"#{ids.SHARE_LINK}", state="detached")
