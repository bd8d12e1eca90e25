// Today's route as this phone knows it: the server's copy (kept in IndexedDB, so the
// app opens with no network) with the actions still waiting in the queue applied on top.
import { get, set } from "/static/vendor/idb-keyval-6.3.0/index.js";
import { request } from "./api.js";
import { pending } from "./queue.js";
import { today } from "./ui.js";

const STOP_STATE = { arrive: "arrived", complete: "completed", fail: "failed", skip: "skipped" };
export const DONE = new Set(["completed", "failed", "skipped", "removed"]);

function items(answer) {
  if (Array.isArray(answer)) return answer;
  return answer.items || answer.routes || [];
}

// Fetch today's route from the server; keeps the last copy when there is no network.
export async function refresh() {
  const date = today();
  const routes = items(await request("GET", `/v1/routes?date=${date}`));
  const open = routes.find((r) => r.state !== "finished") || routes[0];
  if (!open) {
    await set("route", { date, none: true });
    return;
  }
  const route = await request("GET", `/v1/routes/${open.id}`);
  await set("route", { date, route });
}

function apply(route, action) {
  if (action.type === "start_route") {
    route.state = "started";
    route.started_at = route.started_at || action.device_time;
  } else if (action.type === "finish_route") {
    route.state = "finished";
    route.finished_at = action.device_time;
  } else {
    const stop = route.stops.find((s) => s.id === action.stop_id);
    if (stop && STOP_STATE[action.type]) stop.state = STOP_STATE[action.type];
  }
}

// Actions the server accepted become part of the kept copy of the route.
export async function absorb(actions) {
  const kept = await get("route");
  if (!kept || !kept.route) return;
  for (const action of actions) {
    if (action.route_id === kept.route.id) apply(kept.route, action);
  }
  await set("route", kept);
}

// The route with waiting actions applied, or null (none today), or undefined (never loaded).
export async function current() {
  const kept = await get("route");
  if (!kept || kept.date !== today()) return undefined;
  if (kept.none) return null;
  const route = structuredClone(kept.route);
  for (const action of await pending()) {
    if (action.route_id === route.id) apply(route, action);
  }
  return route;
}

export function progress(route) {
  const stops = route.stops.filter((s) => s.state !== "removed");
  return { total: stops.length, done: stops.filter((s) => DONE.has(s.state)).length };
}

export function nextStop(route) {
  return route.stops.find((s) => !DONE.has(s.state));
}

// Barcodes scanned at each stop: kept on the phone until the stop is done.
export async function scanned(stopId) {
  return ((await get("scanned")) || {})[stopId] || [];
}

export async function setScanned(stopId, barcodes) {
  const all = (await get("scanned")) || {};
  all[stopId] = barcodes;
  await set("scanned", all);
}
