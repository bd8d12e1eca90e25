// The Plan page's map: the packaged streets as the base layer (as the courier app draws
// them, so the map works offline), raster tiles over them when configured, then each
// planned route in its own colour with numbered stops, the hub, and unplanned stops.
(function () {
  "use strict";
  var COLOURS = ["#0b5cad", "#a4161a", "#16642f", "#8a4b00", "#6a1b9a", "#00695c", "#ad1457", "#37474f"];

  function bounds(features) {
    var points = [];
    features.forEach(function (f) {
      if (f.geometry.type === "Point") points.push([f.geometry.coordinates[1], f.geometry.coordinates[0]]);
    });
    return points;
  }

  function near(box) {
    return function (feature) {
      return feature.geometry.coordinates.some(function (c) {
        return c[1] >= box.getSouth() && c[1] <= box.getNorth() && c[0] >= box.getWest() && c[0] <= box.getEast();
      });
    };
  }

  function drawStreets(L, map, url, box) {
    if (!url) return;
    fetch(url).then(function (answer) { return answer.json(); }).then(function (streets) {
      L.geoJSON(streets, {
        style: { color: "#8a8a8a", weight: 1.2, opacity: 1 }, interactive: false,
        filter: near(box), renderer: L.canvas({ pane: "streets" }),
      }).addTo(map);
      map.attributionControl.addAttribution(streets.attribution || "© OpenStreetMap contributors, ODbL");
      map.getContainer().dataset.streets = "true";
    }).catch(function () {
      map.attributionControl.addAttribution("Street map not available");
    });
  }

  function draw(L, map, collection) {
    var vehicles = [];
    collection.features.forEach(function (f) {
      var p = f.properties;
      if (p.kind === "route") vehicles.push(p.vehicle_id);
    });
    var colourOf = function (vehicle) { return COLOURS[vehicles.indexOf(vehicle) % COLOURS.length]; };
    L.geoJSON(collection, {
      style: function (f) { return { color: colourOf(f.properties.vehicle_id), weight: 3, opacity: 0.85 }; },
      filter: function (f) { return f.properties.kind === "route"; },
    }).addTo(map);
    collection.features.forEach(function (f) {
      var p = f.properties;
      var at = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      if (p.kind === "stop") {
        L.circleMarker(at, { radius: 8, color: "#fff", weight: 2, fillColor: colourOf(p.vehicle_id), fillOpacity: 1 })
          .bindTooltip(p.vehicle_id + " · stop " + p.sequence + " · " + (p.postcode || ""))
          .addTo(map);
      } else if (p.kind === "hub") {
        L.circleMarker(at, { radius: 10, color: "#000", weight: 3, fillColor: "#ffd400", fillOpacity: 1 })
          .bindTooltip("Hub").addTo(map);
      } else if (p.kind === "unassigned") {
        L.circleMarker(at, { radius: 7, color: "#a4161a", weight: 3, fillColor: "#fff", fillOpacity: 1 })
          .bindTooltip("Not planned: " + p.reason.replace(/_/g, " ")).addTo(map);
      }
    });
  }

  function start() {
    var el = document.getElementById("plan-map");
    var L = window.L;
    if (!el || !L) return;
    fetch(el.dataset.geojson, { credentials: "same-origin" })
      .then(function (answer) { return answer.json(); })
      .then(function (collection) {
        var map = L.map(el, { preferCanvas: true });
        map.createPane("streets").style.zIndex = "150";
        if (el.dataset.tileUrl) {
          L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: "© OpenStreetMap contributors" }).addTo(map);
        }
        var points = bounds(collection.features);
        var box = points.length ? L.latLngBounds(points).pad(0.2) : L.latLngBounds([[51.45, -0.25], [51.6, 0.0]]);
        map.fitBounds(box);
        drawStreets(L, map, el.dataset.basemap, box);
        draw(L, map, collection);
        el.dataset.routes = String(collection.features.filter(function (f) { return f.properties.kind === "route"; }).length);
        el.dataset.ready = "true";
      })
      .catch(function () { el.textContent = "The map could not be loaded."; });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
