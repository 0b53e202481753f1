// Live Markdown preview: the server renders and sanitizes, so the preview is exactly
// what cadres will see.
(function () {
  "use strict";
  var source = document.querySelector("[data-preview-url]");
  if (!source) return;
  var target = document.getElementById(source.dataset.previewTarget);
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var pending = null;
  function refresh() {
    var body = new URLSearchParams({ body_md: source.value, csrf_token: csrf });
    fetch(source.dataset.previewUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrf }, body: body
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) target.innerHTML = data.html; })
      .catch(function () {});
  }
  source.addEventListener("input", function () {
    clearTimeout(pending);
    pending = setTimeout(refresh, 400);
  });
})();
