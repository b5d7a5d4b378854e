// Selection clientside callbacks (issue 3): heatmap and bar clicks set the train/test dropdowns,
// which are the link's row/col fields. No server round trip until the dropdowns change.
(function () {
  "use strict";

  var noUpdate = function () { return window.dash_clientside.no_update; };

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
    // Clicking the selected cell again keeps the selection (and sends nothing).
    return [point.y === row ? noUpdate() : point.y, point.x === col ? noUpdate() : point.x];
  }

  // Bars are horizontal: the label of the clicked bar (or missing-value marker) is its y.
  function selectBar(clickData, current) {
    var points = (clickData && clickData.points) || [];
    if (!points.length || points[0].y === undefined || points[0].y === current) return noUpdate();
    return points[0].y;
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tmx: Object.assign({}, (window.dash_clientside || {}).tmx, {
      select_cell: selectCell,
      select_bar: selectBar,
    }),
  });
})();
