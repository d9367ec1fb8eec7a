/* Kwissle home page: "N players online now", polled from GET /api/status. */
(function () {
  "use strict";

  var box = document.getElementById("online");
  var text = document.getElementById("online-text");
  if (!box || !text) return;
  var url = box.dataset.statusUrl || "/api/status";
  var POLL_MS = 5000;
  var timer = null;

  function show(online) {
    text.textContent = online === 1 ? "1 player online now" : online + " players online now";
    box.classList.toggle("online--busy", online > 0);
  }

  function poll() {
    fetch(url, { cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (body && typeof body.online === "number") show(body.online);
      })
      .catch(function () { /* offline for a moment: keep the last count */ });
  }

  function start() {
    if (timer) return;
    poll();
    timer = window.setInterval(poll, POLL_MS);
  }

  function stop() {
    if (timer) window.clearInterval(timer);
    timer = null;
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) stop(); else start();
  });
  start();
})();
