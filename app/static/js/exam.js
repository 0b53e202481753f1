// The exam page: every answer is saved as it changes (PUT .../answers/{question} with a
// growing seq), unsent answers wait in localStorage and are retried when the network
// returns, each question shows whether it is saved, the server's remaining time is resynced
// on every save, a warning comes before the deadline, the page submits at zero, and leaving
// the tab is reported (the server counts). The server decides everything; this script only
// reports and shows. It never sees a correct answer: the page holds none.
(function () {
  "use strict";
  var root = document.getElementById("exam");
  if (!root) return;
  var d = root.dataset;
  var attemptId = d.attemptId;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var storeKey = "exam-attempt:" + attemptId;
  var deviceKey = "exam-device";
  var seqs = JSON.parse(d.seqs || "{}");
  var closed = false;
  var submitting = false;
  var inflight = {};
  var timers = {};

  var device = (function () {
    try {
      var id = localStorage.getItem(deviceKey);
      if (!id) {
        id = Math.random().toString(36).slice(2) + Date.now().toString(36);
        localStorage.setItem(deviceKey, id);
      }
      return id;
    } catch (e) { return ""; }
  })();

  // ---- the queue of unsent answers (survives reloads, closed tabs and lost networks)
  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "{}"); } catch (e) { return {}; }
  }
  function saveQueue(queue) {
    try { localStorage.setItem(storeKey, JSON.stringify(queue)); } catch (e) { /* private mode */ }
  }
  var queue = loadQueue();

  // ---- reading an answer from the inputs, per question type
  function inputs(section) { return section.querySelectorAll("input, textarea, select"); }
  var readers = {
    single_choice: function (s) { var c = s.querySelector("input:checked"); return c ? c.value : null; },
    multiple_choice: function (s) {
      var keys = [];
      s.querySelectorAll("input:checked").forEach(function (c) { keys.push(c.value); });
      return keys.length ? keys : null;
    },
    true_false: function (s) { var c = s.querySelector("input:checked"); return c ? c.value === "true" : null; },
    fill_blank: function (s) {
      var values = [];
      s.querySelectorAll("input").forEach(function (i) { values.push(i.value); });
      return values.some(function (v) { return v.trim() !== ""; }) ? values : null;
    },
    essay: function (s) { var t = s.querySelector("textarea"); return t.value.trim() ? t.value : null; }
  };
  var writers = {
    single_choice: function (s, a) { s.querySelectorAll("input").forEach(function (i) { i.checked = i.value === a; }); },
    multiple_choice: function (s, a) { s.querySelectorAll("input").forEach(function (i) { i.checked = (a || []).indexOf(i.value) >= 0; }); },
    true_false: function (s, a) { s.querySelectorAll("input").forEach(function (i) { i.checked = a !== null && (i.value === "true") === a; }); },
    fill_blank: function (s, a) { s.querySelectorAll("input").forEach(function (i, n) { i.value = (a || [])[n] || ""; }); },
    essay: function (s, a) { s.querySelector("textarea").value = a || ""; }
  };

  function section(qid) { return document.getElementById("q-" + qid); }
  function setState(qid, text, tone) {
    var badge = section(qid) && section(qid).querySelector(".save-state");
    if (!badge) return;
    badge.textContent = d[text];
    badge.className = "save-state badge text-bg-" + tone;
    badge.dataset.state = text;
    summary();
  }
  function summary() {
    var pending = Object.keys(queue).length;
    var sync = document.getElementById("exam-sync");
    sync.textContent = pending ? d.textUnsent.replace("{n}", pending) : d.textAllSaved;
    sync.className = "small " + (pending ? "text-danger" : "text-success");
  }

  // ---- sending
  function nextSeq(qid) {
    var last = Math.max(seqs[qid] || 0, queue[qid] ? queue[qid].seq : 0);
    return Math.max(Date.now(), last + 1);
  }

  function send(qid) {
    var entry = queue[qid];
    if (!entry || closed || inflight[qid]) return Promise.resolve();
    inflight[qid] = true;
    setState(qid, "textSaving", "info");
    return fetch(d.saveUrl + qid, {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "X-Device-Id": device },
      body: JSON.stringify({ answer: entry.answer, seq: entry.seq })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    }).then(function (result) {
      inflight[qid] = false;
      var current = queue[qid];
      var code = result.body && result.body.error && result.body.error.code;
      if (result.status === 200) {
        seqs[qid] = result.body.seq;
        if (current && current.seq <= result.body.seq) { delete queue[qid]; saveQueue(queue); }
        if (result.body.remaining_s !== null && result.body.remaining_s !== undefined) {
          clock.sync(result.body.remaining_s);
        }
        if (queue[qid]) return send(qid);  // changed again while this one was on its way
        setState(qid, "textSaved", "success");
      } else if (code === "stale_seq") {
        delete queue[qid]; saveQueue(queue);
        setState(qid, "textNewer", "secondary");
        refresh(qid);
      } else if (code === "attempt_closed") {
        close();
      } else if (result.status === 422) {
        delete queue[qid]; saveQueue(queue);
        setState(qid, "textInvalid", "danger");
      } else if (result.status === 401 || result.status === 403) {
        setState(qid, "textUnsaved", "warning");
      } else {
        setState(qid, "textUnsaved", "warning");
      }
    }).catch(function () {
      inflight[qid] = false;
      setState(qid, "textOffline", "warning");
    });
  }

  // Another window or device saved a newer answer: show that one instead of ours.
  function refresh(qid) {
    fetch(d.attemptUrl, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body || queue[qid]) return;
        var s = section(qid);
        writers[s.dataset.type](s, body.answers[qid] === undefined ? null : body.answers[qid]);
        if (body.seqs[qid]) seqs[qid] = body.seqs[qid];
      }).catch(function () { /* keep what is shown */ });
  }

  function flush() {
    return Promise.all(Object.keys(queue).map(send));
  }

  function changed(qid) {
    if (closed) return;
    var s = section(qid);
    var answer = readers[s.dataset.type](s);
    queue[qid] = { answer: answer, seq: nextSeq(qid) };
    saveQueue(queue);
    setState(qid, "textUnsaved", "warning");
    clearTimeout(timers[qid]);
    // Typing waits a moment; a click is sent at once.
    var delay = (s.dataset.type === "essay" || s.dataset.type === "fill_blank") ? 800 : 0;
    timers[qid] = setTimeout(function () { send(qid); }, delay);
  }

  document.querySelectorAll(".exam-question").forEach(function (s) {
    var qid = s.dataset.questionId;
    inputs(s).forEach(function (input) {
      input.addEventListener("change", function () { changed(qid); });
      if (input.tagName === "TEXTAREA" || input.type === "text") {
        input.addEventListener("input", function () { changed(qid); });
      }
    });
    if (queue[qid]) {  // typed before a reload or while offline: show it and send it
      writers[s.dataset.type](s, queue[qid].answer);
      setState(qid, "textUnsaved", "warning");
    }
  });
  summary();
  flush();
  window.addEventListener("online", flush);
  setInterval(flush, 10000);

  // ---- the clock (the server's remaining seconds, counted down locally)
  var clock = (function () {
    var timer = document.getElementById("exam-timer");
    var warning = document.getElementById("exam-warning");
    var endsAt = d.remaining === "" ? null : performance.now() + Number(d.remaining) * 1000;
    var warned = {};
    function render() {
      if (endsAt === null) return;
      var left = Math.max(0, Math.round((endsAt - performance.now()) / 1000));
      timer.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      [300, 60].forEach(function (limit) {
        if (left <= limit && !warned[limit]) {
          warned[limit] = true;
          warning.textContent = d.textWarn.replace("{n}", String(limit / 60));
          warning.classList.remove("d-none");
        }
      });
      if (left === 0 && !submitting) submit(false);
    }
    setInterval(render, 1000);
    render();
    return { sync: function (seconds) { endsAt = performance.now() + seconds * 1000; render(); } };
  })();

  // ---- submitting
  function close() {
    closed = true;
    document.querySelectorAll(".exam-question input, .exam-question textarea").forEach(function (i) { i.disabled = true; });
    var warning = document.getElementById("exam-warning");
    warning.textContent = d.textClosed;
    warning.classList.remove("d-none");
    try { localStorage.removeItem(storeKey); } catch (e) { /* ignore */ }
    setTimeout(function () { window.location.assign(d.resultUrl); }, 1500);
  }

  function submit(ask) {
    if (submitting) return;
    if (ask && !window.confirm(d.textConfirm)) return;
    submitting = true;
    flush().then(function () {
      return fetch(d.submitUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf }
      });
    }).then(function (response) {
      if (response.ok || response.status === 409) {
        try { localStorage.removeItem(storeKey); } catch (e) { /* ignore */ }
        window.location.assign(d.resultUrl);
      } else {
        submitting = false;
      }
    }).catch(function () { submitting = false; });  // offline: the server submits at the deadline
  }

  document.getElementById("exam-submit-form").addEventListener("submit", function (event) {
    event.preventDefault();
    submit(true);
  });

  // ---- leaving the tab (counted by the server; never an automatic fail unless the exam says so)
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "hidden" || closed || submitting) return;
    fetch(d.tabUrl, {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf }
    }).then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body) return;
        var warning = document.getElementById("exam-warning");
        warning.textContent = body.max_tab_switches
          ? d.textTabsLimit.replace("{n}", body.tab_switches).split("{max}").join(body.max_tab_switches)
          : d.textTabs.replace("{n}", body.tab_switches);
        warning.classList.remove("d-none");
        if (body.submitted) close();
      }).catch(function () { /* offline: nothing to count */ });
  });
})();
