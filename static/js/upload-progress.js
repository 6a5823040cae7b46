// The import form: upload progress (htmx:xhr:progress) and its refusals shown; no inline script needed.
document.addEventListener("htmx:xhr:progress", function (event) {
  var bar = document.getElementById("upload-progress");
  if (bar && event.detail.lengthComputable) {
    bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
  }
});

// A file the server refuses comes back as the import page with its message, under an
// error status (400; 413 for a body too large; 403 when the session or its CSRF token
// ended). htmx 2 swaps no error answer by default, which left the operator looking at an
// unchanged form: on a form marked data-swap-errors, an error answer that is one of the
// site's pages (it has the #konten the form selects) is shown like any other.
document.addEventListener("htmx:beforeSwap", function (event) {
  var config = event.detail.requestConfig;
  var elt = (config && config.elt) || event.detail.elt;
  var xhr = event.detail.xhr;
  if (!elt || !elt.closest || !elt.closest("[data-swap-errors]") || xhr.status < 400) return;
  if ((xhr.responseText || "").indexOf('id="konten"') === -1) return;
  event.detail.shouldSwap = true;
  event.detail.isError = false;
});
