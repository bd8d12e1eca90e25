// The Plan page's map: the plan's GeoJSON (/console/plan/{id}/map.json) turned into the
// structure static/console/map.js draws, so the base map, route lines and markers are the
// Today page's own: each planned route in its colour (the table's swatches, plan.css) from
// the hub through its numbered stops and back, the hub, and the stops left unplanned.
// Marks the map element data-routes="N" and data-ready="true" once drawn (map.js sets
// data-streets="true" once the offline streets are).
(function () {
  "use strict";
  var COLOURS = ["#0b5cad", "#a4161a", "#16642f", "#8a4b00", "#6a1b9a", "#00695c", "#ad1457", "#37474f"];

  function latLon(feature) {
    return [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
  }

  // GeoJSON features (planning/export.geojson) -> {routes, places} for DoorstepMap.
  function mapData(collection) {
    var routes = [], byVehicle = {}, places = [];
    collection.features.forEach(function (f) {
      var p = f.properties;
      if (p.kind !== "route") return;
      var route = {
        id: p.vehicle_id, label: p.vehicle_id, colour: COLOURS[routes.length % COLOURS.length],
        position: null, stops: [],
        path: f.geometry.coordinates.map(function (c) { return [c[1], c[0]]; })
      };
      routes.push(route);
      byVehicle[p.vehicle_id] = route;
    });
    collection.features.forEach(function (f) {
      var p = f.properties, at = latLon(f);
      if (p.kind === "stop" && byVehicle[p.vehicle_id]) {
        byVehicle[p.vehicle_id].stops.push({
          id: p.stop_id, lat: at[0], lon: at[1], seq: p.sequence, state: "planned", late: false,
          tooltip: p.vehicle_id + " · stop " + p.sequence + " · " + (p.postcode || "")
        });
      } else if (p.kind === "hub") {
        places.push({ lat: at[0], lon: at[1], kind: "hub", label: "Hub" });
      } else if (p.kind === "unassigned") {
        places.push({ lat: at[0], lon: at[1], kind: "unassigned", label: "Not planned: " + p.reason.replace(/_/g, " ") });
      }
    });
    routes.forEach(function (r) { r.stops.sort(function (a, b) { return a.seq - b.seq; }); });
    return { routes: routes, places: places };
  }

  function start() {
    var el = document.getElementById("plan-map");
    if (!el || !window.L || !window.DoorstepMap) return;
    fetch(el.dataset.geojson, { credentials: "same-origin" })
      .then(function (answer) { return answer.json(); })
      .then(function (collection) {
        var data = mapData(collection);
        var m = window.DoorstepMap.create(el, { basemap: el.dataset.basemap, tileUrl: el.dataset.tileUrl });
        m.drawRoutes(data, { stopStyle: "plan" });
        el.dataset.routes = String(data.routes.length);
        el.dataset.ready = "true";
      })
      .catch(function () { el.textContent = "The map could not be loaded."; });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
