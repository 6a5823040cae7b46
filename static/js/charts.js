// Draws every [data-chart] element from the JSON figure next to it, on page load and
// after each htmx swap; purges charts that are swapped out. No inline script needed.
(function () {
  "use strict";
  var geoCache = {};

  function loadGeo(url) {
    if (!geoCache[url]) {
      geoCache[url] = fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error("GeoJSON " + r.status);
        return r.json();
      });
    }
    return geoCache[url];
  }

  function openOnClick(el) {
    el.on("plotly_click", function (event) {
      var point = event && event.points && event.points[0];
      var url = point && point.customdata;
      if (typeof url === "string" && url.charAt(0) === "/") {
        window.location.assign(url + window.location.search);
      }
    });
  }

  function draw(el) {
    if (el._fullLayout || el.getAttribute("data-drawing") === "1") return;
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source || typeof Plotly === "undefined") return;
    var figure = JSON.parse(source.textContent);
    // Markup restored from history is a dead copy: start from an empty element.
    el.replaceChildren();
    el.setAttribute("data-drawing", "1");
    var ready = Promise.resolve();
    var geoUrl = el.getAttribute("data-geojson");
    if (geoUrl) {
      ready = loadGeo(geoUrl).then(function (geo) {
        figure.data.forEach(function (trace) {
          if (trace.type === "choropleth") trace.geojson = geo;
        });
      });
    }
    ready
      .then(function () {
        return Plotly.newPlot(el, figure.data, figure.layout, figure.config);
      })
      .then(function () {
        el.removeAttribute("data-drawing");
        el.setAttribute("data-drawn", "1");
        // The page's first chart: a User Timing mark (tests hold it to a time budget).
        var timing = window.performance;
        if (timing && timing.mark && !timing.getEntriesByName("chart-drawn").length) {
          timing.mark("chart-drawn");
        }
        openOnClick(el);
      })
      .catch(function (error) {
        el.removeAttribute("data-drawing");
        el.setAttribute("data-error", "1");
        el.textContent = el.getAttribute("aria-label") || "";
        if (window.console) console.warn("chart", error);
      });
  }

  function drawAll(root) {
    if (!root || !root.querySelectorAll) return;
    if (root.matches && root.matches("[data-chart]")) draw(root);
    root.querySelectorAll("[data-chart]").forEach(draw);
  }

  function purgeIn(root) {
    if (!root || !root.querySelectorAll || typeof Plotly === "undefined") return;
    root.querySelectorAll(".js-plotly-plot").forEach(function (el) {
      Plotly.purge(el);
    });
  }

  // Printing: fit charts to the A4 text width (about 680 CSS px), then restore.
  var PRINT_WIDTH = 680;
  window.addEventListener("beforeprint", function () {
    if (typeof Plotly === "undefined") return;
    document.querySelectorAll(".js-plotly-plot").forEach(function (el) {
      if (el._fullLayout && el._fullLayout.width > PRINT_WIDTH) {
        el.setAttribute("data-screen-width", "1");
        Plotly.relayout(el, { width: PRINT_WIDTH });
      }
    });
  });
  window.addEventListener("afterprint", function () {
    if (typeof Plotly === "undefined") return;
    document.querySelectorAll("[data-screen-width]").forEach(function (el) {
      el.removeAttribute("data-screen-width");
      Plotly.relayout(el, { width: null, autosize: true });
    });
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.shouldSwap) purgeIn(event.detail.target);
  });
  document.addEventListener("htmx:historyRestore", function () {
    drawAll(document.body);
  });
  // Listening on the document works whatever order htmx and this file load in.
  document.addEventListener("htmx:load", function (event) {
    drawAll(event.detail.elt);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      drawAll(document.body);
    });
  } else {
    drawAll(document.body);
  }
})();
