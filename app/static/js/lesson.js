// Study-time heartbeats for the lesson page.
// Beats every `interval` seconds while the tab is visible and the reader was active in the
// last `idleAfter` seconds; a hidden tab sends one beat that pauses the server's clock.
// The server decides what counts; this script only reports and shows the answer.
(function () {
  "use strict";
  var panel = document.getElementById("study-panel");
  if (!panel) return;
  var url = panel.dataset.heartbeatUrl;
  var interval = Number(panel.dataset.interval) * 1000;
  var idleAfter = Number(panel.dataset.idleAfter) * 1000;
  var minSeconds = Number(panel.dataset.minSeconds);
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var credited = document.querySelector('[data-testid="credited"]');
  var bar = document.getElementById("study-bar");
  var status = document.getElementById("study-status");
  var lastActivity = Date.now();
  var atEnd = false;
  var completed = panel.dataset.completed === "true";
  var timer = null;
  var idlePaused = false;

  var formats = document.getElementById("study-time").dataset;
  var pctLabel = document.getElementById("study-pct");
  var meter = document.getElementById("study-progress");

  function show(text) { status.textContent = status.dataset[text]; }

  // Seconds as the page's language writes them (the same forms as the server's `duration`).
  function duration(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var fill = function (fmt) {
      return fmt.replace("%(h)d", h).replace("%(m)d", m).replace("%(s)d", s);
    };
    if (h) return fill(formats.fmtHm);
    if (m) return fill(s ? formats.fmtMs : formats.fmtM);
    return fill(formats.fmtS);
  }

  function beat(visible) {
    var body = JSON.stringify({ visible: visible, at_end: atEnd });
    return fetch(url, {
      method: "POST", credentials: "same-origin", keepalive: !visible,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body
    }).then(function (response) {
      if (!response.ok) return null;
      return response.json();
    }).then(function (data) {
      if (!data) return;
      var pct = Math.min(100, Math.floor(data.total_seconds * 100 / minSeconds));
      credited.dataset.seconds = data.total_seconds;
      credited.textContent = duration(data.total_seconds);
      bar.style.width = pct + "%";
      if (pctLabel) pctLabel.textContent = pct + "%";
      if (meter) meter.setAttribute("aria-valuenow", pct);
      if (data.completed) { completed = true; show("textCompleted"); }
      else if (data.clock === "elsewhere") { show("textElsewhere"); }
      else if (data.total_seconds >= minSeconds && !atEnd) { show("textReadToEnd"); }
      else if (visible && data.clock === "counting") { show("textCounting"); }
    }).catch(function () { /* the next beat tries again */ });
  }

  function active() { return Date.now() - lastActivity < idleAfter; }

  function tick() {
    if (document.visibilityState !== "visible") return;
    if (!active()) {
      // Pause the server's clock once, so idle minutes are never credited.
      if (!idlePaused) { idlePaused = true; show("textPaused"); beat(false); }
      return;
    }
    if (!completed) show("textCounting");
    beat(true);
  }

  function start() {
    if (timer) return;
    if (!completed) show("textCounting");
    beat(true);  // starts the server's clock; it credits nothing
    timer = setInterval(tick, interval);
  }

  function stop() {
    if (!timer) return;
    clearInterval(timer);
    timer = null;
    show("textPaused");
    beat(false);
  }

  ["mousemove", "keydown", "scroll", "touchstart", "click", "wheel"].forEach(function (name) {
    window.addEventListener(name, function () {
      lastActivity = Date.now();
      if (idlePaused && timer && document.visibilityState === "visible") {
        idlePaused = false;
        if (!completed) show("textCounting");
        beat(true);  // restarts the paused clock
      }
    }, { passive: true });
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") start(); else stop();
  });

  var end = document.getElementById("lesson-end");
  if ("IntersectionObserver" in window && end) {
    new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting && !atEnd) { atEnd = true; if (timer) beat(true); }
      });
    }).observe(end);
  }

  if (document.visibilityState === "visible") start();
})();
