// Asks before destructive forms (marked data-confirm) are sent. No inline scripts: the CSP forbids them.
document.addEventListener("submit", function (e) {
  var f = e.target;
  if (f && f.dataset && f.dataset.confirm && !window.confirm(f.dataset.confirm)) {
    e.preventDefault();
  }
});

// A search that replaces its results (htmx) keeps what was ticked: a ticked box in a container
// marked data-keep-checked="<id>" moves, with its label, into the element of that id.
document.addEventListener("change", function (e) {
  var box = e.target;
  if (!box || box.type !== "checkbox" || !box.checked) return;
  var from = box.closest("[data-keep-checked]");
  var to = from && document.getElementById(from.dataset.keepChecked);
  if (to) to.appendChild(box.closest("label") || box);
});

// Enter in a name search (a select's options found as one types) must not send the form it sits
// in: the form would go with whatever option happened to be selected.
document.addEventListener("keydown", function (e) {
  var t = e.target;
  if (e.key === "Enter" && t && t.matches && t.matches("input[type=search][hx-get]")) {
    e.preventDefault();
  }
});
