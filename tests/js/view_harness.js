// Runs assets/view.js (with tmx.js and plotly_workarounds.js, whose helpers it uses) outside a browser: reads cases from
// stdin as JSON, answers on stdout. Each case gives every bound control's value; the answer is
// the query view.js writes for them (as if a person had set them all) and the control values
// it shows for a query. Used by tests/test_view_js.py.
"use strict";
const fs = require("fs");
const {loadAssets} = require("./fake_page");

// plotly_workarounds.js holds tmx.dash (Dash's clientside API), tmx.js the shared helpers
const window = loadAssets(["plotly_workarounds.js", "tmx.js", "view.js"]);

const input = JSON.parse(fs.readFileSync(0, "utf8"));
const {spec, cases} = input;
const tmx = window.dash_clientside.tmx;
const states = spec.bindings.map((b) => b.empty);
tmx.view_to_controls("dataset=start", ...states, spec, {serial: 0, query: "dataset=start", requested: null, datasets: []});
const answers = cases.map((c) => {
  // every control fired with the case's value: the query written is the case's alone
  window.dash_clientside.callback_context = {
    triggered: spec.bindings.map((b) => ({prop_id: b.id + "." + b.prop, value: c.controls[b.field]})),
  };
  tmx.view_from_controls();
  const query = window.tmx.view.current();
  const shown = tmx.view_to_controls(c.query, ...states, spec, null);
  // start the next case from a view none of them writes
  tmx.view_to_controls("dataset=start", ...states, spec, null);
  return {query, controls: Object.fromEntries(spec.bindings.map((b, i) => [b.field, shown[i] && shown[i].noUpdate ? states[i] : shown[i]]))};
});
process.stdout.write(JSON.stringify(answers));
