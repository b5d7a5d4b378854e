// Clustering (issue 5): the dendrograms and the cluster outline sit on numeric axes that follow
// the heatmap's category axes (window.tmx.followOverlay in tmx.js).
(function () {
  "use strict";

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tmx: Object.assign({}, (window.dash_clientside || {}).tmx, {
      follow_ranges: function (figure, graphId) {
        window.tmx.followOverlay(graphId);
        return window.dash_clientside.no_update;
      },
    }),
  });
})();
