// Selection in the browser: the train/test dropdowns show the view's row/col fields (heatmap and
// bar clicks change them: assets/breakdown.js); from them the browser outlines the selection on
// the heatmap.
(function () {
  "use strict";

  // Figures carry labels escaped for plotly's pseudo-HTML (transfer.figures.plot_text): the
  // label itself is the text with &lt; &gt; &amp; undone (&amp; last, so "&amp;lt;" stays "&lt;").
  function plainLabel(text) {
    if (typeof text !== "string") return text;
    return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  // The cells trace's labels as plain text, {row: [...], col: [...]}: computed once per drawn
  // trace (its label arrays), for the outline, the highlight and the bars.
  var labelCache = new WeakMap();
  function traceLabels(trace) {
    var ys = trace.y || [], xs = trace.x || [];
    var known = labelCache.get(ys);
    if (known && known.xs === xs) return known.labels;
    var labels = {row: Array.from(ys).map(plainLabel), col: Array.from(xs).map(plainLabel)};
    labelCache.set(ys, {xs: xs, labels: labels});
    return labels;
  }

  // The same outlines as transfer.figures.selection_shapes (which draws them on a full redraw),
  // after the figure's outline slots (transfer.figures.HeatmapShape.SELECTION).
  var LINE = {color: "#1b1b1b", width: 2}, SELECTION = 3;

  function selectionShapes(rows, cols, row, col) {
    var shapes = [], i = rows.indexOf(row), j = cols.indexOf(col);
    if (row !== null && i >= 0) {
      shapes.push({type: "rect", xref: "x", yref: "y", x0: -0.5, x1: cols.length - 0.5, y0: i - 0.5, y1: i + 0.5,
                   line: Object.assign({}, LINE), name: "selected-row"});
    }
    if (col !== null && j >= 0) {
      shapes.push({type: "rect", xref: "x", yref: "y", x0: j - 0.5, x1: j + 0.5, y0: -0.5, y1: rows.length - 0.5,
                   line: Object.assign({}, LINE), name: "selected-col"});
    }
    return shapes;
  }

  // A new figure for the heatmap (a Patch too) makes plotly recompute and redraw every cell
  // (~0.5 s at 1000x1000); a relayout of the shapes alone takes a few ms. The figure held by Dash
  // gets the same shapes in place (tmx.dash.keepInState), so a later patch of it (a cut, a
  // threshold) keeps the outline.
  function outlineSelection(row, col, figure, graphId) {
    var cells = figure && figure.data && figure.data[0];
    if (!cells) return;
    var labels = traceLabels(cells);
    var kept = ((figure.layout && figure.layout.shapes) || []).slice(0, SELECTION), tmx = window.tmx;
    var shapes = kept.concat(selectionShapes(labels.row, labels.col, row, col));
    if (!figure.layout) tmx.dash.keepInState(figure, "layout", {});
    tmx.dash.keepInState(figure.layout, "shapes", shapes);
    var gd = tmx.graphDiv(graphId);
    if (tmx.plotly.isDrawn(gd)) window.Plotly.relayout(gd, {shapes: JSON.parse(JSON.stringify(shapes))});
  }

  // A page that arrives drawn lists only the chosen train/test label in its dropdowns; every
  // label follows once the heatmap has been drawn and painted and the page is idle (Dash 4's
  // dropdown indexes every substring of 2 x 1000 labels, ~170 ms: kept off the load), or at
  // once when a person reaches for a dropdown first (a press, a focus), or after ~5 s whatever
  // happened (components/state.py, `deferred`).
  // Later lists (a new dataset) only replace the pending ones: `sync` sends those itself.
  var pendingOptions = null;
  var DRAWN = {painted: true, anyway: true};
  var REACH = ["pointerdown", "focusin", "keydown"];

  function fillSelectOptions(lists, rowId, colId, graphId) {
    var first = pendingOptions === null;
    pendingOptions = lists || {};
    if (first) {
      var sent = false;
      var send = function () {
        if (sent) return;
        sent = true;
        REACH.forEach(function (type) { document.removeEventListener(type, reach, true); });
        var setProps = window.tmx.dash.setProps;
        if (pendingOptions.row) setProps(rowId, {options: pendingOptions.row});
        if (pendingOptions.col) setProps(colId, {options: pendingOptions.col});
      };
      var reach = function (event) {
        var target = event.target;
        if (target && target.closest && target.closest("#" + rowId + ", #" + colId)) send();
      };
      REACH.forEach(function (type) { document.addEventListener(type, reach, true); });
      window.tmx.whenPlotReady(graphId, function () { window.tmx.whenIdle(send); }, DRAWN);
    }
    return window.dash_clientside.no_update;
  }

  window.tmx = Object.assign(window.tmx || {}, {plainLabel: plainLabel, traceLabels: traceLabels, selectionShapes: selectionShapes});
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tmx: Object.assign({}, (window.dash_clientside || {}).tmx, {
      fill_select_options: fillSelectOptions,
      outline_selection: outlineSelection,
    }),
  });
})();
