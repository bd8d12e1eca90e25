// Where the phone is. While a route is started the app shares its position: a point is
// kept every 15 s or 50 m, and the kept points are sent together every 15 s. Off duty
// (no started route) nothing is watched and nothing is sent.
import { request } from "./api.js";

const EVERY_MS = 15000;
const EVERY_M = 50;
const MAX_KEPT = 500;
let last = null;
let watch = null;
let timer = 0;
let kept = [];
let lastKept = null;

export function distanceM(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const x = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371000 * Math.asin(Math.sqrt(x));
}

function point(position) {
  const { coords } = position;
  const found = {
    lat: coords.latitude,
    lon: coords.longitude,
    accuracy_m: Math.round(coords.accuracy || 0),
    at: new Date(position.timestamp || Date.now()).toISOString(),
  };
  // Speed and heading only when the phone knows them (a phone standing still has none).
  if (Number.isFinite(coords.speed) && coords.speed >= 0) found.speed_mps = coords.speed;
  if (Number.isFinite(coords.heading) && coords.heading >= 0 && coords.heading <= 360) {
    found.heading_deg = coords.heading;
  }
  return found;
}

export function lastKnown() {
  return last;
}

// The position now: while the route is shared the watch keeps it fresh (and a phone
// standing still gives no new fix), else a new fix within 8 s, else the last known one.
export function here() {
  if (!navigator.geolocation || (watch !== null && last)) return Promise.resolve(last);
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (found) => { last = point(found); resolve(last); },
      () => resolve(last),
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 5000 },
    );
  });
}

export function asAction(p) {
  return p ? { lat: p.lat, lon: p.lon, accuracy_m: p.accuracy_m } : null;
}

function seen(found) {
  last = point(found);
  const due = !lastKept || Date.parse(last.at) - Date.parse(lastKept.at) >= EVERY_MS
    || distanceM(lastKept, last) >= EVERY_M;
  if (due) {
    const first = lastKept === null;
    kept.push(last);
    kept = kept.slice(-MAX_KEPT);
    lastKept = last;
    if (first) send();  // the office sees the courier set off at once
  }
}

async function send() {
  if (!kept.length || !navigator.onLine) return;
  const batch = kept.slice(0, 100);
  try {
    await request("POST", "/v1/courier/pings", { body: { pings: batch } });
    kept = kept.slice(batch.length);
  } catch (error) {
    // 409 (no started route on the server yet: the start may still be on its way), a
    // network error or a busy server keep the points for the next try (at most
    // MAX_KEPT); any other refusal drops them.
    if (error.status && error.status !== 409 && !error.retryable) kept = kept.slice(batch.length);
  }
}

export function sharing() {
  return watch !== null;
}

export function start() {
  if (watch !== null || !navigator.geolocation) return;
  watch = navigator.geolocation.watchPosition(seen, () => {}, {
    enableHighAccuracy: true,
    maximumAge: 5000,
  });
  timer = setInterval(send, EVERY_MS);
  document.getElementById("location").hidden = false;
}

export function stop() {
  if (watch !== null) navigator.geolocation.clearWatch(watch);
  clearInterval(timer);
  watch = null;
  kept = [];
  lastKept = null;
  document.getElementById("location").hidden = true;
}
