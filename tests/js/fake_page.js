// A minimal page for running assets/*.js in Node: the `window` and `document` they touch, and the
// files loaded in the page's (Dash: alphabetical) order. TMX_ASSETS names another assets folder
// (a mutated copy, to check that a test fails when one side changes). Used by the harnesses here.
"use strict";
const fs = require("fs");
const path = require("path");

const ASSETS = process.env.TMX_ASSETS || path.resolve(__dirname, "..", "..", "assets");

function loadAssets(files) {
  global.document = {getElementById: () => null};
  global.window = {
    location: {search: "", pathname: "/", hash: ""},
    history: {pushState: () => {}, replaceState: () => {}},
    addEventListener: () => {},
    dash_clientside: {no_update: {noUpdate: true}, set_props: () => {}, callback_context: {}},
  };
  // each file adds its part to window.tmx and window.dash_clientside.tmx, at global scope
  for (const file of [...files].sort()) (0, eval)(fs.readFileSync(path.join(ASSETS, file), "utf8"));
  return global.window;
}

module.exports = {loadAssets};
