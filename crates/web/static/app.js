// On a phone the header's menu folds behind a button (the CSS shows the button only where this
// script runs, so without it the menu simply stays open).
document.documentElement.classList.add("js");
document.addEventListener("click", function (e) {
  var button = e.target.closest && e.target.closest("#menu-button");
  if (!button) return;
  var open = document.getElementById("top").classList.toggle("open");
  button.setAttribute("aria-expanded", open ? "true" : "false");
});

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

// A choice the user made before searching again stays chosen: the options a search replaces
// (htmx swaps an optgroup) lose the selected one, and the select would fall back silently to
// another unit or person. The chosen option is moved out of the group first, and not shown twice.
document.addEventListener("change", function (e) {
  if (e.target && e.target.tagName === "SELECT") e.target.dataset.chosen = "1";
});
document.addEventListener("htmx:beforeSwap", function (e) {
  var group = e.detail.target;
  if (!group || group.tagName !== "OPTGROUP") return;
  var select = group.closest("select");
  var chosen = select && select.dataset.chosen && select.selectedOptions[0];
  if (chosen && chosen.parentNode === group && chosen.value !== "") select.insertBefore(chosen, group);
});
document.addEventListener("htmx:afterSwap", function (e) {
  var group = e.detail.target;
  if (!group || group.tagName !== "OPTGROUP") return;
  var select = group.closest("select");
  Array.prototype.forEach.call(select.children, function (kept) {
    if (kept.tagName !== "OPTION" || kept.value === "") return;
    Array.prototype.forEach.call(group.querySelectorAll("option"), function (o) {
      if (o.value === kept.value) o.remove();
    });
  });
});

// A link to a part of the page that lies in a folded step (the meeting page's "next thing to
// do", a save returning to its section) opens the steps around it first, on browsers that do
// not open a folded <details> by themselves when a link jumps into it.
function openAround(hash) {
  if (!hash || hash.length < 2) return;
  var target = document.getElementById(decodeURIComponent(hash.slice(1)));
  for (var el = target; el; el = el.parentElement) {
    if (el.tagName === "DETAILS") el.open = true;
  }
  if (target) target.scrollIntoView();
}
window.addEventListener("hashchange", function () { openAround(location.hash); });
document.addEventListener("DOMContentLoaded", function () { openAround(location.hash); });
document.addEventListener("click", function (e) {
  var a = e.target.closest && e.target.closest("a[href^='#']");
  if (a) openAround(a.getAttribute("href"));
});
