// Runs the browser's twins of server functions outside a browser: loads the assets into a minimal
// `window`/`document`, reads calls from stdin as JSON ({"calls": [[name, ...args], ...]}) and
// answers each on stdout, in order. Floats that JSON cannot carry exactly (NaN, infinities, -0)
// travel both ways as {"$f": "<the IEEE 754 bits, little-endian hex>"}. Used by
// tests/test_js_parity.py (tests/js/fake_page.js loads the assets).
"use strict";
const fs = require("fs");
const {loadAssets} = require("./fake_page");

const window = loadAssets(["breakdown.js", "keyboard.js", "plotly_workarounds.js", "selection.js", "thresholds.js", "tmx.js",
                           "upload.js", "wire.js"]);
const tmx = window.tmx;

function fromBits(hex) {
  return Buffer.from(hex, "hex").readDoubleLE(0);
}

function bits(value) {
  const buffer = Buffer.alloc(8);
  buffer.writeDoubleLE(value, 0);
  return {$f: buffer.toString("hex")};
}

const FUNCTIONS = {
  formatNumber: (v) => tmx.formatNumber(v),
  displayNumber: (v) => tmx.displayNumber(v),
  // a bar panel's value labels: one number of decimals for the panel
  panelTexts: (values) => values.map((v) => tmx.panelNumber(v, tmx.panelDecimals(values))),
  noticeNumber: (v) => tmx.noticeNumber(v),
  encodeValue: (text) => tmx.encodeValue(text),
  formatSize: (n) => tmx.formatSize(n),
  plainLabel: (text) => tmx.plainLabel(text),
  selectionShapes: (rows, cols, row, col) => tmx.selectionShapes(rows, cols, row, col),
  // the live region's numbers (keyboard.js) as the hover's d3-format writes them
  d3Number: (v, spec) => tmx.keyboard.d3Number(v, spec),
  moveFocus: (pos, key, ctrl, shape, steps) => tmx.keyboard.moveFocus(pos, key, ctrl, shape, steps),
  parseTyped: (text) => {
    const parsed = tmx.thresholds.parseTyped(text);
    return "number" in parsed ? {number: bits(parsed.number)} : {error: parsed.error};
  },
  // Both entry points of breakdown.js's colours: the compiled scale and the one-off.
  colors: (scale, zmin, zmax, values) => {
    const color = tmx.colorScale(scale, zmin, zmax);
    return values.map((v) => {
      const compiled = color(v), once = tmx.scaleColor(v, scale, zmin, zmax);
      if (compiled !== once) throw new Error(`colorScale ${compiled} != scaleColor ${once} at ${v}`);
      return compiled;
    });
  },
  // The highlight as thresholds.js computes it from a drawn trace: its cells decoded
  // (tmx.cellValues), its labels unescaped (tmx.traceLabels); per-line counts for `lines`. With
  // the figure's UNCERTAINTY trace and `sig` (the select's value), "significant only" too.
  classify: (trace, pos, neg, diag, lines, uncertainty, sig) => {
    const cells = tmx.cellValues(trace.z);
    const labels = tmx.traceLabels(trace);
    const significant = uncertainty === undefined ? null
      : tmx.thresholds.significanceFilter(tmx.thresholds.significanceCodes(uncertainty), sig);
    const result = tmx.thresholds.classify(cells, labels.row, labels.col, pos, neg, diag, significant);
    const counts = {row: {}, col: {}};
    for (const axis of ["row", "col"]) {
      for (const label of lines[axis]) counts[axis][label] = tmx.thresholds.lineCounts(result, axis, labels[axis].indexOf(label));
    }
    return {rows: result.rows, cols: result.cols, positive: Array.from(result.positive), negative: Array.from(result.negative),
            counts: result.counts, lines: counts};
  },
  // The highlight as thresholds.js draws it: the fade's picture (a data: URL, "" for none) and
  // each sign's outline (an SVG path in cell units).
  highlight: (trace, pos, neg, diag) => {
    const cells = tmx.cellValues(trace.z), labels = tmx.traceLabels(trace), t = tmx.thresholds;
    const result = t.classify(cells, labels.row, labels.col, pos, neg, diag, null);
    return {fade: t.fade(cells, result), positive: t.outline(result.positive, result.rows, result.cols).path,
            negative: t.outline(result.negative, result.rows, result.cols).path};
  },
};

// The heatmap's cells packed by transfer/wire.py, as tmx.cellValues reads them (decoded in place by
// assets/wire.js): their float32 bits, hex (NaN, -0 included), and what is left of the packed z.
FUNCTIONS.cellBits = (z) => {
  const values = tmx.cellValues(z).values;
  return {bits: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString("hex"),
          keys: Object.keys(z).sort(), isBuffer: z.bdata instanceof ArrayBuffer};
};

const input = JSON.parse(fs.readFileSync(0, "utf8"), (key, value) =>
  value !== null && typeof value === "object" && typeof value.$f === "string" ? fromBits(value.$f) : value);
const answers = input.calls.map(([name, ...args]) => {
  try {
    return {value: FUNCTIONS[name](...args)};
  } catch (err) {
    return {error: String(err && err.stack || err)};
  }
});
process.stdout.write(JSON.stringify(answers));
