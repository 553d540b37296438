// Flash-sale countdowns: the server's clock is passed in (data-server-now), so a wrong clock on
// the phone does not open the grab button early; the button enables itself when the session starts.
(function () {
  "use strict";
  function pad(n) { return String(n).padStart(2, "0"); }
  function span(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    return pad(Math.floor(s / 3600)) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
  }
  function start() {
    var holder = document.querySelector("[data-server-now]");
    if (!holder || holder.dataset.flashTicking) { return; }
    holder.dataset.flashTicking = "1";
    var offset = Number(holder.dataset.serverNow) - Date.now();
    function tick() {
      var now = Date.now() + offset;
      document.querySelectorAll("[data-starts][data-ends]").forEach(function (offer) {
        var starts = Number(offer.dataset.starts), ends = Number(offer.dataset.ends);
        var clock = offer.querySelector("[data-flash-clock]");
        var button = offer.querySelector("[data-flash-button]");
        if (!clock) { return; }
        if (now < starts) {
          clock.textContent = clock.dataset.labelStarts + " " + span(starts - now);
        } else if (now < ends) {
          clock.textContent = clock.dataset.labelEnds + " " + span(ends - now);
          if (button && button.disabled && !button.dataset.soldOut) {
            button.disabled = false;
          }
        } else {
          clock.textContent = clock.dataset.labelOver;
          if (button) { button.disabled = true; }
        }
      });
    }
    tick();
    setInterval(tick, 1000);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
