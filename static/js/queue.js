// The verification queue: returning one report from its own box ("Kembalikan ke
// operator") reloads the queue, and the reports ticked for verification were lost. The
// box is a form of its own (forms do not nest: the ticks belong to the verification form),
// so when it is sent the ticked reports go along as `centang` (id:version) and the
// queue comes back with them ticked. Without JavaScript the return works as before.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches || !form.matches("form[data-keeps-ticks]")) {
    return;
  }
  form.querySelectorAll("input[data-tick]").forEach(function (input) {
    input.remove(); // sent before (a refused reason, the back button): this time's ticks
  });
  document.querySelectorAll("#verify-form input[name=laporan]:checked").forEach(function (box) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "centang";
    input.value = box.value;
    input.setAttribute("data-tick", "");
    form.appendChild(input);
  });
});
