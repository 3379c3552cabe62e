// Asks before destructive forms (marked data-confirm) are sent. No inline scripts: the CSP forbids them.
document.addEventListener("submit", function (e) {
  var f = e.target;
  if (f && f.dataset && f.dataset.confirm && !window.confirm(f.dataset.confirm)) {
    e.preventDefault();
  }
});
