// Site-wide behaviour of forms: in cached pages the CSRF token from the cookie and the
// account menu's return address from the current location; everywhere, one submission
// of a form at a time.

// Sends Django's CSRF token with every htmx request, read from the csrftoken cookie at
// the time of the request: pages stay cacheable (no token in their markup) and a token
// rotated at login is never stale on a restored page.
//
// htmx also sends the page's whole address, scheme and host included, in HX-Current-URL.
// The app never reads it, and from a page opened with a very long address (a shared link
// with a tracking parameter of several KB) that one header could pass a server's or a
// proxy's header line limit (nginx's default buffer is 8 KB), and each of the page's
// htmx requests (filters, the entry form's checks) was refused: left out when long.
var LONGEST_CURRENT_URL_HEADER = 2048;
document.addEventListener("htmx:configRequest", function (event) {
  var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) {
    event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]);
  }
  var current = event.detail.headers["HX-Current-URL"];
  if (current && current.length > LONGEST_CURRENT_URL_HEADER) {
    delete event.detail.headers["HX-Current-URL"];
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

// The account menu's language switch and login link return to the page as it is now. The
// menu is loaded once with the page's path, while htmx filter changes push new URLs
// (?tahun=...&bulan=...) after it: without this, switching language or logging in would
// drop the filters. The server still checks that `next` stays on this site.
function currentPage() {
  return window.location.pathname + window.location.search;
}

document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches || !form.matches(".account-menu form")) {
    return;
  }
  var next = form.querySelector("input[name=next]");
  if (next) {
    next.value = currentPage();
  }
});

// A login address longer than the server's request line limit (8190 bytes with
// "GET ... HTTP/1.1", gunicorn.conf.py) would be refused: from a page opened with a very
// long address, the login returns to the page without its query (as the server does,
// accounts/redirects.py).
var LONGEST_LOGIN_ADDRESS = 8000;
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest(".account-menu a[data-login]") : null;
  if (link) {
    var address = link.pathname + "?next=" + encodeURIComponent(currentPage());
    if (address.length > LONGEST_LOGIN_ADDRESS) {
      address = link.pathname + "?next=" + encodeURIComponent(window.location.pathname);
    }
    link.href = address;
  }
});

// A second click (or Enter) while a form's POST is on its way would send it again: the
// browser shows the answer to the second one, "already submitted" or a conflict with
// oneself, although the first went through. Forms htmx sends (it prevents the native
// submission before this listener runs) have their own queue. Going back to the page
// (back/forward cache) makes its forms sendable again.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (event.defaultPrevented || !form.matches || !form.matches("form[method=post]")) {
    return;
  }
  if (form.hasAttribute("data-sending")) {
    event.preventDefault();
    return;
  }
  form.setAttribute("data-sending", "");
  form.setAttribute("aria-busy", "true");
  // A submission stopped by the user (Esc, the stop button) fires no event: after a
  // while the form can be sent again rather than stay dead until a reload.
  window.setTimeout(function () { ready(form); }, 15000);
});

function ready(form) {
  form.removeAttribute("data-sending");
  form.removeAttribute("aria-busy");
}

window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-sending]").forEach(ready);
});
