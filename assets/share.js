// "Copy link" (components/share.py): copies the canonical URL of the view, namespace "tmx".
(function () {
  "use strict";

  var COPIED = "Link copied. Anyone who can reach this server opens exactly this view.";
  var BY_HAND = "Copy the selected link (Ctrl+C or \u2318C): this browser gives no clipboard access here.";

  // The clipboard API exists only in secure contexts (https, localhost); elsewhere the old
  // execCommand route, from a temporary text area, still works in most browsers.
  function copyWithoutApi(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try {
      copied = document.execCommand("copy") === true;
    } catch (err) {
      copied = false;
    }
    document.body.removeChild(area);
    return copied;
  }

  function copy(text) {
    if (navigator.clipboard && typeof navigator.clipboard.writeText === "function") {
      return navigator.clipboard.writeText(text).then(
        function () { return true; },
        function () { return copyWithoutApi(text); }
      );
    }
    return Promise.resolve(copyWithoutApi(text));
  }

  // Focus and select the link once the popover shows it, so Ctrl+C copies it at once.
  function selectWhenShown(fieldId, text, triesLeft) {
    var field = document.getElementById(fieldId);
    if (field && field.value === text && field.offsetParent !== null) {
      field.focus({preventScroll: true});
      field.setSelectionRange(0, text.length);
    } else if (triesLeft > 0) {
      window.setTimeout(function () { selectWhenShown(fieldId, text, triesLeft - 1); }, 50);
    }
  }

  // Escape closes the open popover (its Close button) and gives the focus back to "Copy link".
  var escaping = null;
  function closeOnEscape(closeId, buttonId) {
    if (escaping || !document.addEventListener) return;
    escaping = function (event) {
      var close = document.getElementById(closeId);
      if (event.key !== "Escape" || !close || close.offsetParent === null) return;
      event.preventDefault();
      event.stopPropagation();
      close.click();
      var button = document.getElementById(buttonId);
      if (button) button.focus();
    };
    document.addEventListener("keydown", escaping, true);
  }

  function shareLink(shareClicks, closeClicks, fieldId, closeId, buttonId) {
    var noUpdate = window.dash_clientside.no_update;
    if (buttonId) closeOnEscape(closeId, buttonId);
    var triggered = (window.tmx.dash.context().triggered || [])[0] || {};
    if (triggered.prop_id === closeId + ".n_clicks") {
      return [false, noUpdate, noUpdate, noUpdate];
    }
    var loc = window.location;
    var link = loc.origin + loc.pathname + loc.search;
    var json = window.tmx.dash.pathPrefix() + "api/view" + loc.search;
    return copy(link).then(function (copied) {
      window.setTimeout(function () { selectWhenShown(fieldId, link, 40); }, 0);
      return [true, link, copied ? COPIED : BY_HAND, json];
    });
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    tmx: Object.assign({}, (window.dash_clientside || {}).tmx, {share_link: shareLink}),
  });
})();
