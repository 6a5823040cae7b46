// Sends Django's CSRF token with every htmx request, read from the csrftoken cookie at
// the time of the request: pages stay cacheable (no token in their markup) and a token
// rotated at login is never stale on a restored page.
document.addEventListener("htmx:configRequest", function (event) {
  var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) {
    event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]);
  }
});

// Plain forms inside cached pages (data-csrf-cookie, e.g. "Simpan tampilan ini") carry no
// token in their markup either: it is added from the cookie when the form is sent.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches || !form.matches("form[data-csrf-cookie]")) {
    return;
  }
  var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  var input = form.querySelector("input[name=csrfmiddlewaretoken]");
  if (match && !input) {
    input = document.createElement("input");
    input.type = "hidden";
    input.name = "csrfmiddlewaretoken";
    input.value = decodeURIComponent(match[1]);
    form.appendChild(input);
  }
});
