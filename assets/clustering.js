// Clustering (issue 5): keep the numeric axes that draw between cells (dendrograms, the cluster
// outline) on the same ranges as the heatmap's category axes after every zoom, pan or redraw.
// The figure names the pairs in layout.meta.follow ({"yaxis3": "yaxis", ...}).
(function () {
  "use strict";

  function sameRange(a, b) {
    return a && b && Math.abs(a[0] - b[0]) < 1e-9 && Math.abs(a[1] - b[1]) < 1e-9;
  }

  function followRanges(gd) {
    var follow = gd && gd.layout && gd.layout.meta && gd.layout.meta.follow;
    if (!follow || !gd._fullLayout) return;
    var update = {};
    Object.keys(follow).forEach(function (axis) {
      var base = gd._fullLayout[follow[axis]], own = gd._fullLayout[axis];
      if (base && own && !sameRange(base.range, own.range)) update[axis + ".range"] = base.range.slice();
    });
    if (Object.keys(update).length) window.Plotly.relayout(gd, update);
  }

  function attach(gd) {
    if (gd._tmxFollow) return;
    gd._tmxFollow = true;
    gd.on("plotly_relayout", function () { followRanges(gd); });
    gd.on("plotly_afterplot", function () { followRanges(gd); });
  }

  window.tmx = Object.assign(window.tmx || {}, {followRanges: followRanges});
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tmx: Object.assign({}, (window.dash_clientside || {}).tmx, {
      follow_ranges: function (figure, graphId) {
        var gd = window.tmx.graphDiv ? window.tmx.graphDiv(graphId) : null;
        if (gd && gd.on) { attach(gd); followRanges(gd); }
        return window.dash_clientside.no_update;
      },
    }),
  });
})();
