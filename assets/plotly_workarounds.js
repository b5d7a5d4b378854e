// Every use of plotly.js and Dash internals, in one file: what the rest of assets/ may not
// touch. Each function says what it relies on. VERIFIED names the versions they were checked on;
// on any other, one console warning per library says so (open the page, read the console, run
// the browser tests: tests/test_browser_overlays.py, _breakdown.py, _thresholds.py, _arrival.py).
//
// Relied on (plotly.js):
//   gd._fullLayout             set once plotly has drawn the graph: "is it drawn yet", sizes, ranges
//   gd._fullLayout._plots      per subplot: .xaxis/.yaxis, .plot and .clipRect (d3 selections), .mainplot
//   axis._offset, ._length     an axis's pixel origin and length inside the graph div
//   axis._categories, .p2l     a category axis's labels and pixel -> index
//   axis .range, .tickangle, .tickfont, .automargin; .subplot.xy .heatmaplayer text, .xtick/.ytick text
//                              the heatmap's geometry, its cell texts and tick labels (heatmapGeometry); .l2p index -> pixel
//                              (axisSteps; cellBox: a cell's pixel box, for the keyboard's focus cell)
//   gd._fullData[0].z          the decoded cells: one typed array whose rows are views on one buffer
//   gd._ev, gd.on              the plot's event emitter: a new plot on the element gets a new one
//   Plotly.Plots.resize        wrapped (skipSameSizeResizes)
//   Plotly.react, .newPlot     wrapped: packed cells decoded before drawing, a hidden graph's empty
//                              figure drawn when idle (decodeBeforeDrawing)
//   g.colorbar                 a colour bar's drawn group, removed before its orientation changes (forgetColorbars)
//   Plotly.version             the version check below
//   .js-plotly-plot, .nsewdrag the graph div's class; the plot area's drag rectangle (a press on it)
//   plotly's drag cover        over the page while a button is down: the mouseup lands on it
// Relied on (Dash):
//   "_dash-layout" fetch       the renderer asks for the layout with window.fetch (loadPlotlyWithLayout)
//   window.Plotly              dcc.Graph uses it when set, and loads plotly.js itself otherwise
//   .dash-graph--pending       dcc.Graph's class while a figure is on its way
//   #_dash-config              the page's Dash config: dash_version (else the renderer's script
//                              address, dash_renderer.v4_4_1m…), requests_pathname_prefix
//   callback_context, set_props, Patch, no_update: dash_clientside (documented; view.js uses them too)
//   States are the store's own objects: a value written into one is what Dash holds next (keepInState)
(function () {
  "use strict";

  var VERIFIED = {plotly: "4.1.1", dash: "4.4.1"};
  var NAMES = {plotly: "plotly.js", dash: "Dash"};

  // --- versions ----------------------------------------------------------------------------------

  // The page's Dash config (dash.Dash._config, in <script id="_dash-config">), {} without one.
  function dashConfig() {
    try {
      return JSON.parse(document.getElementById("_dash-config").textContent) || {};
    } catch (err) {
      return {};
    }
  }

  // Dash's version: from the page's config ("dash_version"), else from the renderer's
  // fingerprinted script address (".../dash_renderer.v4_4_1m1796589417.min.js").
  function dashVersion() {
    var version = dashConfig().dash_version;
    if (version) return String(version);
    var scripts = document.scripts || [];
    for (var i = 0; i < scripts.length; i++) {
      var found = /dash_renderer\.v(\d+)_(\d+)_(\d+)m/.exec(scripts[i].src || "");
      if (found) return found.slice(1, 4).join(".");
    }
    return null;
  }

  // Warns once per library and version that is running but not VERIFIED. Runs at load (Dash) and
  // when plotly arrives; returns what it read, for tests.
  var warned = {};
  function checkVersions() {
    var running = {plotly: window.Plotly ? String(window.Plotly.version) : null, dash: dashVersion()};
    Object.keys(VERIFIED).forEach(function (lib) {
      var version = running[lib];
      if (!version || version === VERIFIED[lib] || warned[lib + " " + version]) return;
      warned[lib + " " + version] = true;
      console.warn("tmx: " + NAMES[lib] + " " + version + " is not verified: assets/plotly_workarounds.js relies on its " +
                   "internals and was verified on " + NAMES[lib] + " " + VERIFIED[lib] + " (see the list at the top of that file).");
    });
    return {verified: Object.assign({}, VERIFIED), running: running};
  }

  // --- the graph ---------------------------------------------------------------------------------

  // The plotly graph div of a dcc.Graph (its id is on a wrapper; plotly marks the div it draws in).
  function graphDiv(id) {
    var outer = document.getElementById(id);
    return outer && (outer.classList.contains("js-plotly-plot") ? outer : outer.querySelector(".js-plotly-plot"));
  }

  // Plotly has drawn this graph div (relies on _fullLayout, set by the first draw).
  function isDrawn(gd) {
    return !!(gd && gd._fullLayout);
  }

  var marks = {};  // once-name -> WeakMap(graph div -> its emitter, or true)

  // Run `fn(gd)` when graph `graphId` is ready, polling until then. Options (all optional):
  //   everyFrame  poll once an animation frame instead of every 50 ms
  //   tries       polls before giving up (100)
  //   events      ready also needs plotly's event emitter (gd.on, gd._ev)
  //   painted     ready also needs Dash's pending class gone; `fn` runs after the next paint
  //   anyway      run `fn` (with whatever div there is, maybe null) when the tries run out
  //   once        a name: `fn` runs once per graph div under it, checked at every poll ...
  //   perPlot     ... or once per plot on it (a new plot on the same div drops plotly's
  //               listeners: keyed on its event emitter, gd._ev)
  // Relies on: _fullLayout, _ev, dcc.Graph's dash-graph--pending class.
  function whenPlotReady(graphId, fn, options) {
    var o = options || {}, tries = o.tries === undefined ? 100 : o.tries, attempts = 0;
    var done = o.once ? (marks[o.once] = marks[o.once] || new WeakMap()) : null;
    function poll() {
      var gd = graphDiv(graphId);
      if (done && gd && (o.perPlot ? gd._ev && done.get(gd) === gd._ev : done.has(gd))) return;
      var ready = gd && gd._fullLayout && (!o.events || (gd.on && gd._ev)) &&
                  (!o.painted || !gd.classList.contains("dash-graph--pending"));
      if (!ready) {
        if (attempts++ < tries) {
          if (o.everyFrame) window.requestAnimationFrame(poll); else window.setTimeout(poll, 50);
          return;
        }
        if (!o.anyway) return;
      }
      if (done && gd) done.set(gd, o.perPlot ? gd._ev : true);
      if (o.painted) window.requestAnimationFrame(function () { window.setTimeout(function () { fn(gd); }, 0); });
      else fn(gd);
    }
    poll();
  }

  // plotly decodes a figure's base64 z into one typed array whose rows are views on it: when the
  // graph already shows this z, that buffer is the cells (no second decode of 4 MB at 1000
  // tasks). Null when it cannot be used. Relies on: _fullData[0].z rows sharing one buffer.
  function plottedValues(graphId, z, Typed, size) {
    var gd = graphId ? graphDiv(graphId) : null;
    var shown = gd && gd.data && gd.data[0] && gd.data[0].z, full = gd && gd._fullData && gd._fullData[0] && gd._fullData[0].z;
    var first = full && full[0];
    if (!shown || shown.bdata !== z.bdata || !(first instanceof Typed) || first.byteOffset !== 0 ||
        first.buffer.byteLength !== size * Typed.BYTES_PER_ELEMENT) return null;
    return new Typed(first.buffer);
  }

  // --- overlay axes ------------------------------------------------------------------------------

  // Numeric overlay axes (lines between cells, dendrograms, cluster outlines) follow the
  // heatmap's category axes after every zoom, pan or redraw; the figure names the pairs in
  // layout.meta.follow ({"xaxis2": "xaxis", ...}). Their layers are put in place first
  // (placeOverlays); a range to copy is a relayout of ranges alone (no recalculation).
  // Relies on: _fullLayout[axis].range.
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
  // the first draw, a resize or a rotation the lines drawn there (then the outlines) sat 13.6 px
  // left of their cells at 1920 x 1080 and 54 px above them on a phone, until a later full draw
  // at the same size. (Giving the overlay axes a scale constraint of their own makes plotly re-scale
  // them in time, but then every copied range is a full redraw, and a zoom raced Dash's copy of
  // the layout and was undone.) Two attributes, no redraw; the heatmap's own layer and the
  // layout's pictures and shapes (the fade, the outlines, the selection: placed from their axes
  // when drawn) never move. The lines still in such a layer: the group gaps.
  // Relies on: _fullLayout._plots[id].{mainplot, plot, clipRect, xaxis, yaxis}, _offset, _length.
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

  // Attached once per plot; the first highlight can run before plotly has set the graph up.
  // Polled once a frame, so that the overlays of a first draw are in place before it is painted.
  var FOLLOW = {everyFrame: true, tries: 1800, events: true, once: "follow", perPlot: true};
  function followOverlay(graphId) {
    whenPlotReady(graphId, function (gd) {
      followRanges(gd);
      gd.on("plotly_relayout", function () { followRanges(gd); });
      gd.on("plotly_afterplot", function () { followRanges(gd); });
    }, FOLLOW);
  }

  // --- clicks on heatmap cells -------------------------------------------------------------------

  // The categories {row, col} (as the axes hold them) of the heatmap cell under a viewport point,
  // from the pixel on the category axes (cells span their index +- 0.5): exact on 1-pixel
  // cells. Null off the cells. Relies on: _fullLayout.{x,y}axis._categories, _offset, _length, p2l.
  function categoriesAt(gd, clientX, clientY) {
    var layout = gd._fullLayout, xa = layout && layout.xaxis, ya = layout && layout.yaxis;
    if (!xa || !ya || !xa._categories || !ya._categories) return null;
    var box = gd.getBoundingClientRect();
    var px = clientX - box.left - xa._offset, py = clientY - box.top - ya._offset;
    if (px < 0 || px > xa._length || py < 0 || py > ya._length) return null;
    var j = Math.round(xa.p2l(px)), i = Math.round(ya.p2l(py));
    if (!(j >= 0 && j < xa._categories.length && i >= 0 && i < ya._categories.length)) return null;
    return {row: ya._categories[i], col: xa._categories[j]};
  }

  // A click on a cell read at mouseup, before plotly's own click handling (which computes a hover
  // first: ~80 ms at 1000 x 1000): `press(cell)` at a left press on the plot area, `click(cell)`
  // at its release within 2 px (a drag is a zoom, no click). Relies on: the plot area's drag
  // rectangle (.nsewdrag) taking the press, and plotly's cover over the page taking the mouseup
  // while a button is down (so it is listened to at the document).
  function onCellClick(gd, press, click) {
    var down = null;
    gd.addEventListener("mousedown", function (event) {
      down = event.button === 0 && event.target.classList.contains("nsewdrag") ? {x: event.clientX, y: event.clientY} : null;
      var cell = down && categoriesAt(gd, event.clientX, event.clientY);
      if (cell) press(cell);
    }, true);
    document.addEventListener("mouseup", function (event) {
      var start = down;
      down = null;
      if (!start || Math.abs(event.clientX - start.x) > 2 || Math.abs(event.clientY - start.y) > 2) return;
      var cell = categoriesAt(gd, event.clientX, event.clientY);
      if (cell) click(cell);
    }, true);
    // A tap is a click too: plotly takes the touch for its own drag (a tap showed the hover and
    // selected nothing), so the touch is read as the mouse is, one finger moving at most 10 px.
    var touched = null;
    gd.addEventListener("touchstart", function (event) {
      var touch = event.touches.length === 1 ? event.touches[0] : null;
      touched = touch && event.target.classList.contains("nsewdrag") ? {x: touch.clientX, y: touch.clientY} : null;
      var cell = touched && categoriesAt(gd, touched.x, touched.y);
      if (cell) press(cell);
    }, {capture: true, passive: true});
    document.addEventListener("touchend", function (event) {
      var start = touched, touch = event.changedTouches && event.changedTouches[0];
      touched = null;
      if (!start || !touch || event.touches.length || Math.abs(touch.clientX - start.x) > 10 ||
          Math.abs(touch.clientY - start.y) > 10) return;
      var cell = categoriesAt(gd, start.x, start.y);
      if (cell) click(cell);
    }, {capture: true, passive: true});
  }

  // Which way the cells' indices run on screen: +1 when a higher row index is lower on the page
  // (the heatmap's reversed y axis), a higher column index further right. Relies on: l2p.
  function axisSteps(gd) {
    var layout = gd && gd._fullLayout, xa = layout && layout.xaxis, ya = layout && layout.yaxis;
    if (!xa || !ya || !xa.l2p || !ya.l2p) return {down: 1, right: 1};
    return {down: ya.l2p(1) > ya.l2p(0) ? 1 : -1, right: xa.l2p(1) >= xa.l2p(0) ? 1 : -1};
  }

  // The pixel box {left, top, width, height} of heatmap cell (i, j) (row and column indices) in
  // the graph div, cut to the plot area; null when the cell is outside the shown (zoomed) ranges.
  // For the keyboard's focus cell, an element over the graph (assets/keyboard.js).
  // Relies on: _fullLayout.{x,y}axis._offset, _length, l2p.
  function cellBox(gd, i, j) {
    var layout = gd && gd._fullLayout, xa = layout && layout.xaxis, ya = layout && layout.yaxis;
    if (!xa || !ya || !xa.l2p || !ya.l2p || !isFinite(xa._offset) || !isFinite(ya._offset)) return null;
    function span(a, k) {
      var p0 = a.l2p(k - 0.5), p1 = a.l2p(k + 0.5);
      var lo = Math.max(0, Math.min(p0, p1)), hi = Math.min(a._length, Math.max(p0, p1));
      return hi > lo ? {at: a._offset + lo, size: hi - lo} : null;
    }
    var x = span(xa, j), y = span(ya, i);
    return x && y ? {left: x.at, top: y.at, width: x.size, height: y.size} : null;
  }

  // --- Dash ----------------------------------------------------------------------------------------

  // The running callback's context (triggered, inputs_list) and set_props: documented clientside
  // API, reached here so that one file holds what the assets take from Dash.
  function context() {
    return window.dash_clientside.callback_context || {};
  }

  function setProps(id, props) {
    window.dash_clientside.set_props(id, props);
  }

  // The address prefix of the app's own routes (requests_pathname_prefix: "/" or "/tmx/").
  function pathPrefix() {
    return dashConfig().requests_pathname_prefix || "/";
  }

  // Dash (4.4.1) hands a clientside callback the very objects its store holds as States (no
  // copy): a value written into one is what Dash holds next (a later Patch of that prop builds on
  // it), without a render. Used to keep the selection outline in the heatmap's figure.
  function keepInState(object, key, value) {
    object[key] = value;
  }

  // --- page load -------------------------------------------------------------------------------

  // dcc.Graph (responsive) calls Plotly.Plots.resize whenever its container's box changes, as
  // the page fills in around it on load; plotly then re-runs its defaults over the whole figure
  // 100 ms later even when the plot keeps its size (~60 ms at 1000 tasks, right after the first
  // draw). A resize that would not change the plot's size is skipped.
  // Relies on: Plotly.Plots.resize(gd), _fullLayout.{autosize, width, height}.
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

  // plotly.js (web/plotlyjs, 1.1 MB) runs while the server builds the layout: started when Dash
  // asks for it, and the layout handed on once plotly is there, so the graph finds window.Plotly
  // when it mounts (it would load a second copy otherwise). The page preloads the script
  // (web/serving.App); without that, or if it fails, dcc.Graph loads plotly itself as usual.
  // Relies on: the renderer fetching "_dash-layout" with window.fetch; dcc.Graph using window.Plotly.
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

  // plotly arrives later (dcc.Graph or loadPlotlyWithLayout loads it): caught as it is set.
  function whenPlotlyArrives(fn) {
    if (window.Plotly) { fn(window.Plotly); return; }
    Object.defineProperty(window, "Plotly", {
      configurable: true,
      get: function () { return undefined; },
      set: function (Plotly) {
        Object.defineProperty(window, "Plotly", {value: Plotly, writable: true, configurable: true, enumerable: true});
        fn(Plotly);
      },
    });
  }

  // --- the heatmap's geometry, for fitting its text to its pixels (assets/fit.js) ---------------

  // Per axis its plot length and shown span (px and cells), categories, tick slant, tick font size
  // and automargin; the cells' gap; the drawn cell texts and tick labels (in order along the axis).
  // Null before the first draw. Relies on: _fullLayout.{x,y}axis ._length, .range, ._categories,
  // .tickangle, .tickfont, .automargin; _fullData[0].xgap; the SVG's .subplot.xy .heatmaplayer
  // text (cell text) and .subplot.xy .xtick / .ytick text (tick labels).
  function heatmapGeometry(gd) {
    var layout = gd && gd._fullLayout;
    var xa = layout && layout.xaxis, ya = layout && layout.yaxis;
    if (!xa || !ya || !xa._categories || !ya._categories) return null;
    var cells = gd._fullData && gd._fullData[0];
    function axis(a) {
      return {length: a._length, span: Math.abs(a.range[1] - a.range[0]), categories: a._categories,
              angle: Math.abs(Number(a.tickangle) || 0) % 180, tickSize: (a.tickfont && a.tickfont.size) || 12,
              automargin: !!a.automargin};
    }
    return {x: axis(xa), y: axis(ya), gap: cells && cells.xgap ? cells.xgap : 0,
            cellTexts: gd.querySelectorAll(".subplot.xy .heatmaplayer text"),
            tickTexts: function (letter) { return gd.querySelectorAll(".subplot.xy ." + letter + "tick text"); }};
  }

  // plotly.js (4.1.1) keeps a colour bar's drawn elements when its orientation changes (restyle,
  // react) and draws the new one wrong (a vertical axis, no bar, margins pushed off): they are
  // removed first, and drawn anew by the next draw. Relies on: g.colorbar, the bars' group.
  function forgetColorbars(gd) {
    Array.prototype.forEach.call(gd.querySelectorAll("g.colorbar"), function (g) { g.remove(); });
  }

  // --- packed cells (transfer/wire.py) ----------------------------------------------------------

  // The server sends the heatmap's cells packed (assets/wire.js decodes them): every trace's
  // packed z is decoded in place before plotly reads the figure. dcc.Graph keeps the very trace
  // objects it hands plotly, so its figure (what the clientside callbacks read) holds them decoded.
  // An empty figure for a hidden graph (the dendrogram's, in its tab until that opens) is drawn
  // once the page is idle, or as soon as the graph is shown: its axes took 25-35 ms of the load,
  // right after the heatmap's drawing. dcc.Graph queues its next drawing behind this one.
  // Relies on: dcc.Graph drawing through window.Plotly.react / newPlot, (gd, {data, ...}) or (gd, data).
  var heldDraws = new WeakMap();  // gd -> run(): its empty figure's drawing, held back
  var IDLE_WAIT = 2000;  // ms: the longest an idle page is waited for

  // `fn` once the page is idle, or after IDLE_WAIT ms at most.
  function whenIdle(fn) {
    if (window.requestIdleCallback) window.requestIdleCallback(fn, {timeout: IDLE_WAIT});
    else window.setTimeout(fn, 0);
  }

  function emptyAndHidden(gd, data) {
    return !!gd && gd.nodeType === 1 && !gd._fullLayout && !(data && data.length) && gd.getClientRects().length === 0;
  }

  function drawLater(draw, self, args) {
    var gd = args[0], settle, observer = null;
    var held = new Promise(function (resolve) { settle = resolve; });
    function run() {
      if (heldDraws.get(gd) !== run) return;
      heldDraws.delete(gd);
      if (observer) observer.disconnect();
      settle(draw.apply(self, args));
    }
    heldDraws.set(gd, run);
    if (window.ResizeObserver) {
      observer = new ResizeObserver(function () { if (gd.getClientRects().length) run(); });
      observer.observe(gd);
    }
    whenIdle(run);
    return held;
  }

  function decodeBeforeDrawing(Plotly) {
    if (!Plotly || Plotly.tmxDecode) return;
    ["newPlot", "react"].forEach(function (name) {
      var draw = Plotly[name];
      Plotly[name] = function (gd, figure) {
        var data = Array.isArray(figure) ? figure : figure && figure.data, held = heldDraws.get(gd);
        if (held) held();  // another drawing of the graph: the held one goes first
        else if (emptyAndHidden(gd, data)) return drawLater(draw, this, arguments);
        window.tmx.wire.decodeTraces(data);
        return draw.apply(this, arguments);
      };
    });
    Plotly.tmxDecode = true;
  }

  // At load: assets run before Dash's renderer starts and asks for the layout.
  loadPlotlyWithLayout();
  checkVersions();
  whenPlotlyArrives(function (Plotly) {
    skipSameSizeResizes(Plotly);
    decodeBeforeDrawing(Plotly);
    checkVersions();
  });

  window.tmx = Object.assign(window.tmx || {}, {
    graphDiv: graphDiv,
    whenPlotReady: whenPlotReady,
    whenIdle: whenIdle,
    followOverlay: followOverlay,
    checkVersions: checkVersions,
    plotly: {isDrawn: isDrawn, plottedValues: plottedValues, placeOverlays: placeOverlays, categoriesAt: categoriesAt,
             onCellClick: onCellClick, axisSteps: axisSteps, cellBox: cellBox, heatmapGeometry: heatmapGeometry,
             forgetColorbars: forgetColorbars},
    dash: {context: context, setProps: setProps, keepInState: keepInState, pathPrefix: pathPrefix, version: dashVersion},
  });
})();
