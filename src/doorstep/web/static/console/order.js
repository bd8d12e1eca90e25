// The order page's proof map: where the last attempt was recorded against the address
// (two points, drawn by map.js over the offline street map).
(function () {
  "use strict";
  var element = document.getElementById("proof-map");
  var data = document.getElementById("proof-data");
  if (!element || !data || !window.L || !window.DoorstepMap) return;
  var points = JSON.parse(data.textContent);
  var address = points.address ? { lat: points.address.lat, lon: points.address.lon, colour: "#0b5cad", label: "Address" } : null;
  var attempt = points.attempt ? { lat: points.attempt.lat, lon: points.attempt.lon, colour: "#16642f", label: "Handed over" } : null;
  if (!address && !attempt) { element.hidden = true; return; }
  window.DoorstepMap.twoPoints(element, { basemap: element.dataset.basemap, tileUrl: element.dataset.tileUrl }, address, attempt);
  element.dataset.drawn = "true";
})();
