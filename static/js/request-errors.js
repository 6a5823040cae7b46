// An htmx request that fails (no connection, a timeout, a server error such as a proxy's
// 502) used to fail silently: a leader who chose another month offline saw the new month
// in the filter over the old month's figures, and an operator's "add a row" did nothing.
// The notice at the foot of every page (base.html, #request-error) says so in the page's
// language; nothing on the page is replaced, so what was typed stays. A form posted
// offline is kept on the page the same way. The next request
// that succeeds takes the notice away, as does its close button or Escape.
(function () {
  "use strict";

  function notice() {
    return document.getElementById("request-error");
  }

  function show(text) {
    var box = notice();
    if (!box) return;
    box.querySelector("[data-request-error-text]").textContent = text;
    box.hidden = false;
  }

  function hide() {
    var box = notice();
    if (box && !box.hidden) {
      box.hidden = true;
      box.querySelector("[data-request-error-text]").textContent = "";
    }
  }

  function unreachable() {
    var box = notice();
    if (box) show(box.dataset.offline);
  }

  document.addEventListener("htmx:sendError", unreachable);
  document.addEventListener("htmx:timeout", unreachable);
  document.addEventListener("htmx:responseError", function (event) {
    var box = notice();
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (box) show(status ? box.dataset.failed.replace("{status}", status) : box.dataset.offline);
  });
  // A form posted while the browser knows it is offline would leave the page for the
  // browser's own error page, and Back from there did not always return to the form: the
  // figures typed were gone. It is not sent; the notice says so. (Capture phase: before
  // csrf.js marks the form as being sent, and before entry.js counts it as saved.)
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (navigator.onLine !== false || !form.matches || !form.matches("form[method=post]")) return;
    event.preventDefault();
    var box = notice();
    if (box) show(box.dataset.offlineSend);
  }, true);
  window.addEventListener("online", hide);

  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) hide();
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-request-error-close]")) hide();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") hide();
  });
})();
