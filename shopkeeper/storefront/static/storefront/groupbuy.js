// Group buy countdowns: every [data-countdown] shows the time left as H:MM:SS from data-seconds.
(function () {
  function pad(n) { return String(n).padStart(2, "0"); }
  function start(box) {
    if (box.dataset.started) return;
    box.dataset.started = "1";
    var end = Date.now() + parseInt(box.dataset.seconds, 10) * 1000;
    function tick() {
      var s = Math.max(0, Math.round((end - Date.now()) / 1000));
      box.textContent = Math.floor(s / 3600) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
      if (s > 0) setTimeout(tick, 1000);
    }
    tick();
  }
  function all() { document.querySelectorAll("[data-countdown]").forEach(start); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all); else all();
})();
