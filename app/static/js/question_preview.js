// Live preview of the question being edited, rendered by the server exactly as a cadre
// sees it (the same template the exam pages use).
(function () {
  "use strict";
  var form = document.getElementById("question-form");
  var target = document.getElementById("question-preview");
  if (!form || !target) return;
  var pending = null;
  function refresh() {
    fetch(form.dataset.previewUrl, {
      method: "POST", credentials: "same-origin", body: new FormData(form)
    }).then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) target.innerHTML = html; })
      .catch(function () {});
  }
  form.addEventListener("input", function () { clearTimeout(pending); pending = setTimeout(refresh, 400); });
  form.addEventListener("change", function () { clearTimeout(pending); pending = setTimeout(refresh, 200); });
  refresh();
})();
