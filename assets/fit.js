// What the heatmap draws fits the pixels it has, at every size (issue 19): after every draw
// (first draw, new figure, zoom, pan, resize) the cells' text is shown only where it fits its
// cell (smaller, down to a floor, else none: the hover keeps every value), tick labels that would
// overlap are hidden (every k-th label stays), and on a narrow graph long labels are cut shorter
// than the figure's own cut (transfer/figures.py TICK_LABEL_CHARS; the hover has them whole).
//
// Cell text and thinning touch no figure: the text by an attribute on the graph div read by CSS
// (assets/responsive.css), the ticks by each label's display. Nothing is redrawn for them (a 1000 x
// 1000 matrix has no cell text and plotly's own ticks: the check is a no-op there). Only a cut
// shorter than the figure's is a relayout of the ticks.
// On a narrow graph (a phone) the colour bar lies flat above the plot and the track legend flows
// across the graph's width (compactLayout): the cells get the width.
// What it reads of plotly comes from tmx.plotly.heatmapGeometry (assets/plotly_workarounds.js).
(function () {
  "use strict";

  var GRAPH = "heatmap";  // components/ids.py HEATMAP
  var SIZES = [11, 8];  // px: the cells' text size (transfer/figures.py textfont) and the floor
  var STATES = ["full", "small", "none"];
  var LABEL_CHARS = 28;  // transfer/figures.py TICK_LABEL_CHARS: the figure's own cut
  var CHAR_PX = 7;  // transfer/figures.py TICK_CHAR_PX
  var ARRAY_MAX = 200;  // transfer/figures.py TICK_ARRAY_MAX
  var LABEL_SHARE = 0.28;  // of the graph's width, the most a row label may take
  var measure = null;

  function textWidth(text, size, family) {
    measure = measure || document.createElement("canvas").getContext("2d");
    measure.font = size + "px " + family;
    return measure.measureText(text).width;
  }

  // "full", "small" or "none": the largest size at which the longest cell text fits its cell (its
  // size in pixels from the shown range, the gap between cells taken off).
  function cellTextState(geometry, texts) {
    var x = geometry.x, y = geometry.y, cell = {w: x.length / x.span - geometry.gap, h: y.length / y.span - geometry.gap};
    var family = texts[0].style.fontFamily || "sans-serif", widest = 0, seen = {};
    for (var i = 0; i < texts.length; i++) {
      var text = texts[i].textContent;
      if (!text || seen[text.length]) continue;  // the same length is about the same width
      seen[text.length] = true;
      widest = Math.max(widest, textWidth(text, SIZES[0], family));
    }
    for (var s = 0; s < SIZES.length; s++) {
      var scale = SIZES[s] / SIZES[0];
      if (widest * scale + 2 <= cell.w && SIZES[s] * 1.15 <= cell.h) return STATES[s];
    }
    return "none";
  }

  function fitCellText(gd, geometry) {
    var texts = geometry.cellTexts;
    var state = texts.length ? cellTextState(geometry, texts) : "full";
    if (gd.getAttribute("data-tmx-cell-text") !== state) gd.setAttribute("data-tmx-cell-text", state);
    return state;
  }

  // --- tick labels ---------------------------------------------------------------------------------

  function plain(label) {
    return String(label).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }
  function escaped(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  // transfer/figures.py short_label
  function shortLabel(label, chars) {
    return label.length <= chars ? label : label.slice(0, chars - 1).replace(/\s+$/, "") + "\u2026";
  }

  // The ticks an axis should have at this graph width: null for plotly's own (every label short
  // enough), else {tickvals, ticktext} as transfer/figures.py tick_labels makes them, cut to `chars`.
  function wantedTicks(axis, chars) {
    var labels = axis.categories, longest = 0;
    for (var i = 0; i < labels.length; i++) longest = Math.max(longest, plain(labels[i]).length);
    if (longest <= chars) return null;
    var step = Math.max(1, Math.ceil(labels.length / ARRAY_MAX)), vals = [], text = [];
    for (var j = 0; j < labels.length; j += step) {
      vals.push(labels[j]);
      text.push(escaped(shortLabel(plain(labels[j]), chars)));
    }
    return {tickvals: vals, ticktext: text};
  }

  // On a graph too narrow for the figure's cut, labels cut shorter: a relayout of the ticks
  // (plotly's automargin then gives the plot the room back). Only where the figure's cut differs.
  function cutLabels(gd, geometry, width) {
    var chars = Math.max(8, Math.min(LABEL_CHARS, Math.floor(width * LABEL_SHARE / CHAR_PX)));
    var update = {};
    ["x", "y"].forEach(function (letter) {
      var axis = geometry[letter], name = letter + "axis", given = (gd.layout && gd.layout[name]) || {};
      if (!axis.automargin) return;  // estimated margins (large matrices) keep the figure's cut
      var wanted = wantedTicks(axis, chars);
      var has = given.tickmode === "array" ? {tickvals: given.tickvals, ticktext: given.ticktext} : null;
      if (JSON.stringify(wanted) === JSON.stringify(has)) return;
      update[name + ".tickmode"] = wanted ? "array" : null;
      update[name + ".tickvals"] = wanted ? wanted.tickvals : null;
      update[name + ".ticktext"] = wanted ? wanted.ticktext : null;
    });
    if (Object.keys(update).length) {
      // a relayout of ticks alone draws no plotly_afterplot: fitted again when it is done
      window.Plotly.relayout(gd, update).then(function () { fit(gd); });
      return true;
    }
    return false;
  }

  // Hides labels that would overlap their neighbours: every k-th label stays, k from the pixels
  // between two drawn ticks and the room a label needs across them (slanted labels: their line
  // height over the slant's sine; level ones: the widest label along x, the line height along y).
  // Every box is read before any label is hidden (a read after a write forces a layout).
  function thinTicks(geometry) {
    var shown = {}, plans = [];
    ["x", "y"].forEach(function (letter) {
      var texts = Array.prototype.slice.call(geometry.tickTexts(letter));
      texts.forEach(function (t) { if (t.style.display) t.style.display = ""; });  // none after a fresh draw
      plans.push({letter: letter, axis: geometry[letter], texts: texts});
    });
    plans.forEach(function (plan) {
      plan.boxes = plan.texts.length < 2 ? [] : plan.texts.map(function (t) { return t.getBoundingClientRect(); });
    });
    plans.forEach(function (plan) {
      var letter = plan.letter, axis = plan.axis, texts = plan.texts, boxes = plan.boxes;
      if (texts.length < 2) { shown[letter] = texts.length; return; }
      var size = axis.tickSize, angle = axis.angle, slanted = angle > 10 && angle < 170;
      // where each label is along the axis, whatever its length: a slanted label ends at its tick
      // (its box's right edge), a level one is centred on it
      var at = function (b) { return letter === "y" ? b.top + b.bottom : slanted ? 2 * b.right : b.left + b.right; };
      var spacing = Math.abs(at(boxes[1]) - at(boxes[0])) / 2 || 1;
      var need;
      if (slanted) need = size * 1.2 / Math.sin(angle * Math.PI / 180);
      else if (letter === "x") need = Math.max.apply(null, boxes.map(function (b) { return b.width; })) + 4;
      else need = size * 1.2;
      var k = Math.max(1, Math.ceil(need / spacing - 1e-6)), count = 0;
      texts.forEach(function (t, i) {
        var hide = i % k !== 0;
        if (hide) t.style.display = "none"; else count++;
      });
      shown[letter] = count;
    });
    return shown;
  }

  // --- a narrow graph (a phone) --------------------------------------------------------------------
  // Below COMPACT_WIDTH the figure gives the cells the width: the colour bar lies flat above the
  // plot (not beside it), the track legend (transfer/track_figures.py, a column a field) flows
  // across the graph's width above that, and the tick labels are a little smaller. One relayout of
  // a figure's first draw (plotly's gd.layout object: a new figure from Dash is compacted again);
  // a wider graph gets the figure's own layout back. Nothing on a wide graph, whatever its size.
  var COMPACT_WIDTH = 560;  // px
  var LEGEND = "annotation legend";  // transfer/track_figures.py LEGEND_NAME
  var LEGEND_CHAR_PX = 6.4, LEGEND_SQUARE = 15, LEGEND_LINE_PX = 1.3 * 11;  // transfer/track_figures.py
  var MODEBAR_ROOM = 30;  // transfer/figures.py
  var BAR = {thickness: 10, pad: 14, height: 80};  // the flat colour bar: its title, bar and values
  var compacted = new WeakMap();  // gd.layout -> the figure's own values the compact layout replaced

  // The legend's columns as one block of lines as wide as the graph: each field's name, then its
  // values after their squares, wrapped.
  function flowLegend(notes, width) {
    var fields = [];
    notes = notes.slice().sort(function (a, b) { return (b.yshift - a.yshift) || (a.xshift - b.xshift); });  // rows top down
    notes.forEach(function (note) {
      var lines = String(note.text).split("<br>");
      if (lines[0] === " " && fields.length) fields[fields.length - 1].items.push.apply(fields[fields.length - 1].items, lines.slice(1));
      else fields.push({title: lines[0], items: lines.slice(1)});
    });
    var out = [], room = function (html) { return html.replace(/<[^>]*>/g, "").length * LEGEND_CHAR_PX; };
    fields.forEach(function (field) {
      var line = field.title, used = room(field.title);
      field.items.forEach(function (item) {
        var w = room(item) + LEGEND_SQUARE;
        if (used + 12 + w > width) { out.push(line); line = item; used = w; } else { line += "\u2003" + item; used += 12 + w; }
      });
      out.push(line);
    });
    return out;
  }

  function compactLayout(gd, width) {
    var layout = gd.layout || {}, cells = gd.data && gd.data[0], saved = compacted.get(layout);
    var narrow = width > 0 && width < COMPACT_WIDTH;
    if (narrow === !!saved || !cells) return null;
    if (!narrow) {  // wider again: the figure's own layout
      compacted.delete(layout);
      return {data: saved.data, layout: saved.layout};
    }
    var notes = (layout.annotations || []).filter(function (n) { return n.name === LEGEND; });
    var bar = cells.showscale !== false && !!cells.colorbar, own = {data: {}, layout: {}}, data = {};
    var update = {"xaxis.tickfont.size": 10, "yaxis.tickfont.size": 10, "yaxis.title.standoff": 2};
    Object.keys(update).forEach(function (key) { own.layout[key] = null; });
    var top = (layout.margin && layout.margin.t) || MODEBAR_ROOM;
    if (notes.length) {
      var lines = flowLegend(notes, width - 24), height = Math.round(lines.length * LEGEND_LINE_PX) + 8;
      var annotations = (layout.annotations || []).filter(function (n) { return n.name !== LEGEND; });
      own.layout.annotations = layout.annotations;
      annotations.push(Object.assign({}, notes[0], {text: lines.join("<br>"), x: 1, xanchor: "right", xshift: 0,
                                                    yshift: height + (bar ? BAR.height : 0)}));
      update.annotations = annotations;
      top = MODEBAR_ROOM + height + 4;
    }
    if (bar) {
      var flat = {orientation: "h", thickness: BAR.thickness, len: 0.75, x: 1, xanchor: "right", y: 1, yanchor: "bottom",
                  ypad: BAR.pad, "title.side": "top"};
      Object.keys(flat).forEach(function (key) {
        var path = key.split("."), value = path.reduce(function (o, k) { return o && o[k]; }, cells.colorbar);
        own.data["colorbar." + key] = [value === undefined ? null : value];
        data["colorbar." + key] = [flat[key]];
      });
      top += BAR.height;
    }
    own.layout["margin.t"] = layout.margin && layout.margin.t;
    update["margin.t"] = top;
    compacted.set(layout, own);
    return {data: data, layout: update};
  }

  function fit(gd) {
    var geometry = gd && window.tmx.plotly ? window.tmx.plotly.heatmapGeometry(gd) : null;
    if (!geometry) return null;
    var width = gd.clientWidth;  // read once: the first read after plotly's draw lays the page out
    var compact = compactLayout(gd, width);
    if (compact) {  // fitted again after that draw
      if (Object.keys(compact.data).length) window.tmx.plotly.forgetColorbars(gd);
      window.Plotly.update(gd, compact.data, compact.layout, [0]);
      return {relayout: true};
    }
    if (cutLabels(gd, geometry, width)) return {relayout: true};  // fitted again after that draw
    // the ticks' boxes read before the cell text's attribute (read by CSS) is written
    var ticks = thinTicks(geometry);
    return {cellText: fitCellText(gd, geometry), ticks: ticks};
  }

  function attach(gd) {
    gd.on("plotly_afterplot", function () { fit(gd); });
    fit(gd);
  }

  // Each new plot on the graph gets the listener (a new plot drops plotly's listeners).
  window.setInterval(function () {
    if (window.tmx && window.tmx.whenPlotReady) {
      window.tmx.whenPlotReady(GRAPH, attach, {once: "fit", perPlot: true, events: true, tries: 0});
    }
  }, 250);

  window.tmx = window.tmx || {};
  window.tmx.fit = {fit: function () { var el = document.getElementById(GRAPH);
                                       return fit(el && el.querySelector(".js-plotly-plot")); },
                    shortLabel: shortLabel};
})();
