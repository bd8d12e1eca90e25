// The route on a map that works with no internet: the streets come from this server's
// packaged road network (basemap.json, cached by the service worker); raster tiles are
// added over them only when the operator configured a tile server.
const BASEMAP = "/courier/basemap.json";
let map = null;
let stopsLayer = null;

function colour(state) {
  return { completed: "#0a7d32", failed: "#c40000", skipped: "#555555", arrived: "#0050b3" }[state] || "#000000";
}

// Only the streets around the route (1 km beyond its stops and hub) are drawn: a slow
// phone then draws a few thousand lines rather than the whole borough.
function around(route) {
  const lats = route.stops.map((s) => s.lat).concat(route.hub ? [route.hub.lat] : []);
  const lons = route.stops.map((s) => s.lon).concat(route.hub ? [route.hub.lon] : []);
  if (!lats.length) return () => true;
  const [south, north] = [Math.min(...lats) - 0.01, Math.max(...lats) + 0.01];
  const [west, east] = [Math.min(...lons) - 0.015, Math.max(...lons) + 0.015];
  return (feature) => feature.geometry.coordinates.some(
    ([lon, lat]) => lat >= south && lat <= north && lon >= west && lon <= east);
}

async function drawBasemap(L, route) {
  try {
    const answer = await fetch(BASEMAP);
    const streets = await answer.json();
    L.geoJSON(streets, {
      style: { color: "#8a8a8a", weight: 1.5, opacity: 1 }, interactive: false, filter: around(route),
      renderer: L.canvas({ pane: "streets" }),
    }).addTo(map);
    map.attributionControl.addAttribution(streets.attribution || "© OpenStreetMap contributors, ODbL");
  } catch {
    map.attributionControl.addAttribution("Street map not available offline yet");
  }
}

export function showRoute(route, onStop) {
  const L = window.L;
  if (!L) return;
  const el = document.getElementById("map");
  if (!map) {
    map = L.map(el, { preferCanvas: true, zoomControl: true, attributionControl: true });
    // The packaged streets always, under the tiles (when a tile server is configured),
    // so that the map still has streets when the tiles cannot be fetched.
    map.createPane("streets").style.zIndex = "150";
    drawBasemap(L, route);
    const tiles = document.body.dataset.tileUrl;
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: "© OpenStreetMap contributors" }).addTo(map);
    }
  }
  map.invalidateSize();
  if (stopsLayer) stopsLayer.remove();
  stopsLayer = L.featureGroup();
  const shown = route.stops.filter((stop) => stop.state !== "removed");
  const points = shown.map((stop) => [stop.lat, stop.lon]);
  // The path first, so that the numbered stops are drawn over it.
  if (points.length > 1) L.polyline(points, { color: "#0050b3", weight: 3, dashArray: "6 6" }).addTo(stopsLayer);
  if (route.hub) {
    L.circleMarker([route.hub.lat, route.hub.lon], { radius: 9, color: "#000", fillColor: "#ffd400", fillOpacity: 1, weight: 3 })
      .bindTooltip(`Hub: ${route.hub.name}`).addTo(stopsLayer);
  }
  for (const stop of shown) {
    L.circleMarker([stop.lat, stop.lon], { radius: 14, color: "#fff", weight: 3, fillColor: colour(stop.state), fillOpacity: 1 })
      .bindTooltip(String(stop.sequence), { permanent: true, direction: "center", className: "stop-number" })
      .on("click", () => onStop(stop.id))
      .addTo(stopsLayer);
  }
  stopsLayer.addTo(map);
  const framed = route.hub ? [...points, [route.hub.lat, route.hub.lon]] : points;
  if (framed.length) map.fitBounds(L.latLngBounds(framed).pad(0.15));
}
