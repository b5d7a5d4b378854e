// The table tab (components/table.py) in step with the view (tmx.view).
//
// `table_query` keeps in TABLE_QUERY the fields of the view the table shows, while the table tab
// is open: the server draws the table for that text, so a click on the heatmap, a slider moved
// on another tab or a selection sends nothing. It is the twin of components.table.table_query.
// The table's buttons (sort, Previous/Next) carry the change of the view they make as the link
// writes it (`data-view-change`); a press (a click, Enter or Space) hands it to tmx.view.change.
// A redrawn table keeps the keyboard focus on the button that was pressed (`data-table-key`).
(function () {
  "use strict";

  var tableId = null;  // the table's container (components/ids.py TABLE), from the spec
  var refocus = null;  // {key, until}: the button pressed last, to focus again once redrawn
  var observer = null;  // watches the table's container while `refocus` is set

  function noUpdate() { return window.dash_clientside.no_update; }

  function tableQuery(view, last, spec) {
    if (typeof view !== "string" || !spec || !Array.isArray(spec.fields)) return noUpdate();
    tableId = spec.container;
    var parts = view.split("&"), tab = null;
    parts.forEach(function (part) {
      var at = part.indexOf("=");
      if (at > 0 && part.slice(0, at) === "tab") tab = decodeURIComponent(part.slice(at + 1).replace(/\+/g, " "));
    });
    if (tab !== spec.tab) return noUpdate();  // drawn when the tab is open, not for every view
    var key = parts.filter(function (part) { return part && spec.fields.indexOf(part.split("=")[0]) >= 0; }).join("&");
    return key === last ? noUpdate() : key;
  }

  function keyed(container, key) {
    var found = null;
    container.querySelectorAll("[data-table-key]").forEach(function (el) {
      if (el.getAttribute("data-table-key") === key) found = el;
    });
    return found;
  }

  function forget() {
    refocus = null;
    if (observer) observer.disconnect();
  }

  // After a redraw: the pressed button again (or, disabled now, its pair's other one), unless
  // the focus has gone somewhere else meanwhile.
  function restoreFocus() {
    if (!refocus) return;
    var container = tableId && document.getElementById(tableId);
    if (!container || Date.now() > refocus.until) { forget(); return; }
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) return;
    var target = keyed(container, refocus.key);
    if (target && target.disabled) {
      target = Array.prototype.filter.call(target.parentNode.querySelectorAll("button"),
                                           function (b) { return !b.disabled; })[0] || null;
    }
    if (target) target.focus();
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tmx: Object.assign({}, (window.dash_clientside || {}).tmx, {table_query: tableQuery}),
  });

  if (typeof document.addEventListener !== "function") return;  // not a browser (tests/js)
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest ? event.target.closest("[data-view-change]") : null;
    var container = tableId && document.getElementById(tableId);
    if (!button || !container || !container.contains(button) || button.disabled || !window.tmx.view) return;
    var changes;
    try { changes = JSON.parse(button.getAttribute("data-view-change")); } catch (err) { return; }
    refocus = {key: button.getAttribute("data-table-key"), until: Date.now() + 30000};
    observer = observer || new MutationObserver(restoreFocus);
    observer.observe(container, {childList: true, subtree: true});
    window.tmx.view.change(changes);
  });

  // Focus moved on by the person (Tab, a click elsewhere): nothing to restore.
  document.addEventListener("focusin", function (event) {
    if (refocus && event.target && event.target.getAttribute && event.target.getAttribute("data-table-key") !== refocus.key) {
      forget();
    }
  });

})();
