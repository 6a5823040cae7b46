// Sends Django's CSRF token with every htmx request, read from the csrftoken cookie at
// the time of the request: pages stay cacheable (no token in their markup) and a token
// rotated at login is never stale on a restored page.
document.addEventListener("htmx:configRequest", function (event) {
  var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) {
    event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]);
  }
});
