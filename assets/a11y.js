// Accessibility fixes for what Dash 4, dash-bootstrap-components and plotly draw without them
// (checked by axe-core in tests/test_browser_a11y.py). Each fix sets attributes on the DOM after
// React draws it: React writes an attribute only when its own prop changes, so these stay.
// - Controls that take no aria prop (dcc.Slider's handles and number box, dcc.Upload's file
//   input) are named from the `data-a11y-name` of a wrapper (components/*.py); dcc.Dropdown's
//   button is named by its value only: the wrapper's name is put in front of it.
// - dcc.Dropdown keeps its tab stop on an input that is `aria-hidden` (axe: aria-hidden-focus):
//   the tab stop moves to the dropdown's own button, which opens the list with Enter or ArrowDown.
// - dbc.Tabs links point at panes that do not exist ("...-tabpane-null"; axe:
//   aria-valid-attr-value): each tab is tied to its pane, and says whether it is selected.
(function () {
  "use strict";

  var named = 0;

  function hasName(el) {
    return el.hasAttribute("aria-label") || el.hasAttribute("aria-labelledby") || (el.labels && el.labels.length > 0);
  }

  function nameControls(root) {
    root.querySelectorAll("[data-a11y-name]").forEach(function (wrapper) {
      var name = wrapper.getAttribute("data-a11y-name");
      wrapper.querySelectorAll('[role="slider"], input:not([type="hidden"]), select, textarea').forEach(function (el) {
        if (!el.classList.contains("dash-dropdown-focus-target") && !hasName(el)) el.setAttribute("aria-label", name);
      });
      wrapper.querySelectorAll("button.dash-dropdown").forEach(function (button) {
        var by = button.getAttribute("aria-labelledby") || "";
        if (button.dataset.a11yNamed) return;
        var label = document.createElement("span");
        label.id = "tmx-a11y-name-" + (++named);
        label.hidden = true;
        label.textContent = name;
        wrapper.appendChild(label);
        button.setAttribute("aria-labelledby", (label.id + " " + by).trim());
        button.dataset.a11yNamed = "1";
      });
    });
  }

  function dropdownTabStops(root) {
    root.querySelectorAll('.dash-dropdown-focus-target[tabindex="0"]').forEach(function (el) {
      el.tabIndex = -1;
    });
    root.querySelectorAll("button.dash-dropdown").forEach(function (button) {
      if (button.tabIndex !== 0 && !button.disabled) button.tabIndex = 0;
    });
  }

  function tieTabs(root) {
    root.querySelectorAll('[role="tablist"]').forEach(function (list) {
      var content = list.nextElementSibling, panes = content ? content.querySelectorAll(':scope > [role="tabpanel"]') : [];
      list.querySelectorAll('[role="tab"]').forEach(function (tab, i) {
        var pane = panes[i];
        if (pane && pane.getAttribute("aria-labelledby") && tab.id !== pane.getAttribute("aria-labelledby")) {
          tab.id = pane.getAttribute("aria-labelledby");
          tab.setAttribute("aria-controls", pane.id);
        }
        var selected = tab.classList.contains("active") ? "true" : "false";
        if (tab.getAttribute("aria-selected") !== selected) tab.setAttribute("aria-selected", selected);
      });
    });
  }

  var pending = false;
  function fix() {
    pending = false;
    nameControls(document);
    dropdownTabStops(document);
    tieTabs(document);
  }
  function schedule() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(fix);
    }
  }

  function start() {
    new MutationObserver(schedule).observe(document.body, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["class", "tabindex", "aria-labelledby"],
    });
    schedule();
  }
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);

  window.tmx = window.tmx || {};
  window.tmx.a11yFix = fix;  // the tests run it before a scan, so that a scan never races a frame
})();
