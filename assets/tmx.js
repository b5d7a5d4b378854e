// Clientside callbacks of Transfer Matrix Explorer (namespace "tmx"), served from assets/.
(function () {
  "use strict";

  function graphDiv(id) {
    var outer = document.getElementById(id);
    return outer && (outer.classList.contains("js-plotly-plot") ? outer : outer.querySelector(".js-plotly-plot"));
  }

  // Run `fn` once the graph has been drawn and painted (or after ~5 s whatever happened): work
  // the page can do later stays off its first drawing.
  function afterDraw(graphId, fn, attempts) {
    var gd = graphDiv(graphId);
    if ((!gd || !gd._fullLayout || gd.classList.contains("dash-graph--pending")) && (attempts || 0) < 100) {
      window.setTimeout(function () { afterDraw(graphId, fn, (attempts || 0) + 1); }, 50);
      return;
    }
    window.requestAnimationFrame(function () { window.setTimeout(fn, 0); });
  }

  function download(format) {
    return function (nClicks, graphId, meta) {
      var gd = graphDiv(graphId);
      if (gd && window.Plotly) {
        window.Plotly.downloadImage(gd, {format: format, filename: (meta && meta.key) || "transfer-matrix", scale: format === "png" ? 2 : 1});
      }
      return window.dash_clientside.no_update;
    };
  }

  // Numbers as the URL writes them; the same text as transfer.viewstate.format_number.
  function formatNumber(value) {
    var text = Number(value).toFixed(6).replace(/0+$/, "").replace(/\.$/, "");
    return text === "-0" || text === "" ? "0" : text;
  }

  // A query value encoded as Python's urlencode (quote_plus) writes it, so links compare equal.
  function encodeValue(text) {
    return encodeURIComponent(String(text))
      .replace(/[!'()*]/g, function (c) { return "%" + c.charCodeAt(0).toString(16).toUpperCase(); })
      .replace(/%20/g, "+");
  }

  // The heatmap's cells, shared by the highlight (thresholds.js) and the bars (breakdown.js).
  var DTYPES = {f4: Float32Array, f8: Float64Array, i1: Int8Array, u1: Uint8Array, i2: Int16Array,
                u2: Uint16Array, i4: Int32Array, u4: Uint32Array};
  var decoded = {source: null, cells: null};

  function base64Bytes(text) {
    if (Uint8Array.fromBase64) return Uint8Array.fromBase64(text);  // native: 4 MB in ~5 ms, a quarter of the loop's time
    var chars = atob(text), bytes = new Uint8Array(chars.length);
    for (var b = 0; b < chars.length; b++) bytes[b] = chars.charCodeAt(b);  // 20x faster than Uint8Array.from(chars, fn)
    return bytes;
  }

  // plotly decodes the same base64 into one typed array whose rows are views on it: when the
  // graph already shows this z, its buffer is the cells (no second decode of 4 MB at 1000 tasks).
  function plottedValues(z, graphId, Typed, size) {
    var gd = graphId ? graphDiv(graphId) : null;
    var shown = gd && gd.data && gd.data[0] && gd.data[0].z, full = gd && gd._fullData && gd._fullData[0] && gd._fullData[0].z;
    var first = full && full[0];
    if (!shown || shown.bdata !== z.bdata || !(first instanceof Typed) || first.byteOffset !== 0 ||
        first.buffer.byteLength !== size * Typed.BYTES_PER_ELEMENT) return null;
    return new Typed(first.buffer);
  }

  // z as plotly.py 6+ sends it ({dtype, bdata, shape}, base64) or as nested lists -> row-major
  // values (a typed array) with NaN for missing cells, and its shape. Cached: one decode per drawn
  // matrix (keyed by its base64 text, which a patched figure keeps).
  function cellValues(z, graphId) {
    var source = z && z.bdata !== undefined ? z.bdata : z;
    if (decoded.source === source) return decoded.cells;
    var cells;
    if (z && z.bdata !== undefined) {
      var shape = String(z.shape).split(",").map(Number);
      var Typed = DTYPES[z.dtype];
      if (!Typed) throw new Error("tmx: unsupported heatmap dtype " + z.dtype);
      var size = shape.reduce(function (a, b) { return a * b; }, 1);
      var view = plottedValues(z, graphId, Typed, size) || new Typed(base64Bytes(z.bdata).buffer);
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
    decoded = {source: source, cells: cells};
    return cells;
  }

  // Numeric overlay axes (lines between cells, dendrograms, cluster outlines) follow the
  // heatmap's category axes after every zoom, pan or redraw; the figure names the pairs in
  // layout.meta.follow ({"xaxis2": "xaxis", ...}). Their layers are put in place first
  // (placeOverlays); a range to copy is a relayout of ranges alone (no recalculation).
  function followRanges(gd) {
    var follow = gd && gd.layout && gd.layout.meta && gd.layout.meta.follow;
    if (!follow || !gd._fullLayout) return;
    placeOverlays(gd);
    var update = {};
    Object.keys(follow).forEach(function (axis) {
      var base = gd._fullLayout[follow[axis]], own = gd._fullLayout[axis];
      if (base && own && (Math.abs(base.range[0] - own.range[0]) > 1e-9 || Math.abs(base.range[1] - own.range[1]) > 1e-9)) {
        update[axis + ".range"] = base.range.slice();
      }
    });
    if (Object.keys(update).length) window.Plotly.relayout(gd, update);
  }

  // An overlaid subplot's layer (its lines) where its axes are. plotly.js (4.1.1) moves each
  // subplot's layer to its axes' offsets (and sizes its clip box) before it re-scales an
  // *overlaying* axis to the domain that scaleanchor/constrain has just given the axis it
  // overlays; it re-scales it only when it draws the axes, next. The lines are drawn with the
  // re-scaled axes, but in a layer left where the heatmap was at the previous draw's size: after
  // the first draw, a resize or a rotation the threshold and cluster outlines sat 13.6 px left of
  // their cells at 1920 x 1080 and 54 px above them on a phone, until a later full draw at the
  // same size. (Giving the overlay axes a scale constraint of their own makes plotly re-scale
  // them in time, but then every copied range is a full redraw, and a zoom raced Dash's copy of
  // the layout and was undone.) Two attributes, no redraw; the heatmap's own layer, the fade
  // and the selection (layout shapes on the category axes) never move.
  function placeOverlays(gd) {
    var plots = gd._fullLayout._plots || {};
    Object.keys(plots).forEach(function (id) {
      var plot = plots[id], xa = plot.xaxis, ya = plot.yaxis, layer = plot.plot && plot.plot.node();
      if (!plot.mainplot || !layer || !xa || !ya || !isFinite(xa._offset) || !isFinite(ya._offset)) return;  // overlays only
      var moved = layer.transform && layer.transform.baseVal.consolidate(), at = moved ? moved.matrix : {e: 0, f: 0};
      if (Math.abs(at.e - xa._offset) > 1e-3 || Math.abs(at.f - ya._offset) > 1e-3) {
        layer.setAttribute("transform", "translate(" + xa._offset + "," + ya._offset + ")");
      }
      var clip = plot.clipRect && plot.clipRect.node();
      if (clip && (+clip.getAttribute("width") !== xa._length || +clip.getAttribute("height") !== ya._length)) {
        clip.setAttribute("width", xa._length);
        clip.setAttribute("height", ya._length);
      }
    });
  }

  // Attached once per plot (a new plot on the same element drops plotly's listeners: keyed on
  // its event emitter); the first highlight can run before plotly has set the graph up. Polled
  // once a frame, so that the overlays of a first draw are in place before it is painted.
  function followOverlay(graphId, attempts) {
    var gd = graphDiv(graphId);
    if (gd && gd._ev && gd._tmxFollow === gd._ev) return;
    if (!gd || !gd.on || !gd._ev || !gd._fullLayout) {
      if ((attempts || 0) < 1800) window.requestAnimationFrame(function () { followOverlay(graphId, (attempts || 0) + 1); });
      return;
    }
    gd._tmxFollow = gd._ev;
    followRanges(gd);
    gd.on("plotly_relayout", function () { followRanges(gd); });
    gd.on("plotly_afterplot", function () { followRanges(gd); });
  }

  // dcc.Graph (responsive) calls Plotly.Plots.resize whenever its container's box changes, as
  // the page fills in around it on load; plotly then re-runs its defaults over the whole figure
  // 100 ms later even when the plot keeps its size (~60 ms at 1000 tasks, right after the first
  // draw). A resize that would not change the plot's size is skipped.
  function skipSameSizeResizes(Plotly) {
    var plots = Plotly && Plotly.Plots;
    if (!plots || plots.tmxResize) return;
    var resize = plots.resize;
    plots.resize = function (gd) {
      var div = typeof gd === "string" ? document.getElementById(gd) : gd, full = div && div._fullLayout;
      if (full && full.autosize && div.clientWidth === Math.round(full.width) && div.clientHeight === Math.round(full.height)) {
        return Promise.resolve(div);
      }
      return resize.apply(this, arguments);
    };
    plots.tmxResize = true;
  }

  // plotly.js (4.6 MB; ~70 ms to run) runs while the server builds the layout: started when Dash
  // asks for it, and the layout handed on once plotly is there, so the graph finds window.Plotly
  // when it mounts (it would load a second copy otherwise). The page preloads the script
  // (serving.App); without that, or if it fails, dcc.Graph loads plotly itself as usual.
  function loadPlotlyWithLayout() {
    var preload = document.getElementById("tmx-plotly"), fetch = window.fetch;
    if (!preload || window.Plotly || !fetch) return;
    window.fetch = function (input) {
      var answer = fetch.apply(this, arguments);
      if (String((input && input.url) || input).indexOf("_dash-layout") < 0) return answer;
      window.fetch = fetch;  // once
      var loaded = new Promise(function (resolve) {
        var script = document.createElement("script");
        script.src = preload.href;
        script.onload = script.onerror = resolve;
        window.setTimeout(resolve, 30000);  // as long as dcc.Graph itself waits for plotly
        document.head.appendChild(script);
      });
      return Promise.all([answer, loaded]).then(function (both) { return both[0]; });
    };
  }
  loadPlotlyWithLayout();

  // plotly arrives later (dcc.Graph loads it with its first graph).
  if (window.Plotly) skipSameSizeResizes(window.Plotly);
  else {
    Object.defineProperty(window, "Plotly", {
      configurable: true,
      get: function () { return undefined; },
      set: function (Plotly) {
        Object.defineProperty(window, "Plotly", {value: Plotly, writable: true, configurable: true, enumerable: true});
        skipSameSizeResizes(Plotly);
      },
    });
  }

  window.tmx = Object.assign(window.tmx || {}, {graphDiv: graphDiv, afterDraw: afterDraw, formatNumber: formatNumber, cellValues: cellValues, followOverlay: followOverlay,
                                                encodeValue: encodeValue});
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tmx: Object.assign({}, (window.dash_clientside || {}).tmx, {
      download_png: download("png"),
      download_svg: download("svg"),
    }),
  });
})();
