// Threshold lines on the breakdown panels (issue 4): drawn in the browser from the pos/neg
// stores, so moving a slider never asks the server; redrawn after the server redraws a panel.
(function () {
  "use strict";

  var STYLE = {pos: {color: "#1b1b1b", width: 1.5, dash: "solid"}, neg: {color: "#1b1b1b", width: 1.5, dash: "dot"}};

  function thresholdShapes(figure, values) {
    var kept = ((figure.layout && figure.layout.shapes) || []).filter(function (s) { return !(s.name in STYLE); });
    Object.keys(STYLE).forEach(function (name) {
      var value = values[name];
      if (value === null || value === undefined) return;
      kept.push({type: "line", xref: "x", yref: "paper", x0: value, x1: value, y0: 0, y1: 1, line: STYLE[name], name: name});
    });
    return kept;
  }

  function patchLines(figure, values) {
    if (!figure || !figure.layout || !figure.data || !figure.data.length) return window.dash_clientside.no_update;
    var patch = new window.dash_clientside.Patch();
    patch.assign(["layout", "shapes"], thresholdShapes(figure, values));
    return patch.build();
  }

  window.tmx = Object.assign(window.tmx || {}, {panelThresholdShapes: thresholdShapes});
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tmx: Object.assign({}, (window.dash_clientside || {}).tmx, {
      // Inputs: pos, neg, and each panel's stats (they change whenever the server redraws it).
      panel_threshold_lines: function (pos, neg, _rowStats, _colStats, rowFigure, colFigure) {
        var values = {pos: pos, neg: neg};
        return [patchLines(rowFigure, values), patchLines(colFigure, values)];
      },
    }),
  });
})();
