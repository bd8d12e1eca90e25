// Shared map drawing for the console (the Today, Plan and order pages): an offline base map,
// routes as coloured lines with stop markers, couriers' positions and labelled places. A
// classic script: it defines window.DoorstepMap and needs Leaflet (window.L) loaded before it
// is called. Every page draws its map through this file, so the base map, the route lines
// and the markers look and behave the same everywhere.
//
// The structure it draws (the Today page embeds it as JSON: services/console/today.map_data;
// the Plan page builds it from the plan's GeoJSON in static/console/plan.js):
//
//   { "routes": [ {
//       "id": "rte_...",            // the route's public id (the Plan page: the vehicle id)
//       "colour": "#1f77b4",        // its line and markers
//       "label": "3 Ada Lovelace",  // shown on the courier's marker
//       "courier_id": "cou_...",    // position notices name the courier (optional)
//       "position": {"lat": 51.5, "lon": -0.1, "at": "ISO 8601"} | null,
//       "path": [[51.5, -0.1], ...],  // the line (optional; else the stops in order)
//       "stops": [ {"id": "stp_...", "lat": 51.5, "lon": -0.1, "seq": 1,
//                   "state": "pending|arrived|completed|failed|skipped",
//                   "late": false,
//                   "tooltip": "text shown on hover"} ]   // optional; in visiting order
//     } ],
//     "places": [ {"lat": 51.5, "lon": -0.1, "kind": "hub|unassigned", "label": "Hub"} ]  // optional
//   }
//
// API:
//   const m = DoorstepMap.create(element, {basemap: url, tileUrl: url|""});
//   m.drawRoutes(data, {onStop: (stopId, routeId) => ..., stopStyle: "progress"|"plan"});
//       // all routes and places, fits the view; "progress" (default) fills a stop by its
//       // state, "plan" fills it with its route's colour
//   m.updateRoute(route);                // redraw one route (same structure as routes[i])
//   m.moveCourier(routeId, lat, lon);    // move (or place) the route's courier marker
//   m.focusRoute(routeId);               // fit the view to one route
//   m.drawBasemap(bounds)                // streets near [[s, w], [n, e]] (drawRoutes calls it);
//                                        // sets data-streets="true" on the element once drawn
//   DoorstepMap.twoPoints(element, options, a, b)  // two labelled points {lat, lon, colour, label}
//   m.ready                              // a Promise resolved once base map and routes are drawn
(function () {
  "use strict";
  var STATE_FILL = { completed: "#16642f", failed: "#a4161a", skipped: "#4d5561", arrived: "#ffbf47" };
  var PLACE_STYLE = {
    hub: { radius: 10, color: "#000", weight: 3, fillColor: "#ffd400", fillOpacity: 1 },
    unassigned: { radius: 7, color: "#a4161a", weight: 3, fillColor: "#fff", fillOpacity: 1 }
  };
  // How a stop marker looks: by its progress (Today) or in its route's colour (Plan).
  var STOP_STYLES = {
    progress: function (s, route) {
      return { radius: s.late ? 6 : 4.5, color: route.colour, weight: 2,
        fillColor: s.late ? "#ff7f0e" : (STATE_FILL[s.state] || "#ffffff"), fillOpacity: 1 };
    },
    plan: function (s, route) {
      return { radius: 8, color: "#fff", weight: 2, fillColor: route.colour, fillOpacity: 1 };
    }
  };

  function pathOf(route) {
    return route.path || route.stops.map(function (s) { return [s.lat, s.lon]; });
  }

  function boundsOf(data) {
    var south = 90, north = -90, west = 180, east = -180, any = false;
    function add(lat, lon) {
      any = true;
      south = Math.min(south, lat); north = Math.max(north, lat);
      west = Math.min(west, lon); east = Math.max(east, lon);
    }
    data.routes.forEach(function (route) { pathOf(route).forEach(function (p) { add(p[0], p[1]); }); });
    (data.places || []).forEach(function (p) { add(p.lat, p.lon); });
    return any ? [[south, west], [north, east]] : null;
  }

  // Only the streets near the routes are drawn (1 km around): a few thousand lines.
  function near(bounds) {
    if (!bounds) return function () { return true; };
    var s = bounds[0][0] - 0.01, w = bounds[0][1] - 0.015, n = bounds[1][0] + 0.01, e = bounds[1][1] + 0.015;
    return function (feature) {
      return feature.geometry.coordinates.some(function (c) {
        return c[1] >= s && c[1] <= n && c[0] >= w && c[0] <= e;
      });
    };
  }

  function create(element, options) {
    var L = window.L;
    var map = L.map(element, { preferCanvas: true, zoomControl: true, attributionControl: true });
    map.createPane("streets").style.zIndex = "150";
    var renderer = L.canvas({ padding: 0.2 });
    var layers = {};      // route id -> {line, stops: featureGroup}
    var couriers = {};    // route id -> marker
    var labels = {};      // route id -> {label, colour}
    var onStop = function () {};
    var stopStyle = STOP_STYLES.progress;
    var resolveReady;
    var ready = new Promise(function (resolve) { resolveReady = resolve; });
    map.setView([51.5300, -0.1250], 12);
    if (options.tileUrl) {
      L.tileLayer(options.tileUrl, { maxZoom: 19, attribution: "© OpenStreetMap contributors" }).addTo(map);
    }

    function drawBasemap(bounds) {
      if (!options.basemap) return Promise.resolve();
      return fetch(options.basemap, { credentials: "same-origin" })
        .then(function (answer) { return answer.json(); })
        .then(function (streets) {
          L.geoJSON(streets, {
            style: { color: "#9aa1ab", weight: 1.2, opacity: 1 }, interactive: false,
            filter: near(bounds), renderer: L.canvas({ pane: "streets" })
          }).addTo(map);
          map.attributionControl.addAttribution(streets.attribution || "© OpenStreetMap contributors, ODbL");
          element.dataset.streets = "true";
        })
        .catch(function () { map.attributionControl.addAttribution("Street map not available"); });
    }

    function courierIcon() {
      return L.divIcon({ className: "courier-marker", html: "", iconSize: [18, 18], iconAnchor: [9, 9] });
    }

    function placeCourier(route) {
      if (!route.position) return;
      moveCourier(route.id, route.position.lat, route.position.lon);
    }

    function moveCourier(routeId, lat, lon) {
      var marker = couriers[routeId];
      if (marker) { marker.setLatLng([lat, lon]); return marker; }
      var info = labels[routeId] || { label: routeId, colour: "#1b1f24" };
      marker = L.marker([lat, lon], { icon: courierIcon(), keyboard: false, zIndexOffset: 1000 })
        .bindTooltip(info.label, { direction: "top", offset: [0, -8] }).addTo(map);
      var el = marker.getElement();
      if (el) { el.style.background = info.colour; el.dataset.route = routeId; }
      couriers[routeId] = marker;
      return marker;
    }

    function drawRoute(route) {
      labels[route.id] = { label: route.label, colour: route.colour };
      var old = layers[route.id];
      if (old) { old.line.remove(); old.stops.remove(); }
      var points = pathOf(route);
      var line = L.polyline(points, { color: route.colour, weight: 3, opacity: 0.85, renderer: renderer, interactive: false });
      var stops = L.featureGroup();
      route.stops.forEach(function (s) {
        var style = stopStyle(s, route);
        style.renderer = renderer;
        var marker = L.circleMarker([s.lat, s.lon], style)
          .on("click", function () { onStop(s.id, route.id); }).addTo(stops);
        if (s.tooltip) marker.bindTooltip(s.tooltip);
      });
      line.addTo(map); stops.addTo(map);
      layers[route.id] = { line: line, stops: stops, points: points };
    }

    function drawPlace(place) {
      var style = Object.assign({ renderer: renderer }, PLACE_STYLE[place.kind] || PLACE_STYLE.hub);
      L.circleMarker([place.lat, place.lon], style).bindTooltip(place.label).addTo(map);
    }

    function drawRoutes(data, handlers) {
      onStop = (handlers && handlers.onStop) || onStop;
      stopStyle = STOP_STYLES[(handlers && handlers.stopStyle) || "progress"];
      var bounds = boundsOf(data);
      if (bounds) map.fitBounds(bounds, { padding: [20, 20] });
      data.routes.forEach(drawRoute);
      (data.places || []).forEach(drawPlace);
      data.routes.forEach(placeCourier);
      drawBasemap(bounds).then(function () { resolveReady(); });
      return ready;
    }

    function updateRoute(route) {
      drawRoute(route);
      placeCourier(route);
    }

    function focusRoute(routeId) {
      var layer = layers[routeId];
      if (layer && layer.points.length) map.fitBounds(layer.points, { padding: [30, 30] });
    }

    return {
      map: map, ready: ready, drawRoutes: drawRoutes, drawBasemap: drawBasemap, updateRoute: updateRoute,
      moveCourier: moveCourier, focusRoute: focusRoute, couriers: couriers
    };
  }

  // A small map of two points (the order page's proof: where it was left vs the address).
  function twoPoints(element, options, a, b) {
    var m = create(element, options);
    var points = [a, b].filter(Boolean);
    var bounds = points.length ? [[Math.min.apply(null, points.map(function (p) { return p.lat; })), Math.min.apply(null, points.map(function (p) { return p.lon; }))],
      [Math.max.apply(null, points.map(function (p) { return p.lat; })), Math.max.apply(null, points.map(function (p) { return p.lon; }))]] : null;
    points.forEach(function (p) {
      window.L.circleMarker([p.lat, p.lon], { radius: 8, color: "#fff", weight: 2, fillColor: p.colour, fillOpacity: 1 })
        .bindTooltip(p.label, { permanent: true, direction: "right" }).addTo(m.map);
    });
    if (bounds) m.map.fitBounds(bounds, { padding: [40, 40], maxZoom: 17 });
    m.drawBasemap(bounds);
    return m;
  }

  window.DoorstepMap = { create: create, twoPoints: twoPoints };
})();
