// Clientside callbacks of Transfer Matrix Explorer (namespace "tmx"), served from assets/.
// What touches plotly.js or Dash internals is in assets/plotly_workarounds.js (tmx.graphDiv,
// tmx.whenPlotReady, tmx.whenIdle, tmx.followOverlay, tmx.plotly.*, tmx.dash.*).
(function () {
  "use strict";

  var EXPORT_TITLE_ROOM = 36;  // px added above the plot for the title laid into an exported image

  // The figure as an exported image shows it: the view's title (transfer/exports.py view_title:
  // the matrix, comparison, normalisation, filter) laid in above the plot, only in the copy.
  function exportedFigure(gd, title) {
    var layout = Object.assign({}, gd.layout), full = gd._fullLayout;
    var margin = Object.assign({}, layout.margin || {}), top = (full.margin && full.margin.t) || 0;
    margin.t = top + EXPORT_TITLE_ROOM;
    // plotly reads a few tags in titles: the text is escaped so that a name is only ever text
    var text = String(title).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    layout.title = {text: text, x: 0.01, xanchor: "left", xref: "paper", y: 1, yref: "container",
                    yanchor: "top", pad: {t: 10}, font: {size: 15}};
    layout.margin = margin;
    return {data: gd.data, layout: layout, width: full.width, height: full.height + EXPORT_TITLE_ROOM};
  }

  function download(format) {
    return function (nClicks, graphId, meta) {
      var gd = window.tmx.graphDiv(graphId);
      if (gd && window.Plotly && gd._fullLayout) {
        var figure = exportedFigure(gd, (meta && meta.title) || "Transfer matrix");
        window.Plotly.downloadImage({data: figure.data, layout: figure.layout}, {
          format: format, filename: (meta && meta.filename) || "transfer-matrix",
          width: figure.width, height: figure.height, scale: format === "png" ? 2 : 1,
        });
      }
      return window.dash_clientside.no_update;
    };
  }

  // --- numbers as Python writes them -------------------------------------------------------------

  // Python's f"{value:.{digits}f}": toFixed, except that Python rounds a value exactly halfway
  // between two roundings to the even digit (toFixed: away from zero; 0.0625 -> "0.062", not
  // "0.063") and writes every digit of values from 1e21 (toFixed: "1e+21"). A value is halfway at
  // `digits` decimals when value * 2^(digits+1) is an odd integer.
  function fixed(value, digits) {
    if (value !== value) return "nan";
    if (value === Infinity || value === -Infinity) return value > 0 ? "inf" : "-inf";
    if (Math.abs(value) >= 1e21) return BigInt(value).toString() + (digits > 0 ? "." + "0".repeat(digits) : "");
    if (value === 0) return (1 / value < 0 ? "-" : "") + (0).toFixed(digits);  // -0 keeps its sign
    var twice = value * Math.pow(2, digits + 1);
    if (Number.isInteger(twice) && twice % 2 !== 0) {
      var down = value.toFixed(digits + 1).slice(0, digits > 0 ? -1 : -2);  // exact: the value has digits + 1 decimals
      if (+down.charAt(down.length - 1) % 2 === 0) return down;
    }
    return value.toFixed(digits);
  }

  // Numbers as the URL writes them; the same text as transfer.viewstate.format_number.
  function formatNumber(value) {
    var text = fixed(Number(value), 6).replace(/0+$/, "").replace(/\.$/, "");
    return text === "-0" || text === "" ? "0" : text;
  }

  // A number in a notice: as the link writes it, or in exponent form (6 significant digits) when
  // that would take more than a dozen digits or round to 0; transfer.viewstate.notice_number.
  function noticeNumber(value) {
    var size = Math.abs(value);
    if (size === 0 || !isFinite(size) || (size >= 1e-6 && size < 1e12)) return formatNumber(value);
    var text = value.toExponential(5);
    if (Number.isInteger(value)) {  // halfway at 6 digits: to the even one, as Python does
      var digits = BigInt(size).toString();
      if (/^\d{6}50*$/.test(digits) && +digits.charAt(5) % 2 === 0) {
        text = (value < 0 ? "-" : "") + digits.charAt(0) + "." + digits.slice(1, 6) + "e+" + (digits.length - 1);
      }
    }
    return text.replace(/\.?0+e/, "e").replace(/e([+-])(\d)$/, "e$10$2");
  }

  // A query value encoded as Python's urlencode (quote_plus) writes it, so links compare equal.
  function encodeValue(text) {
    return encodeURIComponent(String(text))
      .replace(/[!'()*]/g, function (c) { return "%" + c.charCodeAt(0).toString(16).toUpperCase(); })
      .replace(/%20/g, "+");
  }

  // --- the heatmap's cells, shared by the highlight (thresholds.js) and the bars (breakdown.js) ---

  var DTYPES = {f4: Float32Array, f8: Float64Array, i1: Int8Array, u1: Uint8Array, i2: Int16Array,
                u2: Uint16Array, i4: Int32Array, u4: Uint32Array};
  var decoded = {source: null, form: null, cells: null};

  // z as plotly.py 6+ sends it ({dtype, bdata, shape}, base64), packed (transfer/wire.py: decoded
  // in place first, assets/wire.js) or as nested lists -> row-major
  // values (a typed array) with NaN for missing cells, and its shape. Cached: one decode per drawn
  // matrix (keyed by its base64 text, which a patched figure keeps, its dtype and shape: a 1 x 2
  // and a 2 x 1 matrix can have the same bytes). When the graph already shows this z, plotly's
  // decoded buffer is used (tmx.plotly.plottedValues).
  function cellValues(z, graphId) {
    window.tmx.wire.decode(z);
    var typed = z && z.bdata !== undefined, source = typed ? z.bdata : z, form = typed ? z.dtype + " " + z.shape : null;
    if (decoded.source === source && decoded.form === form) return decoded.cells;
    var cells;
    if (typed) {
      var shape = String(z.shape).split(",").map(Number);
      var Typed = DTYPES[z.dtype];
      if (!Typed) throw new Error("tmx: unsupported heatmap dtype " + z.dtype);
      var size = shape.reduce(function (a, b) { return a * b; }, 1);
      var view = (graphId && window.tmx.plotly.plottedValues(graphId, z, Typed, size)) ||
                 new Typed(typeof z.bdata === "string" ? window.tmx.wire.base64Bytes(z.bdata).buffer : z.bdata);
      cells = {rows: shape[0], cols: shape.length > 1 ? shape[1] : view.length / shape[0], values: view, float32: z.dtype === "f4"};
    } else {
      var rows = z || [], n = rows.length, m = n ? rows[0].length : 0, values = new Float64Array(n * m);
      for (var i = 0; i < n; i++) {
        for (var j = 0; j < m; j++) {
          var v = rows[i][j];
          values[i * m + j] = v === null || v === undefined ? NaN : +v;
        }
      }
      cells = {rows: n, cols: m, values: values, float32: false};
    }
    decoded = {source: source, form: form, cells: cells};
    return cells;
  }

  // On load: `true` into the calling store once the heatmap is drawn and painted and the page is
  // idle (tmx.whenIdle), for work the first screen does not show.
  function whenDrawn(storeId, graphId) {
    window.tmx.whenPlotReady(graphId, function () {
      window.tmx.whenIdle(function () { window.tmx.dash.setProps(storeId, {data: true}); });
    }, {painted: true, anyway: true});
    return window.dash_clientside.no_update;
  }

  // A chip under an insight selects what it points at (components/insights.py): the row and col
  // its target names. New chips fire with n_clicks null: only a real click selects.
  function insightSelect(clicks, targets) {
    var ctx = window.tmx.dash.context(), fired = (ctx.triggered || [])[0], id = ctx.triggered_id;
    var target = id && fired && fired.value && Array.isArray(targets) ? targets[id.index] : null;
    if (!target || typeof target !== "object" || Array.isArray(target)) {
      throw window.dash_clientside.PreventUpdate;
    }
    return [target.row === undefined ? null : target.row, target.col === undefined ? null : target.col];
  }

  window.tmx = Object.assign(window.tmx || {}, {fixed: fixed, formatNumber: formatNumber, noticeNumber: noticeNumber,
                                                encodeValue: encodeValue, cellValues: cellValues});
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tmx: Object.assign({}, (window.dash_clientside || {}).tmx, {
      download_png: download("png"),
      download_svg: download("svg"),
      insight_select: insightSelect,
      when_drawn: whenDrawn,
    }),
  });
})();
