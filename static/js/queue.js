// The verification queue is one form: the tick boxes, "Verifikasi yang dicentang",
// "Verifikasi semua ... yang cocok dengan filter ini", and each report's return box
// ("Kembalikan ke operator", sent to that report's /status/ by its button's formaction),
// so a return or a refused verification sends the ticked reports along and the queue
// comes back with them ticked, with or without JavaScript. A reason is required only of
// the box whose button is pressed: marked so here, before the browser checks the form,
// so an empty box is asked for at once (without JavaScript the server refuses it, in its
// box), and the other boxes never stop a verification.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("#verify-form button[type=submit]");
  if (!button) {
    return;
  }
  button.form.querySelectorAll("textarea[aria-required]").forEach(function (box) {
    box.required = box.id === button.getAttribute("data-returns");
  });
});
