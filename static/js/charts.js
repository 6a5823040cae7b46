// Draws every [data-chart] element from the JSON figure next to it, after each htmx swap
// too; purges charts that are swapped out. No inline script needed.
//
// Lazy: plotly.js (the script tag's data-plotly URL) is fetched only when the first chart
// comes near the viewport, and charts are drawn one per task as they scroll into view, so
// a page never parses plotly.js or draws its charts in one long task at load.
(function () {
  "use strict";
  var PLOTLY_URL = document.currentScript && document.currentScript.getAttribute("data-plotly");
  var plotlyLoading = null;
  var queue = [];
  var pumping = false;

  function loadPlotly() {
    if (typeof Plotly !== "undefined") return Promise.resolve();
    if (!plotlyLoading) {
      plotlyLoading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = PLOTLY_URL;
        script.async = true;
        script.onload = resolve;
        script.onerror = function () {
          plotlyLoading = null;
          reject(new Error("plotly.js"));
        };
        document.head.appendChild(script);
      });
    }
    return plotlyLoading;
  }

  // One chart per task: the browser can paint and answer input between two charts.
  function pump() {
    if (pumping) return;
    var el = queue.shift();
    if (!el) return;
    pumping = true;
    loadPlotly()
      .then(function () {
        return draw(el);
      }, function (error) {
        fail(el, error);
      })
      .then(function () {
        setTimeout(function () {
          pumping = false;
          pump();
        }, 0);
      });
  }

  function enqueue(el) {
    if (el._fullLayout || el.hasAttribute("data-drawing") || queue.indexOf(el) >= 0) return;
    queue.push(el);
    pump();
  }

  var observer =
    "IntersectionObserver" in window
      ? new IntersectionObserver(
          function (entries) {
            entries.forEach(function (entry) {
              if (entry.isIntersecting) {
                observer.unobserve(entry.target);
                enqueue(entry.target);
              }
            });
          },
          { rootMargin: "0px" }
        )
      : null;

  function fail(el, error) {
    el.removeAttribute("data-drawing");
    el.setAttribute("data-error", "1");
    el.textContent = el.getAttribute("aria-label") || "";
    if (window.console) console.warn("chart", error);
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
    if (el._fullLayout || el.getAttribute("data-drawing") === "1") return Promise.resolve();
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source || typeof Plotly === "undefined" || !el.isConnected) return Promise.resolve();
    var figure = JSON.parse(source.textContent);
    // Markup restored from history is a dead copy: start from an empty element.
    el.replaceChildren();
    el.setAttribute("data-drawing", "1");
    return Plotly.newPlot(el, figure.data, figure.layout, figure.config)
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
        fail(el, error);
      });
  }

  function watchChart(el) {
    if (el._fullLayout) return;
    if (observer) observer.observe(el);
    else enqueue(el);
  }

  function drawAll(root) {
    if (!root || !root.querySelectorAll) return;
    if (root.matches && root.matches("[data-chart]")) watchChart(root);
    root.querySelectorAll("[data-chart]").forEach(watchChart);
  }

  function purgeIn(root) {
    if (!root || !root.querySelectorAll) return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (observer) observer.unobserve(el);
      var i = queue.indexOf(el);
      if (i >= 0) queue.splice(i, 1);
    });
    if (typeof Plotly === "undefined") return;
    root.querySelectorAll(".js-plotly-plot").forEach(function (el) {
      Plotly.purge(el);
    });
  }

  // Printing: fit charts to the A4 text width (about 680 CSS px) and 70 % of
  // their height (a program page prints on two A4 pages), then restore.
  var PRINT_WIDTH = 680;
  var PRINT_HEIGHT = 0.7;
  window.addEventListener("beforeprint", function () {
    if (typeof Plotly === "undefined") return;
    document.querySelectorAll(".js-plotly-plot").forEach(function (el) {
      if (!el._fullLayout || el.hasAttribute("data-screen-size")) return;
      el.setAttribute("data-screen-size", JSON.stringify(el.layout.height || null));
      Plotly.relayout(el, {
        width: Math.min(el._fullLayout.width, PRINT_WIDTH),
        height: Math.round(el._fullLayout.height * PRINT_HEIGHT),
      });
    });
  });
  window.addEventListener("afterprint", function () {
    if (typeof Plotly === "undefined") return;
    document.querySelectorAll("[data-screen-size]").forEach(function (el) {
      var height = JSON.parse(el.getAttribute("data-screen-size"));
      el.removeAttribute("data-screen-size");
      Plotly.relayout(el, { width: null, height: height, autosize: true });
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
