// The monthly entry form: live percentage of ratio rows, the month's total, and removing
// a funding-source row. Event delegation, so rows added by htmx work too; no inline code
// (strict CSP). The server checks everything again on save.
(function () {
  "use strict";
  var english = (document.documentElement.lang || "id").indexOf("en") === 0;

  function parse(text) {
    // Mirrors programs.reporting.rules.parse_number: "8.391" / "14,33" (Indonesian),
    // "8,391" / "14.33" (English); a sign never changes how the digits are read (the
    // minus sign U+2212 of Excel and Word is a "-"), and "0.600" (0,6 or 600?) or "12,000"
    // (12 or 12.000?) is no number.
    text = (text || "").replace(/[\s\u200b\ufeff]/g, "");  // as the server's _SPACES
    if (!text) return null;
    if (text[0] === "\u2212") text = "-" + text.slice(1);  // as the server's MINUS_SIGN
    var sign = 1;
    if (text[0] === "+" || text[0] === "-") {
      sign = text[0] === "-" ? -1 : 1;
      text = text.slice(1);
    }
    var thousands = english ? "," : ".", decimal = english ? "." : ",";
    var grouped = new RegExp("^\\d{1,3}(\\" + thousands + "\\d{3})+$");
    if (text.indexOf(decimal) >= 0) {
      // Thousands separators only in whole groups before the decimal comma ("1.23,4" is
      // no number), as on the server.
      var parts = text.split(decimal), whole = parts[0];
      if (parts.length > 2 || parts[1].indexOf(thousands) >= 0) return NaN;
      if (whole.indexOf(thousands) >= 0 && !grouped.test(whole)) return NaN;
      // "12,000" or "2,500": thousands written the other language's way, or a decimal
      // comma? Asked on the server (AMBIGUOUS_THOUSANDS), so no number here.
      if (/^[1-9]\d{0,2}$/.test(whole) && /^\d\d0$/.test(parts[1])) return NaN;
      text = whole.split(thousands).join("") + "." + parts[1];
    } else if (grouped.test(text)) {
      var groups = text.split(thousands);
      if (Number(groups[0]) === 0 && Number(groups.slice(1).join("")) !== 0) return NaN;
      text = groups.join("");
    } else if (english) {
      text = text.replace(",", ".");
    }
    var value = Number(text);
    return isFinite(value) && /^[\d.]+$/.test(text) ? sign * value : NaN;
  }

  function format(value, decimals) {
    return value.toLocaleString(english ? "en-US" : "id-ID", {
      minimumFractionDigits: decimals, maximumFractionDigits: decimals,
    });
  }

  function updateRatio(cell) {
    var num = parse(cell.querySelector('[data-ratio-part="num"]').value);
    var den = parse(cell.querySelector('[data-ratio-part="den"]').value);
    var out = cell.querySelector("[data-ratio-result]");
    if (!out) return;
    out.textContent = num === null || den === null || isNaN(num) || isNaN(den) || den <= 0
      ? "–" : format(num / den * 100, 2) + (english ? "%" : " %");  // formats.percent
  }

  function decimalsOf(value) {
    // Digits after the point, trailing zeros aside (rules.decimals: 8,60 has one).
    var text = String(Math.abs(value)), point = text.indexOf(".");
    return text.indexOf("e") >= 0 ? Infinity : point < 0 ? 0 : text.length - point - 1;
  }

  function updateTotal(tbody) {
    if (!tbody) return;
    var out = document.querySelector('[data-total-for="' + tbody.id + '"]');
    if (!out) return;
    var total = 0, bad = false, places = Number(out.dataset.decimals || 0);
    tbody.querySelectorAll("[data-amount]").forEach(function (input) {
      var value = parse(input.value);
      if (value === null) return;
      // A value refused on save (rules.check_value: negative, or more decimals than the
      // indicator has, "8,600" of a count; rules.parse: 1e11 and above) counts in no
      // total either (rules.month_total).
      if (isNaN(value) || value < 0 || Math.abs(value) >= 1e11 || decimalsOf(value) > places) bad = true;
      else total += value;
    });
    out.textContent = bad ? "–" : format(total, places);
  }

  // A row's figures are marked invalid while its message box (which each of the row's
  // fields names in aria-describedby) holds an error: a screen reader says "invalid" and
  // reads the message on the field itself, not only once when the live check answers.
  function markInvalid() {
    document.querySelectorAll("#entry-form tr.entry-row .row-msg").forEach(function (box) {
      var bad = Boolean(box.querySelector(".msg-error"));
      box.closest("tr").querySelectorAll("[data-amount], [data-ratio-part]").forEach(function (field) {
        if (bad) field.setAttribute("aria-invalid", "true");
        else field.removeAttribute("aria-invalid");
      });
    });
  }

  markInvalid();  // deferred: the form is parsed
  document.addEventListener("htmx:afterSettle", markInvalid);

  document.addEventListener("input", function (event) {
    var target = event.target;
    var ratio = target.closest && target.closest("[data-ratio]");
    if (ratio) updateRatio(ratio);
    if (target.matches && target.matches("[data-amount]")) updateTotal(target.closest("tbody"));
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-remove-row]");
    if (!button) return;
    var row = button.closest("tr"), tbody = row.closest("tbody");
    if (tbody.querySelectorAll("tr.entry-row").length > 1) {
      // Leave an empty, hidden placeholder: a live check already on its way still finds
      // the row's message box, and the next added row gets a new number. Its only field
      // is not one the server reads, so the row is not saved (and a stored one is deleted).
      var key = row.id.replace(/^row-/, "");
      var holder = document.createElement("tr");
      holder.id = row.id;
      holder.hidden = true;
      var cell = document.createElement("td");
      var marker = document.createElement("input");
      marker.type = "hidden";
      marker.name = "r-" + key + "-removed";
      marker.value = "1";
      var box = document.createElement("div");
      box.id = "msg-" + key;
      cell.appendChild(marker);
      cell.appendChild(box);
      holder.appendChild(cell);
      var focused = row.contains(document.activeElement);
      row.replaceWith(holder);
      // The focus was on the removed row's button: without a new place it fell to the
      // top of the page. It goes to the value of the last row left in that table.
      var rows = tbody.querySelectorAll("tr.entry-row");
      var next = rows.length && rows[rows.length - 1].querySelector("[data-amount]");
      if (focused && next) next.focus();
    } else {
      row.querySelectorAll("input[type=text]").forEach(function (input) { input.value = ""; });
    }
    updateTotal(tbody);
    var form = document.getElementById("entry-form");
    if (form && window.htmx) window.htmx.trigger(form, "change");  // re-check without it
  });

  // The session ended: a live check is answered 401 with the login page to go to
  // (HX-Redirect), and the server has kept the form as that check sent it, to restore
  // after the login. What was typed since (a note, while the answer was on its way; the
  // next check waits 600 ms after the last key) was in no request and would be lost.
  // So instead of leaving at once, the form as it stands is sent once more to be kept,
  // and takes no more typing, then the browser goes to log in.
  var leaving = false;

  function leaveToLogin(form, login) {
    leaving = true;
    var data = new FormData(form);  // everything typed up to now, the CSRF field too
    form.querySelectorAll("input, textarea").forEach(function (field) { field.readOnly = true; });
    form.querySelectorAll("select, button").forEach(function (field) { field.disabled = true; });
    form.setAttribute("aria-busy", "true");
    var out = document.getElementById("check-result");
    if (out && form.dataset.sessionEnded) out.textContent = form.dataset.sessionEnded;
    var go = function () { window.location.href = login; };
    fetch(form.getAttribute("hx-post"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "HX-Request": "true" },
    }).then(go, go);
  }

  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var form = document.getElementById("entry-form");
    var xhr = event.detail.xhr;
    if (!form || !xhr || xhr.status !== 401 || !form.contains(event.detail.elt)) return;
    var login = xhr.getResponseHeader("HX-Redirect");
    if (!login) return;
    event.preventDefault();  // htmx would leave now
    if (!leaving) leaveToLogin(form, login);
  });

  // Attaching a file reloads the page: numbers typed and not saved yet, and a comment
  // typed in the conversation box and not sent, would be lost. They are sent along with
  // the file (hidden copies of their forms' fields), kept by the server and shown again,
  // unsaved, on the page it returns to.
  function changed(form) {
    if (form.querySelector('input[name$="-removed"]')) return true;
    return Array.prototype.some.call(form.elements, function (field) {
      if (field.tagName === "SELECT") {
        var initial = field.querySelector("option[selected]") || field.options[0];
        return Boolean(initial) && field.value !== initial.value;
      }
      return field.type === "text" && field.value !== field.defaultValue;
    });
  }

  function carry(attach, form) {
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "aksi" || typeof value !== "string") return;
      var copy = document.createElement("input");
      copy.type = "hidden";
      copy.name = name;
      copy.value = value;
      copy.setAttribute("data-unsaved", "");
      attach.appendChild(copy);
    });
  }

  document.addEventListener("submit", function (event) {
    var attach = event.target;
    if (!attach || attach.id !== "attach-form") return;
    attach.querySelectorAll("input[data-unsaved]").forEach(function (field) { field.remove(); });
    var form = document.getElementById("entry-form");
    if (form && form.hasAttribute("hx-post") && changed(form)) carry(attach, form);
    var comment = document.getElementById("teks");
    if (comment && comment.form && comment.value.trim()) carry(attach, comment.form);
  });

  // Leaving the page any other way (a link, another form such as a comment, closing the
  // tab, Back) with figures typed and not saved loses them: the browser asks first.
  // Saving or submitting the form, attaching a file (which carries them along, above)
  // and the session's end (which keeps them, leaveToLogin) are no loss.
  var keeping = false;

  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) return;  // not sent (offline: request-errors.js)
    var id = event.target && event.target.id;
    if (id === "entry-form" || id === "attach-form") keeping = true;
  });

  window.addEventListener("pageshow", function () { keeping = false; });

  window.addEventListener("beforeunload", function (event) {
    var form = document.getElementById("entry-form");
    if (keeping || leaving || !form || !form.hasAttribute("hx-post") || !changed(form)) return;
    event.preventDefault();
    event.returnValue = "";  // older browsers ask only when a value is set
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    // No more checks once the form is on its way to be kept.
    if (leaving && event.detail.elt && event.detail.elt.closest("#entry-form")) {
      event.preventDefault();
    }
  });
})();
