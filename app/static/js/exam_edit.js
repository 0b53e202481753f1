// The exam form's question picker: filter the bank's published questions as you type and
// click one to append its id to the fixed paper.
(function () {
  "use strict";
  var search = document.getElementById("picker-search");
  var list = document.getElementById("picker");
  var field = document.getElementById("question_ids");
  if (!search || !list || !field) return;
  search.addEventListener("input", function () {
    var words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    list.querySelectorAll("[data-question-id]").forEach(function (item) {
      var text = item.dataset.search.toLowerCase();
      item.classList.toggle("d-none", !words.every(function (w) { return text.indexOf(w) >= 0; }));
    });
  });
  list.addEventListener("click", function (event) {
    var item = event.target.closest("[data-question-id]");
    if (!item) return;
    var ids = field.value.split(/[,，]/).map(function (s) { return s.trim(); }).filter(Boolean);
    var id = item.dataset.questionId;
    if (ids.some(function (s) { return s.split(":")[0] === id; })) return;
    ids.push(id);
    field.value = ids.join(", ");
    item.classList.add("active");
  });
})();
