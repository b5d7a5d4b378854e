// Thresholds, entirely in the browser: moving a slider or typing a value never sends a request.
// - threshold_controls keeps each switch + slider + typed box in step with its store (the
//   effective value: a number, or null when off; the view's pos/neg, whose link assets/view.js
//   writes); the server only sets the sliders' ranges.
// - threshold_highlight classifies the drawn cells exactly as transfer.thresholds.classify does,
//   patches the heatmap's fade image and outline shapes (layout slots: never a trace, so plotly
//   redraws only the layout's pictures and lines), writes the counts.
//   "Significant only" (`sig`, a matrix with replicates) reads each cell's significance code from
//   the UNCERTAINTY slot (one byte a cell, transfer.uncertainty.CellStats.codes; see
//   transfer.figures._uncertainty_trace).
(function () {
  "use strict";

  var TRACE = {CELLS: 0, UNCERTAINTY: 1};  // transfer.figures.HeatmapTrace
  var IMAGE = {FADE: 1};  // transfer.figures.HeatmapImage
  var SHAPE = {POSITIVE: 0, NEGATIVE: 1};  // transfer.figures.HeatmapShape
  // plotly draws each gap-separated piece of a line as its own SVG path: a scattered highlight
  // on a large matrix (a third of 1000 x 1000 cells) made ~600,000 paths, a minute to draw. Past
  // this many pieces a sign's outline is left out (its cells still stand out of the fade) and the
  // counts say so.
  var OUTLINE_PIECES_MAX = 5000;

  function noUpdate() { return window.dash_clientside.no_update; }

  // Positions (in the callback's Input order) of the inputs that fired, so no id is repeated here.
  function firedInputs() {
    var ctx = window.tmx.dash.context();
    var inputs = (ctx.inputs_list || []).map(function (i) { return i.id + "." + i.property; });
    return (ctx.triggered || []).map(function (t) { return inputs.indexOf(t.prop_id); });
  }

  function anyOf(fired, first, last) {
    return fired.some(function (i) { return i >= first && i <= last; });
  }

  // --- significance (transfer.uncertainty: codes and SIG_LEVELS) ------------------------------

  function base64Bytes(text) {
    if (Uint8Array.fromBase64) return Uint8Array.fromBase64(text);
    var chars = atob(text), bytes = new Uint8Array(chars.length);
    for (var b = 0; b < chars.length; b++) bytes[b] = chars.charCodeAt(b);
    return bytes;
  }

  // The figure's significance codes (row-major, one per cell) and the q-value levels they count
  // (code k: q < levels[k - 1]), or null for a matrix without replicates: the customdata of the
  // UNCERTAINTY trace, or under the value-suppressing palette the bits of its z above
  // `meta.sig_shift` (the low bits are the colour). One decode per figure.
  var decodedCodes = {source: null, codes: null};
  function significanceCodes(trace) {
    var meta = trace && trace.meta, levels = meta && meta.sig_levels;
    var shift = meta && meta.sig_shift, data = shift ? trace.z : trace && trace.customdata;
    if (!data || !levels) return null;
    var source = data.bdata !== undefined ? data.bdata : data;
    if (decodedCodes.source !== source) {
      var codes = data.bdata !== undefined ? base64Bytes(data.bdata) : Uint8Array.from([].concat.apply([], data));
      if (shift) codes = codes.map(function (byte) { return byte >> shift; });
      decodedCodes = {source: source, codes: codes};
    }
    return {codes: decodedCodes.codes, levels: levels};
  }

  // "Significant only" at `sig` (a q-value level as the link writes it, or the select's "off"):
  // {codes, least}, a cell passing when its code is at least `least`; null when off or without codes.
  function significanceFilter(significance, sig) {
    if (!significance || sig === null || sig === undefined || !isFinite(Number(sig)) || sig === "") return null;
    var least = significance.levels.indexOf(Number(sig)) + 1;
    return least > 0 ? {codes: significance.codes, least: least} : null;
  }

  // --- classification (the same rules as transfer/thresholds.py) ------------------------------

  function classify(cells, rowLabels, colLabels, pos, neg, diag, significant) {
    var n = cells.rows, m = cells.cols, size = n * m;
    var positive = new Uint8Array(size), negative = new Uint8Array(size);
    // Cells and thresholds are compared in float32, as the heatmap draws them (and as
    // transfer.thresholds.classify does): a cell that reads 0.4 is <= 0.4 (its float32 is
    // 0.4000000059). The page's cells are float32 already; others are rounded here.
    var cell = cells.float32 ? null : Math.fround;
    var hasPos = pos !== null && pos !== undefined, hasNeg = neg !== null && neg !== undefined;
    var p = hasPos ? Math.fround(pos) : 0, q = hasNeg ? Math.fround(neg) : 0;
    var colIndex = {};
    colLabels.forEach(function (label, j) { colIndex[label] = j; });
    var counts = {positive: 0, negative: 0};
    if (!hasPos && !hasNeg) return {rows: n, cols: m, positive: positive, negative: negative, counts: counts};  // both off
    for (var i = 0; i < n; i++) {
      var inDomain = diag ? -1 : (colIndex.hasOwnProperty(rowLabels[i]) ? colIndex[rowLabels[i]] : -1);
      for (var j = 0; j < m; j++) {
        var k = i * m + j, v = cell ? cell(cells.values[k]) : cells.values[k];
        if (v !== v || j === inDomain) continue;  // missing (NaN) or excluded in-domain cell
        if (significant && significant.codes[k] < significant.least) continue;  // not significant at sig
        if (hasPos && v >= p) { positive[k] = 1; counts.positive++; }
        if (hasNeg && v <= q) { negative[k] = 1; counts.negative++; }
      }
    }
    return {rows: n, cols: m, positive: positive, negative: negative, counts: counts};
  }

  // The last classification, reused while only the selection changes (its counts are read from it).
  var lastClassified = {key: null, result: null};
  function classified(cells, labels, pos, neg, diag, significant) {
    var key = [cells, labels, pos, neg, diag, significant && significant.codes, significant && significant.least];
    var same = lastClassified.key && key.every(function (part, i) { return part === lastClassified.key[i]; });
    if (!same) lastClassified = {key: key, result: classify(cells, labels.row, labels.col, pos, neg, diag, significant)};
    return lastClassified.result;
  }

  function lineCounts(result, axis, index) {
    var out = {positive: 0, negative: 0};
    var count = axis === "row" ? result.cols : result.rows;
    for (var t = 0; t < count; t++) {
      var k = axis === "row" ? index * result.cols + t : t * result.cols + index;
      out.positive += result.positive[k];
      out.negative += result.negative[k];
    }
    return out;
  }

  // --- drawing -----------------------------------------------------------------------------

  // The boundary of the marked region in cell units (cell (i, j) spans j-0.5..j+0.5), as an SVG
  // path of straight pieces; collinear edges along a grid line merge into one piece, so
  // neighbouring highlighted cells share one outline. With `most`, an outline of more pieces is
  // given up as soon as it has them ({path: "", left: true}).
  function outline(mask, n, m, most) {
    var pieces = [], limit = most === undefined ? Infinity : most;
    function at(i, j) { return i >= 0 && i < n && j >= 0 && j < m && mask[i * m + j] === 1; }
    function runs(length, lines, edge, emit) {
      for (var line = 0; line <= lines && pieces.length <= limit; line++) {
        var start = -1;
        for (var t = 0; t <= length; t++) {
          var on = t < length && edge(line, t);
          if (on && start < 0) start = t;
          if (!on && start >= 0) { emit(line - 0.5, start - 0.5, t - 0.5); start = -1; }
        }
      }
    }
    // horizontal grid lines between rows i-1 and i
    runs(m, n, function (i, j) { return at(i - 1, j) !== at(i, j); },
         function (y, x0, x1) { pieces.push("M" + x0 + "," + y + "H" + x1); });
    // vertical grid lines between columns j-1 and j
    runs(n, m, function (j, i) { return at(i, j - 1) !== at(i, j); },
         function (x, y0, y1) { pieces.push("M" + x + "," + y0 + "V" + y1); });
    return pieces.length > limit ? {path: "", left: true} : {path: pieces.join("")};
  }

  // --- the fade: a picture of one bit a cell ----------------------------------------------------
  // A PNG with a two-colour palette (clear; the veil's white at FADE_ALPHA, as the colour
  // transfer.figures drew it with), rows of bits, stored without compression: a 1000 x 1000
  // matrix is 125 KB, written in a few ms (plotly took ~120 ms to colour and encode the same as a
  // heatmap trace). A cell is a square of whole pixels, the picture about FADE_SIDE pixels a side
  // for small matrices (crisp edges in the exports, which scale it smoothly); on the page it is
  // drawn pixelated (assets/app.css), as plotly draws the cells.

  var FADE_ALPHA = 199;  // rgba(255, 255, 255, 0.78)
  var FADE_SIDE = 1024;  // cells are repeated to about this many pixels a side (small matrices)

  var CRC_TABLE = (function () {
    var table = new Int32Array(256);
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
    return table;
  })();

  function crc32(bytes, start, end) {
    var c = -1;
    for (var k = start; k < end; k++) c = CRC_TABLE[(c ^ bytes[k]) & 0xff] ^ (c >>> 8);
    return (c ^ -1) >>> 0;
  }

  function adler32(bytes) {
    var a = 1, b = 0;
    for (var k = 0; k < bytes.length; k++) {
      a += bytes[k]; b += a;
      if ((k & 4095) === 4095) { a %= 65521; b %= 65521; }
    }
    return ((b % 65521) * 65536 + (a % 65521)) >>> 0;
  }

  // A PNG file of `raw` (the filtered scanlines) as a data: URL.
  function pngUrl(width, height, raw) {
    var STORED = 65535, blocks = Math.max(1, Math.ceil(raw.length / STORED));
    var zlib = 2 + raw.length + 5 * blocks + 4;
    var chunks = [["IHDR", 13], ["PLTE", 6], ["tRNS", 2], ["IDAT", zlib], ["IEND", 0]];
    var size = 8 + chunks.reduce(function (sum, c) { return sum + 12 + c[1]; }, 0);
    var out = new Uint8Array(size), view = new DataView(out.buffer), at = 0;
    [137, 80, 78, 71, 13, 10, 26, 10].forEach(function (b) { out[at++] = b; });
    chunks.forEach(function (chunk) {
      view.setUint32(at, chunk[1]);
      var start = at + 4;
      for (var c = 0; c < 4; c++) out[start + c] = chunk[0].charCodeAt(c);
      at = start + 4;
      if (chunk[0] === "IHDR") {
        view.setUint32(at, width); view.setUint32(at + 4, height);
        out.set([1, 3, 0, 0, 0], at + 8);  // 1 bit, palette, deflate, no filter, no interlace
      } else if (chunk[0] === "PLTE") {
        out.set([255, 255, 255, 255, 255, 255], at);
      } else if (chunk[0] === "tRNS") {
        out.set([0, FADE_ALPHA], at);
      } else if (chunk[0] === "IDAT") {
        var p = at;
        out[p++] = 0x78; out[p++] = 0x01;
        for (var b = 0; b < blocks; b++) {
          var from = b * STORED, len = Math.min(STORED, raw.length - from);
          out[p++] = b === blocks - 1 ? 1 : 0;
          out[p++] = len & 0xff; out[p++] = len >>> 8; out[p++] = ~len & 0xff; out[p++] = (~len >>> 8) & 0xff;
          out.set(raw.subarray(from, from + len), p);
          p += len;
        }
        view.setUint32(p, adler32(raw));
      }
      at += chunk[1];
      view.setUint32(at, crc32(out, start, at));
      at += 4;
    });
    var text = "";
    for (var k = 0; k < out.length; k += 32768) text += String.fromCharCode.apply(null, out.subarray(k, k + 32768));
    return "data:image/png;base64," + btoa(text);
  }

  // The fade's picture: a cell is veiled when it is present and not highlighted; "" when none is.
  function fade(cells, result) {
    var rows = cells.rows, cols = cells.cols, scale = Math.max(1, Math.floor(FADE_SIDE / Math.max(rows, cols)));
    var width = cols * scale, stride = 1 + ((width + 7) >> 3), raw = new Uint8Array(stride * rows * scale), any = false;
    for (var i = 0; i < rows; i++) {
      var line = i * scale * stride;  // its first scanline (filter byte 0), then copies of it
      for (var j = 0; j < cols; j++) {
        var k = i * cols + j, v = cells.values[k];
        if (v !== v || result.positive[k] || result.negative[k]) continue;
        any = true;
        for (var x = j * scale; x < (j + 1) * scale; x++) raw[line + 1 + (x >> 3)] |= 0x80 >> (x & 7);
      }
      for (var copy = 1; copy < scale; copy++) raw.copyWithin(line + copy * stride, line, line + stride);
    }
    return any ? pngUrl(width, rows * scale, raw) : "";
  }

  // --- text ----------------------------------------------------------------------------------

  function countsText(counts, pos, neg, diag, significant) {
    var fmt = window.tmx.formatNumber, parts = [], only = [];
    if (pos === null && neg === null) return "Switch on a threshold to highlight transfer.";
    // "1 cell shows ..., 2 show ..." (the noun only once).
    function show(n, noun) { return n + (noun ? (n === 1 ? " cell" : " cells") : "") + (n === 1 ? " shows" : " show"); }
    if (pos !== null) parts.push(show(counts.positive, true) + " positive transfer \u2265 " + fmt(pos));
    if (neg !== null) parts.push(show(counts.negative, pos === null) + " negative transfer \u2264 " + fmt(neg));
    if (!diag) only.push("in-domain cells excluded");
    if (significant) only.push("only cells significant at q < " + fmt(significant.level));
    return parts.join(", ") + (only.length ? " (" + only.join("; ") + ")" : "") + ".";
  }

  function selectionText(result, selected, rowLabels, colLabels, pos, neg) {
    if (pos === null && neg === null) return "";
    var lines = [];
    [["row", "Train", rowLabels], ["col", "Test", colLabels]].forEach(function (spec) {
      var label = selected[spec[0]], index = label === null || label === undefined ? -1 : spec[2].indexOf(label);
      if (index < 0) return;
      var c = lineCounts(result, spec[0], index), bits = [];
      if (pos !== null) bits.push(c.positive + " positive");
      if (neg !== null) bits.push(c.negative + " negative");
      lines.push(spec[1] + " " + label + ": " + bits.join(", "));
    });
    return lines.join(" \u00b7 ");
  }

  // --- callbacks -----------------------------------------------------------------------------

  function toNumber(value) {
    return value === null || value === undefined || value === "" || !isFinite(+value) ? null : +value;
  }

  // Around a typed value: what Python's str.strip() takes off (str.isspace), as the server reads it.
  var SPACE = "[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
  var EDGES = new RegExp("^" + SPACE + "+|" + SPACE + "+$", "g");

  // A typed threshold: locale-free digits, with a decimal point or a single decimal comma
  // ("0,1" is 0.1, never "01"); anything else is refused with a message. The same numbers as
  // transfer.viewstate.parse_typed_number accepts.
  function parseTyped(text) {
    var raw = text === null || text === undefined ? "" : String(text), shown = raw.replace(EDGES, "");
    var t = shown.replace(/\u2212/g, "-");
    if (!t) return {error: "type a number, e.g. 0.1"};
    if (t.indexOf(",") >= 0 && t.indexOf(",") === t.lastIndexOf(",") && t.indexOf(".") < 0) t = t.replace(",", ".");
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) {
      return {error: "'" + shown.slice(0, 40) + "' is not a number; type digits with a decimal point or comma, e.g. 0.1"};
    }
    var n = Number(t);
    return isFinite(n) ? {number: n} : {error: "'" + shown.slice(0, 40) + "' is not a finite number"};
  }

  // A number in a message, as the server's notices write it (transfer.viewstate.notice_number).
  function echo(value) {
    return window.tmx.noticeNumber(value);
  }

  var AXES = [{name: "pos", title: "Positive threshold"}, {name: "neg", title: "Negative threshold"}];

  // Inputs: the two switches, the two sliders (0-3), the two typed boxes (4-5), the two stores,
  // the scale. Outputs: the same controls and stores, the sliders' disabled flags, the status.
  function thresholdControls(posOn, negOn, posSlider, negSlider, posText, negText, pos, neg, scale) {
    var suggested = scale || {};
    var fired = firedInputs();
    var shown = function (v) { return v === null ? "" : window.tmx.formatNumber(v); };
    pos = toNumber(pos); neg = toNumber(neg);
    if (!anyOf(fired, 0, 5)) {
      // The view or a new matrix set the stores: show them; an off threshold keeps its slider
      // at the suggested position, ready to be switched on.
      var sliders = [pos !== null ? pos : toNumber(suggested.pos), neg !== null ? neg : toNumber(suggested.neg)];
      return [pos !== null, neg !== null, sliders[0], sliders[1], shown(pos), shown(neg), noUpdate(), noUpdate(),
              pos === null, neg === null, ""];
    }
    var out = [], k;
    for (k = 0; k < 11; k++) out.push(noUpdate());
    if (anyOf(fired, 4, 5)) {
      // A typed value: applied at full precision, clamped to the slider's range with the notice
      // a link gets, and the threshold switched on; the box then shows the value in force.
      var axis = fired.indexOf(4) >= 0 ? 0 : 1, spec = AXES[axis], inForce = axis === 0 ? pos : neg;
      var lo = axis === 0 ? suggested.neutral : suggested.low, hi = axis === 0 ? suggested.high : suggested.neutral;
      var typed = parseTyped(axis === 0 ? posText : negText);
      if (typed.error) {
        out[4 + axis] = shown(inForce);
        out[10] = spec.title + ": " + typed.error + ".";
        return out;
      }
      var value = Math.min(Math.max(typed.number, lo), hi);
      out[axis] = true;
      out[2 + axis] = value;
      out[4 + axis] = shown(value);
      out[6 + axis] = value === inForce ? noUpdate() : value;
      out[8 + axis] = false;
      out[10] = value === typed.number ? "" :
        spec.name + "=" + echo(typed.number) + " is outside " + echo(lo) + ".." + echo(hi) + "; using " + echo(value) + ".";
      return out;
    }
    // Only what changed is written back: an echoed slider value or disabled flag would re-render
    // both sliders on every step of a drag.
    var given = [toNumber(posSlider), toNumber(negSlider)];
    posSlider = given[0] !== null ? given[0] : toNumber(suggested.pos);
    negSlider = given[1] !== null ? given[1] : toNumber(suggested.neg);
    var next = [posOn ? posSlider : null, negOn ? negSlider : null], switched = anyOf(fired, 0, 1);
    out[2] = given[0] === null ? posSlider : noUpdate();
    out[3] = given[1] === null ? negSlider : noUpdate();
    [pos, neg].forEach(function (before, i) {
      if (next[i] !== before) { out[6 + i] = next[i]; out[4 + i] = shown(next[i]); }
    });
    if (switched) { out[8] = !posOn; out[9] = !negOn; out[10] = ""; }
    return out;
  }

  function overlaysEmpty(figure) {
    var layout = figure.layout || {}, images = layout.images || [], shapes = layout.shapes || [];
    return !(images[IMAGE.FADE] || {}).source && [SHAPE.POSITIVE, SHAPE.NEGATIVE].every(function (i) {
      return !(shapes[i] || {}).path;
    });
  }

  // The highlight's slots: the fade's picture and each sign's outline. On a heatmap drawn with
  // this figure they are written into the figure Dash holds and relaid out in plotly directly,
  // which redraws only the layout's pictures and lines (a Patch is a new figure for dcc.Graph:
  // every cell recomputed and redrawn, ~0.5 s at 1000 x 1000); before that, a Patch, which the
  // figure's first drawing then has (a link's highlight is not a second drawing). The shapes go
  // to plotly as a whole new list: an edit of one shape's path is a full redraw too (shapes
  // count in autoranges), a new list only redraws the shapes.
  function drawHighlight(figure, graphId, fadeSource, positive, negative) {
    var tmx = window.tmx, gd = tmx.graphDiv(graphId);
    var paths = [[SHAPE.POSITIVE, positive.path], [SHAPE.NEGATIVE, negative.path]];
    if (!(tmx.plotly.isDrawn(gd) && gd.data && gd.data[TRACE.CELLS] === figure.data[TRACE.CELLS])) {
      var patch = new window.dash_clientside.Patch();
      patch.assign(["layout", "images", IMAGE.FADE, "source"], fadeSource);
      paths.forEach(function (p) { patch.assign(["layout", "shapes", p[0], "path"], p[1]); });
      return patch.build();
    }
    var shapes = figure.layout.shapes;
    tmx.dash.keepInState(figure.layout.images[IMAGE.FADE], "source", fadeSource);
    paths.forEach(function (p) { tmx.dash.keepInState(shapes[p[0]], "path", p[1]); });
    var update = {shapes: JSON.parse(JSON.stringify(shapes))};
    update["images[" + IMAGE.FADE + "].source"] = fadeSource;
    window.Plotly.relayout(gd, update);
    return noUpdate();
  }

  // Inputs: pos, neg, diag, sig (0-3), the heatmap's rebuild signal (4), the selected row and col (5-6).
  function thresholdHighlight(pos, neg, diag, sig, meta, row, col, figure, graphId) {
    var fired = firedInputs();
    pos = toNumber(pos); neg = toNumber(neg); diag = diag !== false;
    var trace = figure && figure.data && figure.data[TRACE.CELLS];
    if (!trace || !trace.z) return [noUpdate(), noUpdate(), noUpdate()];
    window.tmx.followOverlay(graphId);
    // Only the selection changed: the highlight on the heatmap is already right.
    var selectionOnly = fired.length > 0 && fired.every(function (i) { return i >= 5; });
    if (pos === null && neg === null) {
      // Off: no cell is read (no decode, no labels; a 1000 x 1000 load took ~60 ms here), only
      // what a highlight left is cleared, and only when there is one (a new figure has none).
      var message = countsText(null, pos, neg, diag, null), none = {path: ""};
      if (selectionOnly || overlaysEmpty(figure)) return [noUpdate(), message, ""];
      return [drawHighlight(figure, graphId, "", none, none), message, ""];
    }
    // The figure's labels are escaped for plotly (transfer.figures.plot_text); the link's are not.
    var labels = window.tmx.traceLabels(trace), rowLabels = labels.row, colLabels = labels.col;
    var cells = window.tmx.cellValues(trace.z, graphId);
    var significant = significanceFilter(significanceCodes(figure.data[TRACE.UNCERTAINTY]), sig);
    var result = classified(cells, labels, pos, neg, diag, significant);
    var text = countsText(result.counts, pos, neg, diag, significant && {level: Number(sig)});
    var selection = selectionText(result, {row: row, col: col}, rowLabels, colLabels, pos, neg);
    if (selectionOnly) return [noUpdate(), text, selection];
    var positive = outline(result.positive, result.rows, result.cols, OUTLINE_PIECES_MAX);
    var negative = outline(result.negative, result.rows, result.cols, OUTLINE_PIECES_MAX);
    var left = [positive.left && "positive", negative.left && "negative"].filter(Boolean);
    if (left.length) text += " Outlines of " + left.join(" and ") + " cells are not drawn (too many pieces): faded cells only.";
    return [drawHighlight(figure, graphId, fade(cells, result), positive, negative), text, selection];
  }

  window.tmx = Object.assign(window.tmx || {}, {
    thresholds: {classify: classify, lineCounts: lineCounts, outline: outline, parseTyped: parseTyped,
                 significanceCodes: significanceCodes, significanceFilter: significanceFilter, fade: fade},
  });
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tmx: Object.assign({}, (window.dash_clientside || {}).tmx, {
      threshold_controls: thresholdControls,
      threshold_highlight: thresholdHighlight,
    }),
  });
})();
