// Live tracking: the page is complete without this script. It listens to the server's
// events for this parcel and swaps in the parts that changed, and draws the courier's
// street on a map (the packaged streets, tiles only when the operator set a tile server).
// The position comes only with the events (never in the page, which the server may keep).
(function () {
  "use strict";
  const body = document.body;
  let map = null;
  let marker = null;

  function drawMap(position) {
    const box = document.querySelector(".map-box");
    const L = window.L;
    if (!box) return;
    if (!position) { box.classList.add("hidden"); return; }
    box.classList.remove("hidden");
    if (!L) return;
    const here = [position.lat, position.lon];
    if (!map) {
      map = L.map("map", { zoomControl: true, attributionControl: true }).setView(here, 16);
      map.createPane("streets").style.zIndex = "150";
      if (body.dataset.tileUrl) {
        L.tileLayer(body.dataset.tileUrl, { maxZoom: 19, attribution: "© OpenStreetMap contributors" }).addTo(map);
      }
      fetch(body.dataset.basemap).then((answer) => answer.json()).then((streets) => {
        const [lat, lon] = here;
        L.geoJSON(streets, {
          style: { color: "#8a8a8a", weight: 1.5, opacity: 1 }, interactive: false,
          renderer: L.canvas({ pane: "streets" }),
          filter: (f) => f.geometry.coordinates.some(([x, y]) => Math.abs(y - lat) < 0.01 && Math.abs(x - lon) < 0.015),
        }).addTo(map);
        map.attributionControl.addAttribution(streets.attribution || "© OpenStreetMap contributors, ODbL");
        body.dataset.streets = "drawn";
      }).catch(() => {});
      marker = L.circleMarker(here, { radius: 10, color: "#fff", weight: 3, fillColor: "#d00000", fillOpacity: 1 })
        .bindTooltip("Your courier").addTo(map);
    } else {
      marker.setLatLng(here);
      map.panTo(here);
    }
  }

  function apply(parts) {
    for (const [name, html] of Object.entries(parts)) {
      if (name === "position") { drawMap(html); continue; }
      const target = document.querySelector(`[data-live="${name}"]`);
      if (target && typeof html === "string") target.innerHTML = html;
    }
  }

  function start() {
    if (!window.EventSource || !body.dataset.events) return;
    const note = document.querySelector("[data-live-note]");
    const source = new EventSource(body.dataset.events);
    source.addEventListener("ready", () => {
      body.dataset.live = "on";
      if (note) note.textContent = "This page updates by itself.";
    });
    source.addEventListener("update", (event) => {
      const parts = JSON.parse(event.data);
      apply(parts);
      body.dataset.updates = String(Number(body.dataset.updates || "0") + 1);
      if (parts.live === false) source.close();
    });
    source.addEventListener("gone", () => { source.close(); window.location.reload(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
