// Breakdown bars (issues 3 and 9): the selected train row and test column as horizontal bars,
// drawn in the browser as SVG from the heatmap's own cells (already here, decoded once by
// tmx.cellValues), so a click, a sort or a threshold move draws the bars without a request or a
// plotly redraw. The numbers beside them (in-domain, mean, best, worst, rank) come from the server
// (components/breakdown.py, transfer/breakdown.py): the browser only draws.
// For a matrix with replicates the numbers also carry each bar's interval and replicate values
// (transfer.breakdown.LineUncertainty): drawn as whiskers and dots once they arrive, over bars
// drawn from the same view (the same /api/selection query).
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var BAND = 20, MIN_HEIGHT = 180, MAX_HEIGHT = 620;  // px per bar while they fit; the panel's bounds
  var LABEL_BAND = 11;  // bars thinner than this carry no tick or value text (hover has them)
  var MARGIN = {top: 6, bottom: 38, gap: 6, right: 8};
  var LINES = {  // neutral value and thresholds: dash patterns, so they differ without colour
    neutral: {stroke: "#495057", dash: "5 3", width: 1.5},
    pos: {stroke: "#1b1b1b", dash: "", width: 1.5},
    neg: {stroke: "#1b1b1b", dash: "2 2", width: 1.5},
  };
  var SELECTED = "#1b1b1b", MISSING = "#6c757d", GRID = "#eceff2", TEXT = "#212529";
  var WHISKER = "#1b1b1b", DOT = "rgba(27,27,27,0.6)";

  // --- numbers and colours (the same rules as the server's) ------------------------------------

  // transfer.figures.display_number: 3 decimals (rounded as Python rounds), trailing zeros dropped.
  function displayNumber(value) {
    if (value === null || value === undefined || value !== value) return "missing";
    var text = window.tmx.fixed(value, 3).replace(/0+$/, "").replace(/\.$/, "");
    return text === "-0" || text === "" ? "0" : text;
  }

  // transfer.figures.panel_decimals: the decimals that show each value as displayNumber does, the
  // most any value needs (0 to 3), so that one panel's numbers share one format ("-0.100", "0.125").
  function panelDecimals(values) {
    var most = 0;
    Array.prototype.forEach.call(values, function (value) {
      var text = displayNumber(value), dot = text.indexOf(".");
      if (text !== "missing" && dot >= 0) most = Math.max(most, text.length - dot - 1);
    });
    return most;
  }

  // transfer.figures.panel_number: a value at a panel's decimals ("missing" for none).
  function panelNumber(value, decimals) {
    if (value === null || value === undefined || value !== value) return "missing";
    var text = window.tmx.fixed(value, decimals);
    return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
  }

  function hexChannels(color) {
    return [1, 3, 5].map(function (i) { return parseInt(color.slice(i, i + 2), 16); });
  }

  // The heatmap's colour scale (its cells trace's: transfer.palettes, '#rrggbb' stops, the centre
  // moved to the neutral value; as plotly's sample_colorscale reads
  // it): interpolated in RGB, clipped at its ends. Returns value -> "rgb(r,g,b)", with the scale's
  // stops parsed once (a panel colours 2,000 bars).
  function colorScale(scale, zmin, zmax) {
    var stops = scale.map(function (stop) { return {at: stop[0], rgb: hexChannels(stop[1])}; });
    var span = (zmax - zmin) || 1;
    return function (value) {
      var t = Math.min(1, Math.max(0, (value - zmin) / span));
      for (var k = 1; k < stops.length; k++) {
        if (t <= stops[k].at || k === stops.length - 1) {
          var a = stops[k - 1], b = stops[k], f = (t - a.at) / ((b.at - a.at) || 1);
          return "rgb(" + Math.round(a.rgb[0] + (b.rgb[0] - a.rgb[0]) * f) + "," + Math.round(a.rgb[1] + (b.rgb[1] - a.rgb[1]) * f) +
                 "," + Math.round(a.rgb[2] + (b.rgb[2] - a.rgb[2]) * f) + ")";
        }
      }
      return scale[0][1];
    };
  }

  function scaleColor(value, scale, zmin, zmax) {
    return colorScale(scale, zmin, zmax)(value);
  }

  // About five round ticks across [lo, hi].
  function ticks(lo, hi) {
    var span = hi - lo;
    if (!(span > 0)) return [lo];
    var raw = span / 5, step = Math.pow(10, Math.floor(Math.log10(raw)));
    step *= raw / step >= 5 ? 5 : raw / step >= 2 ? 2 : 1;
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    return out;
  }

  // --- one panel -------------------------------------------------------------------------------

  // The bars of train dataset `label` (axis "row") or test dataset `label` (axis "col"), in the
  // displayed matrix's order or highest first (missing last, ties in matrix order).
  function lineOf(cells, labels, axis, label, sort) {
    var own = labels[axis], others = labels[axis === "row" ? "col" : "row"];
    var index = own.indexOf(label);
    if (index < 0) return null;
    var values = others.map(function (_, j) {
      return axis === "row" ? cells.values[index * cells.cols + j] : cells.values[j * cells.cols + index];
    });
    var order = others.map(function (_, j) { return j; });
    if (sort === "value") {
      order.sort(function (a, b) {
        var va = values[a], vb = values[b], ma = va !== va, mb = vb !== vb;
        if (ma !== mb) return ma ? 1 : -1;
        return (ma || va === vb) ? a - b : vb - va;
      });
    }
    return {label: label, labels: others, values: values, order: order, inDomain: others.indexOf(label)};
  }

  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;  // labels are text, never markup
    return node;
  }

  var ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"};
  function escapeMarkup(text) {
    return String(text).replace(/[&<>"']/g, function (c) { return ESCAPES[c]; });
  }

  // The width of a 12 px label (weight 400 or 600), measured on a canvas: asking the SVG
  // (getComputedTextLength) lays the page out again for every label, and reads 0 while the
  // panel is still hidden (its first drawing). Whole labels are kept.
  var measured = {}, ruler = null;
  function measure(svg, text, weight) {
    ruler = ruler || document.createElement("canvas").getContext("2d");
    ruler.font = weight + " 12px " + getComputedStyle(svg).fontFamily;
    return ruler.measureText(text).width;
  }

  function textWidth(svg, text, weight) {
    var key = weight + " " + text;
    return measured.hasOwnProperty(key) ? measured[key] : (measured[key] = measure(svg, text, weight));
  }

  function panelWidth(id) {
    var container = document.getElementById(id);
    return container ? Math.max(240, (container.parentElement || container).clientWidth) : 0;
  }

  // --- drawing one panel: size, scales, axis, bars (markup or paint), tick cutting, rules, hit ----

  // The panel's height, each bar's band, and whether bars carry text (~50 bars or fewer).
  function panelSize(n) {
    var height = Math.min(Math.max(MIN_HEIGHT, BAND * n + MARGIN.top + MARGIN.bottom), MAX_HEIGHT);
    var band = (height - MARGIN.top - MARGIN.bottom) / Math.max(n, 1);
    return {height: height, band: band, labelled: band >= LABEL_BAND};
  }

  // Where things go: tick labels get up to 40% of the width; the value axis gets the rest, with
  // room on both sides for the value text while bars carry it. x: value -> px (clamped to the
  // drawn range); y: position -> the top of its band; extent: a bar's rectangle, from the
  // neutral value to its value, inset in its band. (Measures the labels: `svg` is on the page.)
  function scales(svg, width, line, style, size) {
    var band = size.band, labelled = size.labelled;
    var tickWidth = labelled ? Math.min(width * 0.4, 6 + Math.max.apply(null, line.labels.map(function (t) { return textWidth(svg, t, 400); }))) : 0;
    var left = tickWidth + MARGIN.gap, right = width - MARGIN.right;
    var span = style.zmax - style.zmin || 1;
    var lo = style.zmin - (labelled ? 0.16 : 0.02) * span, hi = style.zmax + (labelled ? 0.3 : 0.02) * span;
    var x = function (v) { return left + (Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo) * (right - left); };
    var y = function (position) { return MARGIN.top + position * band; };
    var neutral = x(style.neutral);
    function extent(v, top) {
      var end = x(v), inset = band > 3 ? band * 0.125 : 0;
      return {x: Math.min(neutral, end), y: top + inset, width: Math.max(Math.abs(end - neutral), 0.5), height: Math.max(band - 2 * inset, 0.6), end: end};
    }
    return {width: width, height: size.height, band: band, labelled: labelled, tickWidth: tickWidth, left: left, right: right,
            x: x, y: y, bottom: y(line.order.length), neutral: neutral, extent: extent};
  }

  // Grid lines and numbers at round values, and the metric's name under them.
  function drawAxis(svg, g, style) {
    ticks(style.zmin, style.zmax).forEach(function (t) {
      svg.appendChild(el("line", {x1: g.x(t), x2: g.x(t), y1: MARGIN.top, y2: g.bottom, stroke: GRID}));
      svg.appendChild(el("text", {x: g.x(t), y: g.bottom + 14, "text-anchor": "middle", "font-size": 11, fill: TEXT}, displayNumber(t)));
    });
    svg.appendChild(el("text", {x: (g.left + g.right) / 2, y: g.bottom + 31, "text-anchor": "middle", "font-size": 12, fill: TEXT}, style.metric));
  }

  // Up to ~50 bars with their text, as one piece of markup. Labels are escaped: text, never markup.
  function barsMarkup(line, g, style, color) {
    var parts = [], decimals = panelDecimals(line.values);
    line.order.forEach(function (j, position) {
      var v = line.values[j], top = g.y(position), own = j === line.inDomain, middle = top + g.band / 2;
      parts.push('<g class="tmx-bar" data-label="', escapeMarkup(line.labels[j]), '" data-position="', position,
                 '" data-value="', v === v ? v : "", own ? '" data-in-domain="true">' : '">');
      if (v === v) {
        var r = g.extent(v, top), after = v >= style.neutral;
        parts.push('<rect x="', r.x, '" y="', r.y, '" width="', r.width, '" height="', r.height, '" fill="', color(v),
                   own ? '" stroke="' + SELECTED + '" stroke-width="2.5"/>' : '" stroke="none"/>',
                   '<text class="tmx-bar-value" x="', r.end + (after ? 4 : -4), '" y="', middle,
                   '" dominant-baseline="central" text-anchor="',
                   after ? "start" : "end", '" font-size="11" fill="', TEXT, '">', panelNumber(v, decimals) + (own ? "  in-domain" : ""), "</text>");
      } else {
        parts.push('<text x="', g.neutral + 4, '" y="', middle, '" dominant-baseline="central" font-size="10" fill="', MISSING,
                   '">\u00d7 missing</text>');
      }
      parts.push('<text x="', g.tickWidth, '" y="', middle, '" dominant-baseline="central" text-anchor="end" font-size="12" fill="',
                 TEXT, '" font-weight="', own ? 600 : 400, '" class="tmx-bar-tick">', escapeMarkup(line.labels[j]), "</text></g>");
    });
    return parts.join("");
  }

  // More bars than fit with text: painted on a canvas inside the SVG (`canvas`: the panel's last
  // one, reused at the same size: a new one costs its backing store). A node per bar cost a
  // 1,000-task click ~25 ms of parsing and style; hover and click find bars by band anyway.
  function paintBars(svg, canvas, line, g, color) {
    var width = g.width, height = g.height, band = g.band, extent = g.extent, y = g.y;
    var box = el("foreignObject", {x: 0, y: 0, width: width, height: height, class: "tmx-bars-paint"});
    var ratio = window.devicePixelRatio || 1, pixels = [Math.round(width * ratio), Math.round(height * ratio)];
    if (!canvas || canvas.width !== pixels[0] || canvas.height !== pixels[1]) {
      canvas = document.createElement("canvas");
      canvas.className = "tmx-bars-canvas";
      canvas.width = pixels[0];
      canvas.height = pixels[1];
      canvas.style.width = width + "px";
      canvas.style.height = height + "px";
    }
    box.appendChild(canvas);
    svg.appendChild(box);
    var paint = canvas.getContext("2d"), outline = null;
    paint.setTransform(ratio, 0, 0, ratio, 0, 0);
    paint.clearRect(0, 0, width, height);
    line.order.forEach(function (j, position) {
      var v = line.values[j], top = y(position);
      if (v === v) {
        var r = extent(v, top);
        paint.fillStyle = color(v);
        paint.fillRect(r.x, r.y, r.width, r.height);
        if (j === line.inDomain) outline = r;
      } else if (band >= 4) {
        paint.fillStyle = MISSING;
        paint.font = "10px " + getComputedStyle(svg).fontFamily;
        paint.textBaseline = "middle";
        paint.fillText("\u00d7 missing", g.neutral + 4, top + band / 2);
      }
    });
    if (outline) {  // the in-domain bar, outlined on top
      paint.strokeStyle = SELECTED;
      paint.lineWidth = 2.5;
      paint.strokeRect(outline.x, outline.y, outline.width, outline.height);
    }
  }

  // Long tick labels are cut at the gutter (the full text is in the hover).
  function cutTicks(svg, tickWidth) {
    svg.querySelectorAll(".tmx-bar-tick").forEach(function (tick) {
      var text = tick.textContent, weight = tick.getAttribute("font-weight");
      if (textWidth(svg, text, weight) <= tickWidth) return;
      do text = text.slice(0, -2); while (text.length > 1 && measure(svg, text + "\u2026", weight) > tickWidth);
      tick.textContent = text + "\u2026";
    });
  }

  // The neutral value and the thresholds in force, as vertical rules across the bars.
  function drawRules(svg, g, style) {
    ["neutral", "pos", "neg"].forEach(function (name) {
      var value = style[name];
      if (value === null || value === undefined) return;
      var s = LINES[name];
      var rule = el("line", {x1: g.x(value), x2: g.x(value), y1: MARGIN.top, y2: g.bottom, stroke: s.stroke, "stroke-width": s.width,
                             "stroke-dasharray": s.dash, class: "tmx-rule"});
      rule.dataset.name = name;
      rule.dataset.value = String(value);
      svg.appendChild(rule);
    });
  }

  // One transparent layer takes the pointer: the bar under it is the band under its y, so even
  // sub-pixel bars of a 2,000-task matrix can be hovered and clicked.
  function hitLayer(svg, g) {
    var hit = el("rect", {x: 0, y: MARGIN.top, width: g.width, height: g.bottom - MARGIN.top, fill: "transparent", class: "tmx-bars-hit"});
    svg.appendChild(hit);
    return hit;
  }

  function draw(container, width, line, axis, style, search) {
    var size = panelSize(line.order.length);
    var svg = el("svg", {width: width, height: size.height, class: "tmx-bars", role: "img",
                         "aria-label": (axis === "row" ? "Trained on " : "Tested on ") + line.label});
    svg.dataset.label = line.label;
    svg.dataset.search = search || "";  // the view and selection its numbers come from
    var canvas = container.querySelector("canvas.tmx-bars-canvas");  // kept: a new one costs its backing store
    container.replaceChildren(svg);
    var g = scales(svg, width, line, style, size), color = colorScale(style.scale, style.zmin, style.zmax);
    drawAxis(svg, g, style);
    svg.tmxLine = line;  // what the bars show (labels, values, order, in-domain), for tests and tools
    if (g.labelled) {
      svg.insertAdjacentHTML("beforeend", barsMarkup(line, g, style, color));
      cutTicks(svg, g.tickWidth);
    } else {
      paintBars(svg, canvas, line, g, color);
    }
    drawRules(svg, g, style);
    svg.tmxGeometry = g;  // for the whiskers, drawn when the numbers arrive
    svg.tmxCanvas = g.labelled ? null : svg.querySelector("canvas.tmx-bars-canvas");
    return {svg: svg, hit: hitLayer(svg, g), band: g.band, line: line};
  }

  // --- whiskers and dots (a matrix with replicates) ------------------------------------------

  // (`decimals`: the panel's, see panelDecimals; without it each end as displayNumber writes it)
  function intervalText(low, high, decimals) {
    var number = decimals === undefined ? displayNumber : function (v) { return panelNumber(v, decimals); };
    return "[" + number(low) + ", " + number(high) + "]";
  }

  // Each bar's interval (`item.ci_low`, `item.ci_high`, by the bar's index in `line.labels`) as a
  // whisker across its band, and its replicate values (`item.replicates`) as dots spread over the
  // band's height; value texts move past them. SVG nodes while bars carry text, painted on the
  // bars' canvas otherwise. Only over the bars drawn for the same query (`search`), once each.
  function drawUncertainty(id, item, search) {
    var container = document.getElementById(id);
    var svg = container && container.querySelector("svg.tmx-bars");
    if (!svg || !item || item.level === undefined || svg.dataset.search !== search || svg.dataset.label !== item.label) return;
    if (svg.tmxUncertainty) return;  // already drawn over these bars
    var line = svg.tmxLine, g = svg.tmxGeometry;
    if (!line || !g || item.ci_low.length !== line.labels.length) return;
    svg.tmxUncertainty = item;
    var marks = line.order.map(function (j, position) {
      var low = item.ci_low[j], high = item.ci_high[j], reps = item.replicates ? item.replicates[j] : null;
      return {j: j, position: position, middle: g.y(position) + g.band / 2, low: low, high: high,
              dots: (reps || []).map(function (v, k) { return v === null ? null : {value: v, id: item.replicate_ids[k], k: k}; })
                .filter(function (d) { return d !== null; })};
    });
    if (g.labelled) whiskerMarkup(svg, g, line, marks);
    else if (svg.tmxCanvas) paintWhiskers(svg.tmxCanvas, g, marks);
    svg.dataset.whiskers = g.labelled ? "drawn" : "painted";
  }

  function dotOffset(dot, count, band) {  // replicates spread over 40% of the band, in id order
    return count > 1 ? (dot.k / (count - 1) - 0.5) * band * 0.4 : 0;
  }

  function whiskerMarkup(svg, g, line, marks) {
    var group = el("g", {class: "tmx-uncertainty", "pointer-events": "none"});
    var cap = Math.max(2, g.band * 0.25), radius = Math.max(1.5, Math.min(3, g.band * 0.15));
    marks.forEach(function (m) {
      var label = line.labels[m.j], reach = [];
      if (m.low !== null && m.high !== null) {
        var x0 = g.x(m.low), x1 = g.x(m.high);
        var whisker = el("line", {x1: x0, x2: x1, y1: m.middle, y2: m.middle, stroke: WHISKER, "stroke-width": 1.25,
                                  class: "tmx-whisker"});
        whisker.dataset.label = label;
        whisker.dataset.low = String(m.low);
        whisker.dataset.high = String(m.high);
        group.appendChild(whisker);
        [x0, x1].forEach(function (x) {
          group.appendChild(el("line", {x1: x, x2: x, y1: m.middle - cap, y2: m.middle + cap, stroke: WHISKER,
                                        "stroke-width": 1.25, class: "tmx-whisker-cap"}));
        });
        reach.push(x0, x1);
      }
      var count = m.dots.length ? Math.max.apply(null, m.dots.map(function (d) { return d.k; })) + 1 : 0;
      m.dots.forEach(function (d) {
        var x = g.x(d.value);
        var dot = el("circle", {cx: x, cy: m.middle + dotOffset(d, count, g.band), r: radius, fill: DOT, stroke: "#fff",
                                "stroke-width": 0.5, class: "tmx-replicate"});
        dot.dataset.label = label;
        dot.dataset.replicate = d.id;
        dot.dataset.value = String(d.value);
        group.appendChild(dot);
        reach.push(x);
      });
      movePastMarks(svg, m.position, reach);
    });
    svg.insertBefore(group, svg.querySelector("line.tmx-rule") || null);
  }

  // A bar's value text starts past its whisker and dots (on its side of the neutral value).
  function movePastMarks(svg, position, reach) {
    if (!reach.length) return;
    var text = svg.querySelector('g.tmx-bar[data-position="' + position + '"] text.tmx-bar-value');
    if (!text) return;
    var after = text.getAttribute("text-anchor") === "start", x = Number(text.getAttribute("x"));
    var edge = after ? Math.max.apply(null, reach) + 4 : Math.min.apply(null, reach) - 4;
    text.setAttribute("x", after ? Math.max(x, edge) : Math.min(x, edge));
  }

  function paintWhiskers(canvas, g, marks) {
    var paint = canvas.getContext("2d"), ratio = window.devicePixelRatio || 1;
    paint.setTransform(ratio, 0, 0, ratio, 0, 0);
    paint.strokeStyle = WHISKER;
    paint.fillStyle = DOT;
    paint.lineWidth = g.band >= 2 ? 1 : 0.5;
    paint.beginPath();
    marks.forEach(function (m) {
      if (m.low === null || m.high === null) return;
      paint.moveTo(g.x(m.low), m.middle);
      paint.lineTo(g.x(m.high), m.middle);
    });
    paint.stroke();
    if (g.band < 3) return;  // dots too small to tell apart: the hover has the numbers
    marks.forEach(function (m) {
      m.dots.forEach(function (d) { paint.fillRect(g.x(d.value) - 1, m.middle - 1, 2, 2); });
    });
  }

  // --- pointer: hover tooltip and click -------------------------------------------------------

  function tooltip(container) {
    var tip = container.parentElement.querySelector(".tmx-bars-tip");
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "tmx-bars-tip";
      tip.hidden = true;
      container.parentElement.appendChild(tip);
    }
    return tip;
  }

  function attachPointer(container, drawn, axis, style, select) {
    var tip = tooltip(container), line = drawn.line, other = axis === "row" ? "Test" : "Train";
    function barAt(event) {
      var box = drawn.hit.getBoundingClientRect();
      var position = Math.floor((event.clientY - box.top) / drawn.band);
      return position >= 0 && position < line.order.length ? line.order[position] : null;
    }
    drawn.hit.addEventListener("mousemove", function (event) {
      var j = barAt(event);
      if (j === null) { tip.hidden = true; return; }
      var v = line.values[j], spread = drawn.svg.tmxUncertainty;
      tip.replaceChildren();
      var lines = [other + ": " + line.labels[j] + (j === line.inDomain ? " (in-domain)" : ""),
                   style.metric + ": " + (v === v ? v.toFixed(4).replace(/0+$/, "").replace(/\.$/, "") : "missing value")];
      if (spread && v === v) lines.push(barSpreadText(spread, j));
      lines.forEach(function (text) {
        var row = document.createElement("div");
        row.textContent = text;
        tip.appendChild(row);
      });
      var parent = container.parentElement.getBoundingClientRect();
      tip.style.left = (event.clientX - parent.left + 12) + "px";
      tip.style.top = (event.clientY - parent.top + 12) + "px";
      tip.hidden = false;
    });
    drawn.hit.addEventListener("mouseleave", function () { tip.hidden = true; });
    drawn.hit.addEventListener("click", function (event) {
      var j = barAt(event);
      if (j !== null) select(line.labels[j]);
    });
    drawn.hit.style.cursor = "pointer";
  }

  // --- the numbers beside the bars (from /api/selection) ------------------------------------

  var TERMS = {row: {other: "target", measure: "transfer out"}, col: {other: "source", measure: "transfer in"}};

  // "n = 5, 95% CI [0.01, 0.12]" of bar j (no interval: one replicate, or none shown)
  function barSpreadText(item, j) {
    var n = item.n[j], low = item.ci_low[j], high = item.ci_high[j];
    return "n = " + (n === null ? "n/a" : n) + ", " + item.level + "% CI " + (low === null ? "n/a" : intervalText(low, high));
  }

  // The same list as the server's view of a breakdown (transfer.breakdown.Breakdown.to_json).
  // With replicates (item.level set): the interval of the mean where it has one, and the
  // selected cell's value, n and interval (`cell`: the selection's, when a row and a column are).
  function numbersList(item, axis, cell) {
    var replicated = item.level !== undefined, mean = item.mean_interval;
    var withCell = replicated && cell && cell.level !== undefined;
    // one number of decimals for every value of the list (panelDecimals)
    var shown = [item.in_domain_index === null ? null : item.in_domain, item.mean_off_diagonal,
                 item.best ? item.best.value : null, item.worst ? item.worst.value : null];
    if (replicated && mean) shown.push(mean.ci_low, mean.ci_high);
    if (withCell) shown.push(cell.value, cell.ci_low, cell.ci_high);
    var decimals = panelDecimals(shown), number = function (v) { return panelNumber(v, decimals); };
    var t = TERMS[axis], extreme = function (e) { return e ? e.label + " (" + number(e.value) + ")" : "n/a"; };
    var rows = [
      ["In-domain", item.in_domain_index === null ? "not in this matrix" : number(item.in_domain)],
      ["Mean off-diagonal (" + t.measure + ")", number(item.mean_off_diagonal)],
    ];
    if (replicated && mean) {
      rows.push([item.level + "% CI of the mean", intervalText(mean.ci_low, mean.ci_high, decimals) + " (n = " + mean.n + " " +
                 (mean.method === "replicate means" ? "replicates" : "cells") + ")"]);
    }
    rows.push(["Best " + t.other, extreme(item.best)], ["Worst " + t.other, extreme(item.worst)],
              ["Rank by mean " + t.measure, item.rank === null ? "n/a" : item.rank + " of " + item.ranked]);
    if (withCell) {
      rows.push(["Selected cell", number(cell.value) + " (n = " + (cell.n === null ? "n/a" : cell.n) + ")"],
                [cell.level + "% CI (selected cell)", cell.ci_low === null ? "n/a" : intervalText(cell.ci_low, cell.ci_high, decimals)]);
    }
    if (item.missing) rows.push(["Missing values", String(item.missing)]);
    var dl = document.createElement("dl");
    dl.className = "row mb-1 tmx-breakdown-stats";
    dl.dataset.label = item.label;
    rows.forEach(function (pair) {
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.className = "col-7 fw-normal text-muted";
      dd.className = "col-5 mb-0";
      dt.textContent = pair[0];
      dd.textContent = pair[1];
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
    return dl;
  }

  function showNumbers(id, axis, item, failure, cell) {
    var box = document.getElementById(id);
    if (!box) return;
    if (failure) box.textContent = failure;
    else if (item) box.replaceChildren(numbersList(item, axis, cell));
    else box.textContent = box.dataset.hint;
  }

  var asked = {search: null, serial: 0};
  var answered = {search: null, selection: null};  // the numbers last shown, for bars drawn again
  var prefetched = {search: null, body: null};  // a heatmap press's numbers, asked for before its mouseup

  // The drawn view's link (meta.query) with this selection: the numbers always describe the
  // matrix the bars were drawn from.
  function selectionSearch(row, col, args) {
    var encode = window.tmx.encodeValue, none = function (v) { return v === null || v === undefined; };
    return "?" + window.tmx.view.merge(args.meta.query || "", {row: none(row) ? null : encode(row), col: none(col) ? null : encode(col)});
  }

  function fetchNumbers(search) {
    if (prefetched.search === search) {
      var body = prefetched.body;
      prefetched = {search: null, body: null};
      return body;
    }
    return window.fetch("api/selection" + search, {headers: {Accept: "application/json"}}).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body.error || "HTTP " + response.status);
        return body;
      });
    });
  }

  // At a press on a heatmap cell: its numbers are asked for while plotly handles the press and
  // the mouseup comes; a press that turns into a drag leaves one unused GET behind.
  function prefetch(row, col) {
    if (!current || !current.meta) return;
    var search = selectionSearch(row, col, current);
    if (search === asked.search || search === prefetched.search) return;
    var body = fetchNumbers(search);
    body.catch(function () {});  // a failure is reported if and when the numbers are shown
    prefetched = {search: search, body: body};
  }

  // Only the latest answer is shown.
  function requestNumbers(row, col, args) {
    if (!args.meta) return Promise.resolve();  // no heatmap drawn yet (its meta names the view)
    var search = selectionSearch(row, col, args);
    if (search === asked.search) return Promise.resolve();
    asked = {search: search, serial: asked.serial + 1};
    var serial = asked.serial;
    if ((row === null || row === undefined) && (col === null || col === undefined)) {
      showNumbers(args.ids.rowStats, "row", null);
      showNumbers(args.ids.colStats, "col", null);
      return Promise.resolve();
    }
    // The heatmap's answer carries the numbers of the selection it was drawn with (a link's).
    var drawn = args.meta.selection && search === "?" + (args.meta.query || "");
    return (drawn ? Promise.resolve({selection: args.meta.selection}) : fetchNumbers(search))
      .then(function (body) {
        if (serial !== asked.serial) return;
        var selection = body.selection || {};
        answered = {search: search, selection: selection};
        if (window.tmx.keyboard) window.tmx.keyboard.cellNumbers(row, col, selection.cell);
        showNumbers(args.ids.rowStats, "row", selection.row, null, selection.cell);
        showNumbers(args.ids.colStats, "col", selection.col, null, selection.cell);
        drawUncertainty(args.ids.rowBars, selection.row, search);
        drawUncertainty(args.ids.colBars, selection.col, search);
      })
      .catch(function (err) {
        if (serial !== asked.serial) return;
        asked.search = null;  // ask again next time
        var text = "Could not load the numbers: " + err.message;
        showNumbers(args.ids.rowStats, "row", null, text);
        showNumbers(args.ids.colStats, "col", null, text);
      });
  }

  // --- the callback ----------------------------------------------------------------------------

  var last = {};  // per container: what it shows, to skip a redraw that would draw the same
  var current = null;  // the latest arguments, for a heatmap click and for resizes

  function render(id, width, axis, label, args, force, search) {
    var container = document.getElementById(id);
    if (!container) return {display: "none"};
    var trace = args.figure && args.figure.data && args.figure.data[0];
    var key = [label, args.sort, args.pos, args.neg, args.meta && args.meta.matrix, args.meta && args.meta.query];
    var before = last[id];
    if (!force && before && before.trace === trace && JSON.stringify(before.key) === JSON.stringify(key)) return before.style;
    var cells = trace && trace.z && args.meta ? window.tmx.cellValues(trace.z, args.graph) : null;
    var labels = cells ? window.tmx.traceLabels(trace) : null;  // plain text (the figure's are escaped for plotly)
    var line = cells && label !== null && label !== undefined ? lineOf(cells, labels, axis, label, args.sort) : null;
    var style = {display: line ? "block" : "none"};
    last[id] = {trace: trace, key: key, style: style};
    if (!line) {
      container.replaceChildren();
      return style;
    }
    var look = {scale: trace.colorscale, zmin: trace.zmin, zmax: trace.zmax, neutral: args.meta.neutral,
                metric: args.meta.metric, pos: args.pos, neg: args.neg};
    var drawn = draw(container, width, line, axis, look, search);
    if (answered.search === search) drawUncertainty(id, answered.selection[axis], search);
    var choose = function (chosen) {
      // A bar of the row panel is a test dataset (moves the column), and the other way round.
      select(axis === "row" ? current.row : chosen, axis === "row" ? chosen : current.col);
    };
    attachPointer(container, drawn, axis, look, choose);
    attachKeys(container, {drawn: drawn, axis: axis, style: look, choose: choose});
    return style;
  }

  // --- keyboard: each panel one tab stop, arrow keys move a focus bar ---------------------------

  var BAR_KEYS = {ArrowUp: -1, ArrowDown: 1, PageUp: -10, PageDown: 10};

  // The panel's focus bar (a dashed outline across its band), where container.tmxKeys.at says.
  function drawBarFocus(container) {
    var keys = container.tmxKeys, svg = container.querySelector("svg.tmx-bars");
    var old = svg && svg.querySelector("rect.tmx-bar-focus");
    if (old) old.remove();
    if (!svg || !keys || keys.at === null || document.activeElement !== container) return;
    var g = keys.drawn.svg.tmxGeometry, top = g.y(keys.at), height = Math.max(g.band, 3);
    svg.appendChild(el("rect", {x: 1, y: top + g.band / 2 - height / 2, width: g.width - 2, height: height, fill: "none",
                                stroke: SELECTED, "stroke-width": 2, "stroke-dasharray": "4 2", class: "tmx-bar-focus"}));
  }

  function announceBar(container) {
    var keys = container.tmxKeys, line = keys.drawn.line, j = line.order[keys.at], v = line.values[j];
    var text = (keys.axis === "row" ? "Test " : "Train ") + line.labels[j] + ": " + displayNumber(v) +
               (j === line.inDomain ? ", in-domain" : "");
    if (window.tmx.keyboard) window.tmx.keyboard.announce(text);
  }

  // The focus bar starts at the selected bar (the selection's column in the row panel, row in
  // the column panel), else at the top; Enter selects it as a click does.
  function attachKeys(container, keys) {
    var line = keys.drawn.line, before = container.tmxKeys, label = before && before.at !== null ?
      before.drawn.line.labels[before.drawn.line.order[before.at]] : null;
    var position = function (wanted) {
      var j = line.labels.indexOf(wanted);
      return j < 0 ? null : line.order.indexOf(j);
    };
    keys.at = position(label);
    container.tmxKeys = keys;
    container.setAttribute("tabindex", "0");
    container.classList.add("tmx-bars-keys");
    container.setAttribute("role", "application");
    container.setAttribute("aria-label", (keys.axis === "row" ? "Test datasets of train " : "Train datasets of test ") +
                           line.label + ": arrow keys move between the bars, Enter selects");
    drawBarFocus(container);
    if (container.tmxKeysBound) return;
    container.tmxKeysBound = true;
    container.addEventListener("focus", function () {
      var k = container.tmxKeys, selected = current && (k.axis === "row" ? current.col : current.row);
      var j = k.drawn.line.labels.indexOf(selected);
      if (k.at === null) k.at = j < 0 ? 0 : k.drawn.line.order.indexOf(j);
      drawBarFocus(container);
      announceBar(container);
    });
    container.addEventListener("blur", function () { drawBarFocus(container); });
    container.addEventListener("keydown", function (event) {
      var k = container.tmxKeys, n = k.drawn.line.order.length, at = k.at === null ? 0 : k.at;
      if (!n || event.altKey || event.metaKey) return;
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        k.choose(k.drawn.line.labels[k.drawn.line.order[at]]);
        return;
      }
      var to = BAR_KEYS[event.key] !== undefined ? at + BAR_KEYS[event.key] : event.key === "Home" ? 0 : event.key === "End" ? n - 1 : null;
      if (to === null) return;
      event.preventDefault();
      k.at = Math.max(0, Math.min(n - 1, to));
      drawBarFocus(container);
      announceBar(container);
    });
  }

  function show(row, col, args, force) {
    current = Object.assign({}, args, {row: row, col: col});
    current.numbers = requestNumbers(row, col, args);  // first: on its way while the bars are drawn
    var ids = [args.ids.rowBars, args.ids.colBars];
    var widths = ids.map(panelWidth);  // both read before either panel changes the layout
    var search = args.meta ? selectionSearch(row, col, args) : null;
    return [render(ids[0], widths[0], "row", row, args, force, search),
            render(ids[1], widths[1], "col", col, args, force, search)];
  }

  var SETTLE_MS = 150;  // the dropdowns wait at most this long for the numbers

  // A heatmap or bar click: the panels first, then the view's row and col (the link, the
  // dropdowns and the outline follow from it). Dash's round of callbacks for the view takes the
  // page's main thread for tens of milliseconds (hundreds at 1000 tasks); run while the numbers
  // are on their way, it would hold them back, so it starts once they are shown. It finds the
  // panels already drawn.
  function select(row, col) {
    if (!current || (row === current.row && col === current.col)) return;  // the same cell: kept
    var done = false, encode = window.tmx.encodeValue;
    show(row, col, current);
    var settle = function () {
      if (done || !current || current.row !== row || current.col !== col) return;  // a newer click took over
      done = true;
      window.tmx.view.change({row: row === null || row === undefined ? null : encode(row),
                              col: col === null || col === undefined ? null : encode(col)});
    };
    current.numbers.then(settle, settle);
    window.setTimeout(settle, SETTLE_MS);
  }

  // A click on a heatmap cell, read at mouseup before plotly's own click handling (which computes
  // a hover first: ~80 ms at 1000 x 1000; tmx.plotly.onCellClick), once per graph div: its numbers
  // are asked for at the press, the panels drawn at the release. Labels come back plain.
  var CLICKS = {tries: 200, once: "cell-clicks"};  // plotly may not have set the graph up yet
  function listenToClicks(graphId) {
    window.tmx.whenPlotReady(graphId, function (gd) {
      var plain = window.tmx.plainLabel;
      window.tmx.plotly.onCellClick(gd,
        function (cell) { prefetch(plain(cell.row), plain(cell.col)); },
        function (cell) { select(plain(cell.row), plain(cell.col)); });
    }, CLICKS);
  }

  var resized = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resized);
    resized = window.setTimeout(function () { if (current) show(current.row, current.col, current, true); }, 150);
  });

  // The selection as the panels show it ({row, col}: plain labels or null), and a cell selected
  // as a click selects it (null, null: cleared): for the keyboard and taps (assets/keyboard.js).
  function selectedCell() {
    return {row: current && current.row !== undefined ? current.row : null,
            col: current && current.col !== undefined ? current.col : null};
  }

  function selectCell(row, col) {
    select(row === undefined ? null : row, col === undefined ? null : col);
  }

  window.tmx = Object.assign(window.tmx || {}, {displayNumber: displayNumber, panelDecimals: panelDecimals,
                                                 panelNumber: panelNumber, colorScale: colorScale, scaleColor: scaleColor,
                                                selectCell: selectCell, selectedCell: selectedCell});
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tmx: Object.assign({}, (window.dash_clientside || {}).tmx, {
      // Outputs: each panel's bar container style. The last States are the ids it works with.
      draw_breakdowns: function (row, col, sort, pos, neg, meta, figure, heatmap, rowBars, colBars, rowStats, colStats) {
        listenToClicks(heatmap);
        var ids = {rowBars: rowBars, colBars: colBars, rowStats: rowStats, colStats: colStats};
        return show(row, col, {sort: sort, pos: pos, neg: neg, meta: meta, figure: figure, ids: ids, graph: heatmap});
      },
    }),
  });
})();
