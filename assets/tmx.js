// Clientside callbacks of Transfer Matrix Explorer (namespace "tmx"), served from assets/.
(function () {
  "use strict";

  function graphDiv(id) {
    var outer = document.getElementById(id);
    return outer && (outer.classList.contains("js-plotly-plot") ? outer : outer.querySelector(".js-plotly-plot"));
  }

  function download(format) {
    return function (nClicks, graphId, config) {
      var gd = graphDiv(graphId);
      var options = (config && config.toImageButtonOptions) || {};
      if (gd && window.Plotly) {
        window.Plotly.downloadImage(gd, {format: format, filename: options.filename || "transfer-matrix", scale: format === "png" ? 2 : 1});
      }
      return window.dash_clientside.no_update;
    };
  }

  // Numbers as the URL writes them; the same text as transfer.viewstate.format_number.
  function formatNumber(value) {
    var text = Number(value).toFixed(6).replace(/0+$/, "").replace(/\.$/, "");
    return text === "-0" || text === "" ? "0" : text;
  }

  window.tmx = Object.assign(window.tmx || {}, {graphDiv: graphDiv, formatNumber: formatNumber});
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tmx: Object.assign({}, (window.dash_clientside || {}).tmx, {
      download_png: download("png"),
      download_svg: download("svg"),
    }),
  });
})();
