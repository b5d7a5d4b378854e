// Keyboard and screen readers (issue 19), namespace tmx.keyboard.
//
// The heatmap is one tab stop (components/heatmap.py wraps the graph in an element with
// role="application" and data-graph / data-live naming the graph and its polite live region).
// While it has focus, arrow keys move a focus cell, an element over the graph (a white halo under
// a dark dashed outline, assets/keyboard.css: visible on every colour of the scale) placed from the
// axes' pixels after every key and plotly draw: a key never redraws the plot (a relayout of layout
// shapes redrew the 1000 x 1000 heatmap, ~340 ms a key), and the exports, made from the figure,
// never hold it. The live region reads the cell as the hover does: "Train X, test Y: value", then its statistics. Enter selects the cell as a click does
// (tmx.selectCell, assets/breakdown.js), Escape clears the selection. The focus cell starts at
// the selection, else where it was (clamped to the matrix drawn now), else the top-left cell.
// A click or tap focuses the heatmap too: then the focus cell shows at the first key only.
//
// Also here: the tabs (dbc.Tabs draws every tab link with tabindex="-1") become tab stops,
// switched with Enter or Space, arrow keys moving between them.
(function () {
  "use strict";

  var PAGE_ROWS = 10;  // Page Up / Page Down

  // --- the focus cell's arithmetic (pure: tested in Node, tests/js/keyboard_harness.js) ----------

  function clamp(pos, shape) {
    return {i: Math.max(0, Math.min(shape.rows - 1, pos.i)), j: Math.max(0, Math.min(shape.cols - 1, pos.j))};
  }

  // The cell a key moves the focus to, or null for a key that does not move it. `pos` {i, j}
  // (row and column indices of the matrix), `shape` {rows, cols}, `steps` {down, right}: +1 where
  // a higher index is further down (right) on screen, -1 where the axis runs the other way.
  // Home/End: the row's first/last column on screen; with Ctrl, the top-left/bottom-right cell.
  function moveFocus(pos, key, ctrl, shape, steps) {
    var down = steps ? steps.down : 1, right = steps ? steps.right : 1;
    var top = down > 0 ? 0 : shape.rows - 1, bottom = shape.rows - 1 - top;
    var left = right > 0 ? 0 : shape.cols - 1, rightmost = shape.cols - 1 - left;
    var i = pos.i, j = pos.j;
    if (key === "ArrowUp") i -= down;
    else if (key === "ArrowDown") i += down;
    else if (key === "ArrowLeft") j -= right;
    else if (key === "ArrowRight") j += right;
    else if (key === "PageUp") i -= PAGE_ROWS * down;
    else if (key === "PageDown") i += PAGE_ROWS * down;
    else if (key === "Home") { j = left; if (ctrl) i = top; }
    else if (key === "End") { j = rightmost; if (ctrl) i = bottom; }
    else return null;
    return clamp({i: i, j: j}, shape);
  }

  // --- numbers as the hover writes them (d3-format, as plotly's templates use it) -----------------

  function trimZeros(text) {
    return text.indexOf(".") < 0 ? text : text.replace(/0+$/, "").replace(/\.$/, "");
  }

  // d3's ".4~f", ".0f", ".2~g" (toFixed / toPrecision, "~" dropping trailing zeros)
  function d3Number(value, spec) {
    if (value === null || value === undefined || value !== value) return "n/a";
    var found = /^\.(\d+)(~?)([fg])$/.exec(spec || "");
    if (!found) return String(value);
    var digits = +found[1], text = found[3] === "f" ? value.toFixed(digits) : value.toPrecision(Math.max(1, digits));
    if (found[2]) {
      var at = text.indexOf("e");
      text = at < 0 ? trimZeros(text) : trimZeros(text.slice(0, at)) + text.slice(at);
    }
    return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;  // no sign on a value that rounds to zero
  }

  function entry(data, i, j, k) {
    var rowOf = data && data[i], cell = rowOf && rowOf[j];
    return k === undefined ? cell : cell && cell[k];
  }

  // The hover's text after the cell's value (statistics, a comparison's sources, notes) for cell
  // (i, j), as one line: its placeholders filled from the drawn trace, <br> read as ", ".
  function hoverRest(full, i, j) {
    var template = full && typeof full.hovertemplate === "string" ? full.hovertemplate : "";
    var value = /%\{z(?::[^}]*)?\}/.exec(template);
    if (!value) return "";
    var rest = template.slice(value.index + value[0].length).replace(/<extra>[\s\S]*?<\/extra>/, "");
    rest = rest.replace(/%\{([a-z]+)(?:\[(\d+)\])?(?::([^}]*))?\}/g, function (_, name, index, spec) {
      if (name === "customdata") return d3Number(entry(full.customdata, i, j, +index), spec);
      if (name === "meta") return String((full.meta || [])[+index]);
      if (name === "hovertext") return String(entry(full.hovertext, i, j) || "");
      return "";
    });
    rest = rest.replace(/Click the cell for its interval/g, "Enter selects the cell and gives its interval");
    return window.tmx.plainLabel(rest.replace(/<br\s*\/?>/g, ", ").replace(/<[^>]*>/g, ""));
  }

  // --- the heatmap ---------------------------------------------------------------------------------

  var focus = null;  // {i, j, row, col}: the focus cell (its labels follow it through a redraw)
  var active = false;  // the heatmap has the keyboard focus ...
  var shown = false;  // ... and shows its focus cell: from a focus by keyboard, or the first key after a click
  var pointed = false;  // a press of the mouse or a finger is focusing it

  function box() {
    return document.querySelector("[data-graph][role=application]");
  }

  // What the heatmap shows now: the graph div, the cells' labels and values, the drawn trace.
  function drawn(keys) {
    var graphId = keys && keys.dataset.graph, gd = graphId && window.tmx.graphDiv(graphId);
    var trace = gd && gd.data && gd.data[0];
    if (!window.tmx.plotly.isDrawn(gd) || !trace || !trace.z) return null;
    var labels = window.tmx.traceLabels(trace), cells = window.tmx.cellValues(trace.z, graphId);
    if (!labels.row.length || !labels.col.length) return null;
    return {gd: gd, labels: labels, cells: cells, full: gd._fullData && gd._fullData[0],
            shape: {rows: labels.row.length, cols: labels.col.length}, steps: window.tmx.plotly.axisSteps(gd)};
  }

  // The focus cell in the matrix drawn now: the same labels where they still are, else the same
  // indices clamped to the new shape.
  function placed(view) {
    if (!focus) return null;
    var i = view.labels.row.indexOf(focus.row), j = view.labels.col.indexOf(focus.col);
    return clamp({i: i >= 0 ? i : focus.i, j: j >= 0 ? j : focus.j}, view.shape);
  }

  // Where the focus starts: the selected cell (its row and column), else where it was, else the
  // top-left cell on screen.
  function start(view) {
    var selected = window.tmx.selectedCell ? window.tmx.selectedCell() : {};
    var i = view.labels.row.indexOf(selected.row), j = view.labels.col.indexOf(selected.col);
    var before = placed(view) || moveFocus({i: 0, j: 0}, "Home", true, view.shape, view.steps);
    return {i: i >= 0 ? i : before.i, j: j >= 0 ? j : before.j};
  }

  function setFocus(view, pos) {
    focus = {i: pos.i, j: pos.j, row: view.labels.row[pos.i], col: view.labels.col[pos.j]};
  }

  // The focus cell's element, a child of the heatmap's box (positioned: keyboard.css).
  function marker(keys) {
    var el = keys.querySelector(":scope > .tmx-focus-cell");
    if (el) return el;
    el = document.createElement("div");
    el.className = "tmx-focus-cell";
    el.setAttribute("aria-hidden", "true");
    el.hidden = true;
    keys.appendChild(el);
    return el;
  }

  // Places the focus cell over graph div `gd`: hidden while the heatmap does not show it, or when
  // the cell is outside the zoomed ranges (cut to the plot area when partly inside).
  function drawFocus(gd) {
    var keys = box();
    if (!keys) return;
    var view = shown && focus && window.tmx.graphDiv(keys.dataset.graph) === gd ? drawn(keys) : null;
    var pos = view && placed(view), cell = pos && window.tmx.plotly.cellBox(gd, pos.i, pos.j), el = marker(keys);
    if (!cell) {
      el.hidden = true;
      return;
    }
    var outer = keys.getBoundingClientRect(), inner = gd.getBoundingClientRect();
    el.style.left = (inner.left - outer.left - keys.clientLeft + cell.left) + "px";
    el.style.top = (inner.top - outer.top - keys.clientTop + cell.top) + "px";
    el.style.width = cell.width + "px";
    el.style.height = cell.height + "px";
    el.hidden = false;
  }

  // The live region: set empty first, so that the same text is read again.
  function announce(text, liveId) {
    var keys = box(), live = document.getElementById(liveId || (keys && keys.dataset.live));
    if (!live) return;
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 30);
  }

  function cellText(view, pos) {
    var v = view.cells.values[pos.i * view.cells.cols + pos.j];
    var value = v === v ? d3Number(v, ".4~f") : "missing";
    return "Train " + view.labels.row[pos.i] + ", test " + view.labels.col[pos.j] + ": " + value +
           (v === v ? hoverRest(view.full, pos.i, pos.j) : "");
  }

  // The heatmap's name says the matrix's size once it is drawn.
  function name(keys, view) {
    var base = keys.dataset.baseLabel || keys.getAttribute("aria-label") || "";
    keys.dataset.baseLabel = base;
    var sized = base.replace(/^Transfer heatmap/, "Transfer heatmap, " + view.shape.rows + " train x " + view.shape.cols +
                                                   " test datasets");
    if (keys.getAttribute("aria-label") !== sized) keys.setAttribute("aria-label", sized);
  }

  var redraws = {once: "keyboard-redraws", perPlot: true, events: true, tries: 0};
  // After a redraw (another dataset, order, filter ...) the focus cell is placed again; after a
  // zoom, a pan or a resize it follows its cell.
  function followRedraws(keys) {
    window.tmx.whenPlotReady(keys.dataset.graph, function (gd) {
      gd.on("plotly_afterplot", function () {
        var view = shown ? drawn(keys) : null;
        if (!view) return;
        setFocus(view, placed(view) || start(view));
        name(keys, view);
        drawFocus(gd);
      });
      ["plotly_relayout", "plotly_relayouting"].forEach(function (event) {
        gd.on(event, function () { if (shown) drawFocus(gd); });
      });
    }, redraws);
  }

  // A click or a tap focuses the heatmap too: the focus cell shows only once a key is pressed.
  function onFocus(keys) {
    var view = drawn(keys);
    active = true;
    shown = !pointed && keys.matches(":focus-visible");
    followRedraws(keys);
    if (!view || !shown) return;
    name(keys, view);
    var pos = start(view);
    setFocus(view, pos);
    drawFocus(view.gd);
    announce(cellText(view, pos));
  }

  function onBlur(keys) {
    active = shown = false;
    var view = drawn(keys);
    if (view) drawFocus(view.gd);
  }

  function onKey(keys, event) {
    var view = drawn(keys);
    if (!view || event.altKey || event.metaKey) return;
    followRedraws(keys);
    var fresh = !shown, pos = fresh ? start(view) : placed(view) || start(view);
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      shown = true;
      setFocus(view, pos);
      drawFocus(view.gd);
      window.tmx.selectCell(view.labels.row[pos.i], view.labels.col[pos.j]);
      announce("Selected: " + cellText(view, pos));
      return;
    }
    if (event.key === "Escape") {
      var selected = window.tmx.selectedCell();
      if (selected.row === null && selected.col === null) return;
      event.preventDefault();
      window.tmx.selectCell(null, null);
      announce("Selection cleared");
      return;
    }
    var next = moveFocus(pos, event.key, event.ctrlKey, view.shape, view.steps);
    if (!next) return;
    event.preventDefault();  // no page scroll
    shown = true;
    if (fresh) next = pos;  // the first key after a click shows where the focus is
    setFocus(view, next);
    drawFocus(view.gd);
    announce(cellText(view, next));
  }

  // A selected cell's numbers from the server (assets/breakdown.js, once they arrive): the
  // interval of a cell whose hover has none (a large matrix), read out after Enter.
  function cellNumbers(row, col, cell) {
    var keys = box(), view = active && focus && focus.row === row && focus.col === col && keys ? drawn(keys) : null;
    var template = view && view.full && view.full.hovertemplate;
    if (!cell || cell.level === undefined || typeof template !== "string" || template.indexOf("Click the cell") < 0) return;
    var spread = "n = " + (cell.n === null ? "n/a" : cell.n) + ", " + cell.level + "% CI " +
                 (cell.ci_low === null ? "n/a" : "[" + d3Number(cell.ci_low, ".4~f") + ", " + d3Number(cell.ci_high, ".4~f") + "]");
    announce("Train " + row + ", test " + col + ": " + d3Number(cell.value, ".4~f") + ", " + spread);
  }

  // --- the tabs ------------------------------------------------------------------------------------

  function tabLinks(list) {
    return Array.prototype.slice.call(list.querySelectorAll("[role=tab]"));
  }

  // Every tab a tab stop (dbc.Tabs renders them with tabindex="-1", and again at each render;
  // assets/a11y.js ties each to its pane and sets aria-selected).
  function tabStops(list) {
    tabLinks(list).forEach(function (tab) {
      if (tab.getAttribute("tabindex") !== "0") tab.setAttribute("tabindex", "0");
    });
  }

  var watched = new WeakSet();
  function watchTabs() {
    document.querySelectorAll("[role=tablist]").forEach(function (list) {
      tabStops(list);
      if (watched.has(list)) return;
      watched.add(list);
      new MutationObserver(function () { tabStops(list); })
        .observe(list, {subtree: true, childList: true, attributes: true, attributeFilter: ["tabindex", "class"]});
    });
  }

  // Arrow keys, Home and End move between the tabs; Enter (the link's own) or Space switches.
  function onTabKey(tab, event) {
    var list = tab.closest("[role=tablist]"), tabs = list ? tabLinks(list) : [], at = tabs.indexOf(tab);
    if (at < 0) return;
    if (event.key === " ") {
      event.preventDefault();
      tab.click();
      return;
    }
    var to = {ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1}[event.key];
    if (to === undefined) return;
    event.preventDefault();
    tabs[(to + tabs.length) % tabs.length].focus();
  }

  // --- listening -----------------------------------------------------------------------------------

  if (document.addEventListener) {
    document.addEventListener("focusin", function (event) {
      var keys = box();
      if (keys && event.target === keys) onFocus(keys);
    });
    document.addEventListener("focusout", function (event) {
      var keys = box();
      if (keys && event.target === keys) onBlur(keys);
    });
    // plotly keeps a press on the cells from focusing anything: it focuses the heatmap here, so
    // that keys go on from a clicked cell (the focus cell hidden until then)
    ["mousedown", "touchstart"].forEach(function (type) {
      document.addEventListener(type, function (event) {
        var keys = box();
        if (!keys || !keys.contains(event.target)) return;
        if (document.activeElement === keys) {
          shown = false;
          var view = drawn(keys);
          if (view) drawFocus(view.gd);
          return;
        }
        pointed = true;
        keys.focus({preventScroll: true});
        pointed = false;
      }, {capture: true, passive: true});
    });
    document.addEventListener("keydown", function (event) {
      var keys = box(), target = event.target;
      if (keys && target === keys) onKey(keys, event);
      else if (target && target.getAttribute && target.getAttribute("role") === "tab") onTabKey(target, event);
    });
    var tries = 0;
    (function poll() {  // the tabs are rendered by Dash after the assets run
      watchTabs();
      if (tries++ < 200 && !document.querySelector("[role=tablist]")) window.setTimeout(poll, 100);
    })();
  }

  window.tmx = Object.assign(window.tmx || {}, {
    keyboard: {moveFocus: moveFocus, d3Number: d3Number, announce: announce,
               cellNumbers: cellNumbers, hoverRest: hoverRest},
  });
})();
