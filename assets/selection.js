// Selection clientside callbacks (issue 3): heatmap and bar clicks set the train/test dropdowns,
// which are the link's row/col fields. No server round trip until the dropdowns change.
(function () {
  "use strict";

  var noUpdate = function () { return window.dash_clientside.no_update; };

  // Figures carry labels escaped for plotly's pseudo-HTML (transfer.figures.plot_text): the
  // label itself is the text with &lt; &gt; &amp; undone (&amp; last, so "&amp;lt;" stays "&lt;").
  function plainLabel(text) {
    if (typeof text !== "string") return text;
    return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  // The cell under the click: the first point of the cells trace (curve 0); overlays skip hover.
  function clickedPoint(clickData) {
    var points = (clickData && clickData.points) || [];
    for (var i = 0; i < points.length; i++) {
      if (points[i].curveNumber === 0) return points[i];
    }
    return points[0];
  }

  function selectCell(clickData, row, col) {
    var point = clickedPoint(clickData);
    if (!point || point.x === undefined || point.y === undefined) return [noUpdate(), noUpdate()];
    var y = plainLabel(point.y), x = plainLabel(point.x);
    // Clicking the selected cell again keeps the selection (and sends nothing).
    return [y === row ? noUpdate() : y, x === col ? noUpdate() : x];
  }

  // Bars are horizontal: the label of the clicked bar (or missing-value marker) is its y.
  function selectBar(clickData, current) {
    var points = (clickData && clickData.points) || [];
    var label = points.length ? plainLabel(points[0].y) : undefined;
    if (label === undefined || label === current) return noUpdate();
    return label;
  }

  window.tmx = Object.assign(window.tmx || {}, {plainLabel: plainLabel});
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tmx: Object.assign({}, (window.dash_clientside || {}).tmx, {
      select_cell: selectCell,
      select_bar: selectBar,
    }),
  });
})();
