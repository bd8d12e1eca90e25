// The Today page: draws the day's routes (map.js) and keeps them live from the console's
// event stream (/console/events) without reloading:
// - {"event": "courier.position", "route_id", "lat", "lon"} moves that courier's marker;
// - any route.* or stop.* notice with a route_id fetches that route's row (HTML) and
//   stops (JSON) again, at most once per 300 ms per route.
// Performance marks for benchmarks/console.py: "today:start" when this script runs,
// "today:drawn" once the routes and base map are drawn and painted; window.doorstepToday.updates
// collects, per position notice, the milliseconds from receipt to the marker moved and
// painted (the next animation frame).
(function () {
  "use strict";
  performance.mark("today:start");
  var element = document.getElementById("today-map");
  var dataElement = document.getElementById("today-data");
  if (!element || !dataElement || !window.L || !window.DoorstepMap) return;
  var day = element.dataset.day;
  var data = JSON.parse(dataElement.textContent);
  var state = { updates: [], received: 0, drawn: false, map: null };
  window.doorstepToday = state;
  var liveState = document.getElementById("live-state");
  var details = document.getElementById("stop-details");

  function paintSwatches(root) {
    root.querySelectorAll("[data-colour]").forEach(function (el) { el.style.background = el.dataset.colour; });
  }

  function showStop(stopId) {
    var url = "/console/today/stops/" + encodeURIComponent(stopId);
    if (window.htmx) {
      window.htmx.ajax("GET", url, { target: "#stop-details", swap: "innerHTML" });
    } else {
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.text(); })
        .then(function (html) { details.innerHTML = html; });
    }
  }

  var map = window.DoorstepMap.create(element, { basemap: element.dataset.basemap, tileUrl: element.dataset.tileUrl });
  state.map = map;
  map.drawRoutes(data, { onStop: showStop }).then(function () {
    performance.mark("today:drawn");
    state.drawn = true;
    element.dataset.drawn = "true";
  });
  paintSwatches(document);

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-focus-route]");
    if (button) map.focusRoute(button.dataset.focusRoute);
  });

  var pending = {};
  function refreshRoute(routeId) {
    if (pending[routeId]) return;
    pending[routeId] = setTimeout(function () {
      delete pending[routeId];
      var row = document.getElementById("route-" + routeId);
      if (!row) return;  // a route of another day, or added since: the page shows it on reload
      var query = "?day=" + encodeURIComponent(day) + "&index=" + encodeURIComponent(row.dataset.index || "0");
      var base = "/console/today/routes/" + encodeURIComponent(routeId);
      fetch(base + "/row" + query, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null) return;
          var holder = document.createElement("tbody");
          holder.innerHTML = html.trim();
          var fresh = holder.firstElementChild;
          if (fresh) { paintSwatches(fresh); row.replaceWith(fresh); }
        });
      fetch(base + "/map" + query, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (route) { if (route) map.updateRoute(route); });
    }, 300);
  }

  function onNotice(notice) {
    if (notice.event === "courier.position" && notice.route_id) {
      var t0 = performance.now();
      state.received += 1;
      map.moveCourier(notice.route_id, notice.lat, notice.lon);
      requestAnimationFrame(function () {
        state.updates.push(performance.now() - t0);
        element.dataset.moved = String(state.updates.length);
      });
      return;
    }
    var family = String(notice.event || "").split(".")[0];
    if ((family === "route" || family === "stop") && notice.route_id) refreshRoute(notice.route_id);
  }

  function connect() {
    var source = new EventSource("/console/events");
    source.addEventListener("ready", function () {
      if (liveState) liveState.textContent = "Live.";
      element.dataset.live = "true";
    });
    source.addEventListener("ended", function () {
      if (liveState) liveState.textContent = "Session ended: reload the page to log in again.";
      source.close();
    });
    source.onmessage = function (message) {
      try { onNotice(JSON.parse(message.data)); } catch (error) { /* a notice we do not know */ }
    };
    source.onerror = function () {
      if (liveState) liveState.textContent = "Reconnecting to live updates…";
    };
  }
  connect();
})();
