// The "Tasks" card's selects (components/annotations.py) in step with the view (tmx.view).
//
// `where`, `track` and `group` are view fields held in stores in the link's own text (bound in
// components/state.py); a person chooses them with selects: the field whose values are listed and
// the values kept (`where=field:value|value`, values of one field at a time), the fields drawn as
// tracks (`track=a,b`, `track=none` for none, no `track` for the first field), and "Group by"
// (`group=field` with `order=group`). One callback keeps the selects and the view in step: a
// person's choice is one change of the view (`tmx.view.change`), and every view, whatever changed
// it (a choice, Back, Forward, the server's canonical answer), shows in the selects.
// `shown` is the twin of components.annotations.shown (what a page arriving drawn shows).
(function () {
  "use strict";

  var MAX_TRACKS = 3;  // transfer.viewstate.MAX_TRACKS
  var NO_TRACKS = "none";  // transfer.viewstate.NO_TRACKS

  function noUpdate() { return window.dash_clientside.no_update; }

  // {field: decoded text} of a query
  function parse(query) {
    var out = {};
    String(query || "").replace(/^\?/, "").split("&").forEach(function (part) {
      if (!part) return;
      var at = part.indexOf("="), key = at < 0 ? part : part.slice(0, at), value = at < 0 ? "" : part.slice(at + 1);
      try {
        out[decodeURIComponent(key.replace(/\+/g, " "))] = decodeURIComponent(value.replace(/\+/g, " "));
      } catch (err) { /* a malformed escape: not a field this page wrote */ }
    });
    return out;
  }

  // `field:value|value` -> {field, values}; the first ':' ends the field (transfer.viewstate._where)
  function splitWhere(text) {
    if (typeof text !== "string") return null;
    var at = text.indexOf(":");
    if (at < 0) return null;
    return {field: text.slice(0, at), values: text.slice(at + 1).split("|").filter(function (v) { return v; })};
  }

  function options(values) {
    return values.map(function (value) { return {label: value, value: value}; });
  }

  function fieldsOf(info) {
    return info && Array.isArray(info.fields) ? info.fields : [];
  }

  // The tracks a view draws: its `track`, else the first field (transfer.view.View.tracks).
  function tracksOf(values, fields) {
    if (values.track === undefined) return fields.slice(0, 1);
    return values.track === NO_TRACKS ? [] : values.track.split(",");
  }

  // What the selects show for a view: [options, value, disabled] of the where field, the kept
  // values, the tracks and "Group by", then the collapse select's disabled. `whereField` is the
  // field listed now: kept while the view keeps no value (else the link's field, or the first).
  function shown(view, info, whereField) {
    var values = parse(view), fields = fieldsOf(info), off = !info;
    var where = splitWhere(values.where);
    var field = where ? where.field : (fields.indexOf(whereField) >= 0 ? whereField : (fields.length ? fields[0] : null));
    var chosen = where ? where.values : [];
    var listed = ((info && info.values && info.values[field]) || []).slice();
    chosen.forEach(function (v) { if (listed.indexOf(v) < 0) listed.push(v); });
    var tracks = tracksOf(values, fields), full = tracks.length >= MAX_TRACKS;
    return [
      options(fields), field, off,
      options(listed), chosen, off,
      fields.map(function (name) {
        var option = {label: name, value: name};
        if (full && tracks.indexOf(name) < 0) option.disabled = true;
        return option;
      }), tracks, off,
      options(fields), values.group === undefined ? null : values.group, off,
      off,
    ];
  }

  function encode(text) { return window.tmx.encodeValue(text); }

  function same(a, b) {
    return JSON.stringify(a === undefined ? null : a) === JSON.stringify(b === undefined ? null : b);
  }

  // A person's choice in the selects -> the changes of the view's fields (encoded), or null.
  // `fired` holds the selects that changed: "whereField", "whereValues", "tracks", "group".
  function changes(fired, current, chosen, fields) {
    var values = parse(current), out = {}, any = false;
    function set(key, value) { out[key] = value; any = true; }
    if (fired.group) {
      var group = chosen.group;
      if (group) {
        if (values.group !== group || values.order !== "group") { set("group", encode(group)); set("order", "group"); }
      } else if (values.group !== undefined || values.order === "group") {
        set("group", null);
        if (values.order === "group") set("order", null);  // back to the file's order
      }
    }
    if (fired.tracks) {
      var tracks = (chosen.tracks || []).slice(0, MAX_TRACKS);
      if (!same(tracks, tracksOf(values, fields))) set("track", encode(tracks.length ? tracks.join(",") : NO_TRACKS));
    }
    var where = splitWhere(values.where);
    if (fired.whereValues) {
      var kept = (chosen.whereValues || []).filter(function (v) { return v; });
      var text = kept.length && chosen.whereField ? chosen.whereField + ":" + kept.join("|") : null;
      if (text !== (values.where === undefined ? null : values.where)) set("where", text === null ? null : encode(text));
    } else if (fired.whereField && where && where.field !== chosen.whereField) {
      set("where", null);  // values of one field at a time: another field starts with none kept
    }
    return any ? out : null;
  }

  var INPUTS = ["view", "info", "whereField", "whereValues", "tracks", "group"];

  function controls(view, info, whereField, whereValues, tracks, group) {
    var states = Array.prototype.slice.call(arguments, INPUTS.length);
    var ctx = window.tmx.dash.context(), inputs = ctx.inputs_list || [], fired = {};
    (ctx.triggered || []).forEach(function (t) {
      for (var i = 0; i < inputs.length; i++) {
        var input = inputs[i];
        if (input && input.id + "." + input.property === t.prop_id) fired[INPUTS[i]] = true;
      }
    });
    var current = window.tmx.view.current();
    if (current !== null && (fired.whereField || fired.whereValues || fired.tracks || fired.group)) {
      var chosen = {whereField: whereField, whereValues: whereValues, tracks: tracks, group: group};
      var wanted = changes(fired, current, chosen, fieldsOf(info));
      if (wanted) window.tmx.view.change(wanted);
      current = window.tmx.view.current();
    }
    var next = shown(current !== null ? current : view, info, whereField);
    // what the selects hold now, in the order of `next`: only what differs is sent
    var now = [
      states[0], whereField, states[1], states[2], whereValues, states[3],
      states[4], tracks, states[5], states[6], group, states[7], states[8],
    ];
    return next.map(function (value, i) { return same(value, now[i]) ? noUpdate() : value; });
  }

  // Enter in the search box applies what it holds at once (the box applies it itself only once
  // typing pauses); the clear button empties it.
  function filter(nSubmit, nClear, boxId, clearId) {
    var fired = (window.tmx.dash.context().triggered || []).filter(function (t) { return t.value; });
    if (!fired.length) return noUpdate();
    var box = document.getElementById(boxId);
    if (fired.some(function (t) { return t.prop_id === clearId + ".n_clicks"; })) {
      if (box) box.value = "";  // and the box's pause timer, if typing was under way, applies "" too
      return "";
    }
    return box ? box.value : noUpdate();
  }

  window.tmx = Object.assign(window.tmx || {}, {annotations: {shown: shown, changes: changes, parse: parse}});
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tmx: Object.assign({}, (window.dash_clientside || {}).tmx, {
      annotation_controls: controls,
      annotation_filter: filter,
    }),
  });
})();
