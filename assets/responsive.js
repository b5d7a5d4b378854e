// Layouts for each screen (issue 19): the side column's folding sections and the skip link.
// A section (components/page.py `section`) is folded on a phone unless opened and open on wider
// screens unless closed (assets/responsive.css): its toggle flips that and keeps aria-expanded true
// to what is shown, also when the screen changes size. The skip link moves the keyboard focus to
// the heatmap without writing a #fragment into the page's address (the link is the view's state).
(function () {
  "use strict";

  var PHONE = window.matchMedia("(max-width: 767.98px)");

  function isOpen(card) {
    return PHONE.matches ? card.classList.contains("tmx-open") : !card.classList.contains("tmx-closed");
  }

  function sync(card) {
    var button = card.querySelector(":scope > .card-header > .tmx-section-toggle");
    var open = String(isOpen(card));
    if (button && button.getAttribute("aria-expanded") !== open) button.setAttribute("aria-expanded", open);
  }

  function syncAll() {
    var cards = document.querySelectorAll(".tmx-section");
    Array.prototype.forEach.call(cards, sync);
    return cards.length;
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var toggle = target && target.closest(".tmx-section-toggle");
    if (toggle) {
      var card = toggle.closest(".tmx-section"), open = isOpen(card);
      card.classList.toggle("tmx-open", !open);
      card.classList.toggle("tmx-closed", open);
      sync(card);
      return;
    }
    var skip = target && target.closest("a.tmx-skip");
    var goal = skip && document.getElementById(skip.getAttribute("href").slice(1));
    if (goal) {
      event.preventDefault();
      goal.focus();
      goal.scrollIntoView({block: "nearest"});
    }
  });

  if (PHONE.addEventListener) PHONE.addEventListener("change", syncAll);
  // Dash draws the page after this script runs: the buttons say the truth once they exist.
  var tries = 0, timer = window.setInterval(function () {
    if (syncAll() || ++tries > 200) window.clearInterval(timer);
  }, 100);
})();
