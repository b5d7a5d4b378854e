// plotly.js with only the traces the app draws: lib/core (which holds scatter and every layout
// component: annotations, shapes, images, colour bars, the modebar...) plus TRACES, bundled and
// minified as plotly.js bundles its own dist files (esbuild, the same UMD wrapper), into
// plotly-tmx.min.js. Run by scripts/build-plotly (in a scratch folder with this package's
// node_modules); the app reads the traces back from the file (web/plotlyjs).
import * as esbuild from "esbuild";
import {readFileSync, writeFileSync} from "node:fs";

// Every trace type a figure of the app uses (transfer/*figures*.py); tests/test_plotly_bundle.py
// fails on a figure with any other. scatter is in lib/core already.
const TRACES = ["scatter", "heatmap"];

const version = JSON.parse(readFileSync("node_modules/plotly.js/package.json", "utf8")).version;
const builder = JSON.parse(readFileSync("node_modules/esbuild/package.json", "utf8")).version;
const entry = ["'use strict';", "var Plotly = require('plotly.js/lib/core');",
  "Plotly.register([" + TRACES.filter((t) => t !== "scatter").map((t) => `require('plotly.js/lib/${t}')`).join(", ") + "]);",
  "module.exports = Plotly;"].join("\n");
writeFileSync("entry.js", entry + "\n");

// The header and footer of plotly.js's own dist bundles (dist/plotly.min.js of the same version).
const banner = `/**
* plotly.js (tmx: ${TRACES.join(", ")}) v${version}
* Copyright 2012-2026, Plotly, Inc.
* All rights reserved.
* Licensed under the MIT license
* Built by scripts/build-plotly: plotly.js ${version} lib/core and these traces, esbuild ${builder}.
*/
(
 function(root, factory) {
  if (typeof module === "object" && module.exports) {
   module.exports = factory();
  } else {
   root.moduleName = factory();
  }
} (typeof self !== "undefined" ? self : this, () => {`;  // esbuild writes the entry's "use strict" next
const footer = `
window.Plotly = Plotly;
return Plotly;
}));`;

await esbuild.build({
  entryPoints: ["entry.js"],
  outfile: "plotly-tmx.min.js",
  format: "iife",
  globalName: "Plotly",
  bundle: true,
  minify: true,
  target: "es2016",
  legalComments: "eof",
  banner: {js: banner},
  footer: {js: footer},
  // as plotly.js's esbuild-config.js; CSS is only imported by the map traces (left out)
  alias: {stream: "stream-browserify"},
  define: {global: "window", "define.amd": "false", "process.env.NODE_DEBUG": "false"},
  loader: {".css": "empty"},
  logLevel: "warning",
});
