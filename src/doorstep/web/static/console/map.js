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
//   m.ready                              // a Promise resolved once routes and base map are painted
//
// Speed (benchmarks/console.py: 60 routes, 2,000 stops): the routes are drawn first, on one
// shared canvas, one group per route with one click handler; the base map comes packed
// (/console/basemap.json, web/console/basemap.py), is fetched as soon as a map is created,
// parsed once per page into typed arrays and stroked by a canvas renderer of its own.
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

  // The base map is one file of some 14,000 street lines (/console/basemap.json, cached by
  // the browser for a day), packed as flat integers (geo/basemap.packed: per line its number
  // of points; the points as latitude, longitude in 1e-5 degree, after a line's first as
  // differences). It is fetched and unpacked into typed arrays once per page, however many
  // maps or redraws ask for it: no object per point, so little for the collector to do.
  var streetsByUrl = {};

  function loadStreets(url) {
    if (!streetsByUrl[url]) {
      streetsByUrl[url] = fetch(url, { credentials: "same-origin" })
        .then(function (answer) {
          if (!answer.ok) throw new Error("base map " + answer.status);
          return answer.json();
        })
        .then(function (packed) {
          var counts = packed.counts, coords = packed.coords, scale = packed.scale;
          var total = coords.length / 2, lines = counts.length;
          var lats = new Float64Array(total), lons = new Float64Array(total);
          var starts = new Int32Array(lines + 1), boxes = new Float64Array(4 * lines);
          var at = 0;
          for (var l = 0; l < lines; l++) {
            var y = 0, x = 0, s = 90, n = -90, w = 180, e = -180;
            starts[l] = at;
            for (var i = 0; i < counts[l]; i++, at++) {
              y += coords[2 * at]; x += coords[2 * at + 1];
              var lat = y / scale, lon = x / scale;
              lats[at] = lat; lons[at] = lon;
              if (lat < s) s = lat; if (lat > n) n = lat; if (lon < w) w = lon; if (lon > e) e = lon;
            }
            boxes[4 * l] = s; boxes[4 * l + 1] = w; boxes[4 * l + 2] = n; boxes[4 * l + 3] = e;
          }
          starts[lines] = at;
          return { lats: lats, lons: lons, starts: starts, boxes: boxes, attribution: packed.attribution };
        });
    }
    return streetsByUrl[url];
  }

  // Only the streets near the routes are drawn (1 km around): the indexes of those lines.
  function linesNear(streets, bounds) {
    var lines = streets.starts.length - 1, chosen = [];
    var s = -90, w = -180, n = 90, e = 180;
    if (bounds) { s = bounds[0][0] - 0.01; w = bounds[0][1] - 0.015; n = bounds[1][0] + 0.01; e = bounds[1][1] + 0.015; }
    for (var l = 0, b = streets.boxes; l < lines; l++) {
      if (b[4 * l] <= n && b[4 * l + 2] >= s && b[4 * l + 1] <= e && b[4 * l + 3] >= w) chosen.push(l);
    }
    return chosen;
  }

  // The streets' own canvas (in the "streets" pane, under the routes): Leaflet's canvas
  // renderer with its drawing step taught to stroke the chosen lines straight from the typed
  // arrays, all in one path, one pixel wide (the rasteriser's fast hairline; wider round-
  // joined lines cost more to paint than all the rest of the page). It keeps the renderer's panning, zooming and retina handling,
  // without one Leaflet layer (and its LatLng and Point objects) per street.
  function streetsRenderer(L, streets, chosen, style) {
    var Streets = L.Canvas.extend({
      _draw: function () {
        var map = this._map, ctx = this._ctx;
        if (!map) return;
        var size = 256 * Math.pow(2, map.getZoom()), origin = map.getPixelOrigin();
        var lats = streets.lats, lons = streets.lons, starts = streets.starts, rad = Math.PI / 180;
        ctx.save();
        ctx.beginPath();
        for (var k = 0; k < chosen.length; k++) {
          var line = chosen[k];
          for (var i = starts[line]; i < starts[line + 1]; i++) {
            var sin = Math.sin(lats[i] * rad);
            var x = size * (lons[i] / 360 + 0.5) - origin.x;
            var y = size * (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) - origin.y;
            if (i === starts[line]) ctx.moveTo(x, y); else ctx.lineTo(x, y);
          }
        }
        ctx.strokeStyle = style.color; ctx.lineWidth = style.weight;
        ctx.lineCap = "butt"; ctx.lineJoin = "miter";
        ctx.stroke();
        ctx.restore();
        L.Canvas.prototype._draw.call(this);
      }
    });
    return new Streets({ pane: "streets", padding: 0.2 });
  }

  // Resolves on the next animation frame: Leaflet's canvas renderers draw in one, so by then
  // what was added is painted.
  function painted() {
    return new Promise(function (resolve) { requestAnimationFrame(function () { resolve(); }); });
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
    if (options.basemap) loadStreets(options.basemap);  // fetched while the routes are drawn
    if (options.tileUrl) {
      L.tileLayer(options.tileUrl, { maxZoom: 19, attribution: "© OpenStreetMap contributors" }).addTo(map);
    }

    function drawBasemap(bounds) {
      if (!options.basemap) return Promise.resolve();
      return loadStreets(options.basemap)
        .then(function (streets) {
          var chosen = linesNear(streets, bounds);
          if (chosen.length) streetsRenderer(L, streets, chosen, { color: "#9aa1ab", weight: 1 }).addTo(map);
          map.attributionControl.addAttribution(streets.attribution || "© OpenStreetMap contributors, ODbL");
          element.dataset.streets = "true";
        })
        .catch(function () { map.attributionControl.addAttribution("Street map not available"); })
        .then(painted);
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
      // One group per route, with one click handler and (when stops have any) one tooltip
      // whose text is made only when a stop is hovered.
      var markers = route.stops.map(function (s) {
        var style = stopStyle(s, route);
        style.renderer = renderer;
        style.stopId = s.id;
        style.tooltip = s.tooltip;
        return L.circleMarker([s.lat, s.lon], style);
      });
      var stops = L.featureGroup(markers).on("click", function (event) {
        onStop(event.layer.options.stopId, route.id);
      });
      if (route.stops.some(function (s) { return s.tooltip; })) {
        stops.bindTooltip(function (marker) { return marker.options.tooltip || ""; });
      }
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
      drawBasemap(bounds).then(function () { resolveReady(); });  // the streets after the routes
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
