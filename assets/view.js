// The view state in the browser (namespace tmx.view): one owner of what the link says.
//
// `current` is the view's query as ViewState.to_query writes it (no '?'). Every control, click
// and key changes it through `change`; it alone writes the address bar: pushState for a
// person's step, replaceState when the server canonicalised what was asked (a clamped value,
// a dropped label) or when a link arrives. Back and Forward restore the view from the address
// bar. The VIEW store mirrors `current` for Dash: `view_to_controls` sets every bound control
// from it and the server callbacks read it (components/state.py).
//
// Fields the browser checks itself (selection, sort, thresholds, diagonal) change at once;
// a change of any other field is a request to the server (`sync`), whose answer is the
// canonical query. Client changes made while a request is out are laid over its answer, and an
// answer to an older request than the latest is dropped: nothing is written from stale state.
(function () {
  "use strict";

  var COALESCE_MS = 1000;  // a drag or typed series of one threshold: one history entry
  var LINK_DELAY_MS = 120;  // and the link written once it rests (browsers throttle floods of history calls)

  var spec = null;  // components.state.view_spec()
  var current = null;
  var serial = 0, answered = 0;  // the latest request to the server, and the latest answer taken
  var since = [];  // client changes made while a request is out
  var pushNext = false;  // the next link written is a person's step
  var lastStep = {key: "", at: 0};
  var linkTimer = null;
  var remembered = [];

  function noUpdate() { return window.dash_clientside.no_update; }
  function setProps(id, props) { window.dash_clientside.set_props(id, props); }

  // --- the query -------------------------------------------------------------------------------

  // {key: value as written in the query (still encoded)}
  function parse(query) {
    var out = {};
    String(query || "").replace(/^\?/, "").split("&").forEach(function (part) {
      if (!part) return;
      var at = part.indexOf("="), key = at < 0 ? part : part.slice(0, at);
      out[decodeURIComponent(key.replace(/\+/g, " "))] = at < 0 ? "" : part.slice(at + 1);
    });
    return out;
  }

  // Fields in the canonical order, absent ones (null) left out.
  function write(values) {
    return spec.fields.filter(function (key) { return values[key] !== undefined && values[key] !== null; })
      .map(function (key) { return key + "=" + values[key]; }).join("&");
  }

  function merge(query, changes) {
    var values = parse(query);
    Object.keys(changes).forEach(function (key) { values[key] = changes[key]; });
    return write(values);
  }

  function changedFields(a, b) {
    var x = parse(a), y = parse(b);
    return spec.fields.filter(function (key) { return (x[key] === undefined ? null : x[key]) !== (y[key] === undefined ? null : y[key]); });
  }

  function within(fields, group) {
    return fields.some(function (key) { return spec[group].indexOf(key) >= 0; });
  }

  // A control's value -> the field's value in the query (null: left out, the default).
  function encode(binding, value) {
    if (value === undefined || value === "") value = null;
    if (binding.kind === "flag") value = value === null ? binding.empty : !!value;
    if (value === null || value === binding.empty) return null;
    switch (binding.kind) {
      case "flag": return value ? "1" : "0";
      case "count": return isFinite(+value) && Math.round(+value) >= 1 ? String(Math.round(+value)) : null;
      case "number": return isFinite(+value) ? window.tmx.formatNumber(+value) : null;
      default: return window.tmx.encodeValue(value);
    }
  }

  // The field's value in the query -> the control's value.
  function decode(binding, text) {
    if (text === undefined || text === null) return binding.empty;
    switch (binding.kind) {
      case "flag": return text === "1";
      case "count": case "number": return Number(text);
      default: return decodeURIComponent(text.replace(/\+/g, " "));
    }
  }

  // --- the link --------------------------------------------------------------------------------

  function writeLink() {
    clearTimeout(linkTimer);
    linkTimer = null;
    var search = "?" + current, loc = window.location;
    if (search !== loc.search) {
      var url = loc.pathname + search + loc.hash;
      if (pushNext) window.history.pushState({tmx: current}, "", url);
      else window.history.replaceState({tmx: current}, "", url);
    }
    pushNext = false;
  }

  function writeLinkSoon() {
    clearTimeout(linkTimer);
    linkTimer = setTimeout(writeLink, LINK_DELAY_MS);
  }

  // --- changes ---------------------------------------------------------------------------------

  function clearNotices() {
    var shown = document.getElementById(spec.ids.notices);
    if (shown && shown.childElementCount) setProps(spec.ids.notices, {children: []});  // else: no re-render
  }

  function request(query, before, carry) {
    serial += 1;
    since = [];
    setProps(spec.ids.request, {data: {serial: serial, query: query, before: before, carry: carry}});
  }

  // A person's step (user) or the page's own correction: `changes` maps fields to their
  // encoded values (null leaves a field out).
  function change(changes, options) {
    if (current === null) return false;
    var user = !options || options.user !== false;
    var before = current, next = merge(current, changes);
    if (next === before) return false;
    var fields = changedFields(before, next), key = fields.join(",");
    var now = Date.now(), continuous = !within(fields, "server") && fields.every(function (f) { return f === "pos" || f === "neg"; });
    var coalesce = continuous && key === lastStep.key && now - lastStep.at < COALESCE_MS;
    lastStep = {key: key, at: now};
    if (user && !coalesce) pushNext = true;
    current = next;
    setProps(spec.ids.view, {data: current});
    if (within(fields, "server")) {
      request(current, before, within(fields, "data"));  // the link is written with the answer
    } else if (serial > answered) {
      since.push(changes);  // laid over the answer that is on its way
    } else {
      clearNotices();  // the last step's notices described another view
      if (continuous) writeLinkSoon(); else writeLink();
    }
    return true;
  }

  // The server's canonical form of the latest request.
  function answer(reply) {
    if (!reply || reply.serial !== serial || reply.serial <= answered) return;
    answered = reply.serial;
    var query = reply.query;
    since.forEach(function (changes) { query = merge(query, changes); });
    since = [];
    remember(reply.datasets);
    if (query !== current) {
      current = query;
      setProps(spec.ids.view, {data: current});
    }
    writeLink();
  }

  // Back and Forward: the address bar holds a link this page wrote; show it.
  function restore() {
    var query = window.location.search.replace(/^\?/, "");
    if (current === null || query === current) return;
    var before = current, fields = changedFields(before, query);
    current = query;
    pushNext = false;
    clearTimeout(linkTimer);
    setProps(spec.ids.view, {data: current});
    // a request still out would answer for the view left behind: ask again for this one
    if (within(fields, "server") || serial > answered) request(current, before, false);
    else clearNotices();
  }
  window.addEventListener("popstate", restore);

  // The page arrived drawn for `view`: canonicalise the address bar in place (no history entry,
  // so Back leaves the page), or ask for the address bar's link if the page was drawn for
  // another one (a proxy stripped the Referer the layout was asked with).
  // A page that arrived without a view (the store could not be reached) asks for its link too.
  function arrive(view, arrival) {
    var asked = window.location.search.replace(/^\?/, "");
    var drawnFor = arrival && typeof arrival.requested === "string" ? arrival.requested : null;
    current = typeof view === "string" ? view : asked;
    remember(arrival && arrival.datasets);
    if (typeof view !== "string" || (drawnFor !== null && asked !== drawnFor)) request(asked, current, false);
    else writeLink();
  }

  // --- datasets opened in this browser -------------------------------------------------------

  // Datasets this page opened, added once the stored list has been read (REMEMBERED, in
  // localStorage), so a list read later never overwrites them.
  var listsRead = false, toRemember = [];
  function remember(datasets) {
    toRemember = toRemember.concat(datasets || []);
    if (!listsRead) return;
    var added = [];
    toRemember.forEach(function (d) {
      if (!remembered.concat(added).some(function (known) { return known.id === d.id; })) added.push({id: d.id, name: d.name});
    });
    toRemember = [];
    if (!added.length) return;
    remembered = remembered.concat(added);
    setProps(spec.ids.remembered, {data: remembered});
  }

  var listed = null;  // what the lists were last built from: a click or threshold leaves them be
  function datasetLists(stored, view, catalogue, viewSpec) {
    spec = spec || viewSpec;
    remembered = Array.isArray(stored) ? stored.filter(function (d) { return d && typeof d.id === "string"; }) : [];
    listsRead = true;
    if (toRemember.length && spec) remember([]);
    var values = parse(view), decoded = function (v) { return v ? decodeURIComponent(v) : null; };
    var shown = decoded(values.dataset), compared = decoded(values.compare);
    var key = JSON.stringify([shown, compared, remembered]);
    if (key === listed) return [noUpdate(), noUpdate(), noUpdate()];
    listed = key;
    var uploads = remembered.map(function (d) { return {label: "Uploaded: " + d.name, value: d.id}; });
    var all = (catalogue || []).concat(uploads);
    // The view's own datasets are always listed: a dropdown clears a value its new options lack.
    [shown, compared].forEach(function (id) {
      if (!id || all.some(function (option) { return option.value === id; })) return;
      var known = toRemember.filter(function (d) { return d.id === id; })[0];
      all.push({label: "Uploaded: " + (known ? known.name : id.slice(0, 8)), value: id});
    });
    var list = remembered.length ? [{
      type: "Div", namespace: "dash_html_components",
      props: {className: "small", children: [
        {type: "Div", namespace: "dash_html_components", props: {className: "text-muted", children: "Opened in this browser:"}},
        {type: "Ul", namespace: "dash_html_components", props: {className: "list-unstyled mb-0 tmx-remembered", children: remembered.map(function (d) {
          return {type: "Li", namespace: "dash_html_components", props: {className: "d-flex align-items-center gap-2", children: [
            {type: "Span", namespace: "dash_html_components", props: {className: "text-truncate", children: d.name, title: d.id}},
            {type: "Button", namespace: "dash_html_components", props: {
              id: {type: spec.ids.forget, index: d.id}, children: "Forget", className: "btn btn-link btn-sm p-0 ms-auto",
              title: "Forget " + d.name + " in this browser (the link still opens it)", "aria-label": "Forget " + d.name}},
          ]}};
        })}},
      ]},
    }] : [];
    return [all, all.filter(function (option) { return option.value !== shown; }), list];
  }

  function forget(clicks, stored) {
    var ctx = window.dash_clientside.callback_context, fired = (ctx.triggered || [])[0];
    if (!fired || !fired.value) return noUpdate();  // the list was drawn, nobody clicked
    var id = JSON.parse(fired.prop_id.slice(0, fired.prop_id.lastIndexOf("."))).index;
    return (stored || []).filter(function (d) { return d.id !== id; });
  }

  // --- callbacks -------------------------------------------------------------------------------

  function bindingOf(propId) {
    for (var i = 0; spec && i < spec.bindings.length; i++) {
      var b = spec.bindings[i];
      if (b.id + "." + b.prop === propId) return b;
    }
    return null;
  }

  // A person changed controls (their own inputs, or a callback that stands for a click): the
  // fields that differ from the view change. Controls that `view_to_controls` set show the view
  // already, and change nothing.
  function fromControls() {
    if (current === null) return;
    var values = parse(current), changes = {}, any = false;
    (window.dash_clientside.callback_context.triggered || []).forEach(function (t) {
      var b = bindingOf(t.prop_id);
      if (!b) return;
      var text = encode(b, t.value), now = values[b.field] === undefined ? null : values[b.field];
      if (text !== now) { changes[b.field] = text; any = true; }
    });
    if (any) change(changes);
  }

  function same(a, b) {
    return (a === null || a === undefined) ? (b === null || b === undefined) : a === b;
  }

  // The view -> every bound control that does not show it yet. Outputs, then States, in the
  // order of spec.bindings.
  function toControls(view) {
    var args = Array.prototype.slice.call(arguments);
    var n = args.length - 3, shown = args.slice(1, 1 + n);
    spec = args[1 + n];
    if (current === null) arrive(view, args[2 + n]);
    var values = parse(view);
    return spec.bindings.map(function (b, i) {
      var wanted = decode(b, values[b.field]);
      return same(wanted, shown[i]) ? noUpdate() : wanted;
    });
  }

  // A server callback opens another view as a person's step (an upload, a stored copy).
  function open(target) {
    if (!target || typeof target.query !== "string" || current === null) return;
    var before = current;
    current = target.query;
    pushNext = true;
    lastStep = {key: "", at: 0};
    setProps(spec.ids.view, {data: current});
    request(current, before, false);
  }

  window.tmx = Object.assign(window.tmx || {}, {
    view: {
      current: function () { return current; },
      change: change,
      merge: function (query, changes) { return spec ? merge(query, changes) : query; },
    },
  });
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tmx: Object.assign({}, (window.dash_clientside || {}).tmx, {
      view_from_controls: fromControls,
      view_to_controls: toControls,
      view_answered: answer,
      view_open: open,
      dataset_lists: datasetLists,
      forget_dataset: forget,
    }),
  });
})();
