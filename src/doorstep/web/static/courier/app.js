// The courier app: start-up, the screen for the address after "#", and the one place
// where an action is recorded (queued, applied to the route on screen, sent when online).
import { clear, del } from "/static/vendor/idb-keyval-6.3.0/index.js";
import { ApiError, login, session } from "./api.js";
import * as geo from "./location.js";
import { showRoute } from "./map.js";
import { enqueue, flush, onChange, onSent, pending } from "./queue.js";
import { absorb, current, refresh, setScanned } from "./route.js";
import { forgetCode, renderDeliver, renderFail, renderStop, renderSync, renderToday } from "./screens.js";
import { $, notify, show } from "./ui.js";

const ctx = { route: undefined, go, act, refreshView: render };
let tab = "list";

function go(hash) {
  if (currentHash() === hash) render();
  else window.location.hash = hash;
}

// Back goes up one level (a form to its stop, anything else to Today), never out of the app.
function parentOf(hash) {
  const [screen, id] = hash.split("/");
  return (screen === "deliver" || screen === "fail") && id ? `stop/${id}` : "today";
}

function currentHash() {
  return window.location.hash.replace(/^#/, "");
}

let loading = null;

// Fetch the route (when online) and show what the phone knows; one fetch at a time.
function load() {
  loading = loading || fetchRoute().finally(() => { loading = null; });
  return loading;
}

async function fetchRoute() {
  if (navigator.onLine) {
    try {
      await refresh();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return signOutQuietly();
      if (error instanceof ApiError && error.status === 403) notify("This account is not a courier's.", "error");
      else if (!(error instanceof ApiError && error.retryable)) notify(error.message, "error");
    }
  }
  ctx.route = await current();
  sharePosition();
}

function sharePosition() {
  if (ctx.route && ctx.route.state === "started") geo.start();
  else geo.stop();
}

async function render() {
  const [screen, id] = currentHash().split("/");
  if (!(await session())) return show("login", "Sign in");
  $("#sync").hidden = false;
  const stop = ctx.route?.stops.find((s) => s.id === id);
  if (screen === "stop" && stop) {
    show("stop", `Stop ${stop.sequence}`);
    await renderStop(ctx, stop);
  } else if (screen === "deliver" && stop) {
    show("deliver", `Deliver · stop ${stop.sequence}`);
    await renderDeliver(ctx, stop);
  } else if (screen === "fail" && stop) {
    show("fail", `Stop ${stop.sequence}: not delivered`);
    renderFail(ctx, stop);
  } else if (screen === "sync") {
    show("sync", "Sync");
    await renderSync(ctx);
  } else {
    show("today", "Today");
    renderToday(ctx);
    showTab(tab);
  }
}

// Redraw for news from the network only on screens with nothing typed or drawn, so a
// signature half drawn when the network comes back is not wiped.
async function renderIfIdle() {
  if (["today", "sync", "login"].includes(document.body.dataset.screen)) await render();
}

function showTab(name) {
  tab = name;
  for (const button of document.querySelectorAll("[data-tab]")) {
    button.setAttribute("aria-selected", String(button.dataset.tab === name));
  }
  $("#stop-list").hidden = name !== "list";
  $("#map").hidden = name !== "map";
  if (name === "map" && ctx.route) showRoute(ctx.route, (stopId) => go(`stop/${stopId}`));
}

// Record one action: queued first (so nothing is lost), then the screen moves on.
async function act(type, { stop = null, data = {}, blobs = [] } = {}) {
  const route = ctx.route;
  const needsPlace = type === "arrive" || type === "complete" || type === "fail";
  const position = needsPlace ? geo.asAction(await geo.here()) : geo.asAction(geo.lastKnown());
  await enqueue(type, { routeId: route.id, stopId: stop && stop.id, position, data, blobs });
  if (stop && type !== "arrive") {
    forgetCode(stop.id);
    await setScanned(stop.id, []);
  }
  ctx.route = await current();
  sharePosition();
  const messages = {
    start_route: "Route started. Location shared while you work.",
    arrive: "Arrival recorded.",
    complete: "Delivered.",
    fail: "Failed attempt recorded.",
    skip: "Stop skipped.",
    finish_route: "Route finished.",
  };
  notify(messages[type] + (navigator.onLine ? "" : " Saved on this phone; sent when online."));
  if (type === "arrive") return render();
  go("today");
}

async function updateSyncBadge(state) {
  const badge = $("#sync");
  badge.textContent = state.waiting ? `${state.waiting} waiting` : "All sent";
  badge.dataset.waiting = String(state.waiting);
  if (document.body.dataset.screen === "sync") await renderSync(ctx);
}

// The token ended (expired or revoked): ask for a new sign-in, keeping what is queued so
// that it is sent once the courier is back in.
async function signOutQuietly() {
  await del("session");
  geo.stop();
  ctx.route = undefined;
  show("login", "Sign in");
  notify("Your session has ended. Please sign in again.", "error");
}

async function logout() {
  const waiting = (await pending()).length;
  if (waiting && !confirm(`${waiting} actions are not sent yet and will be lost. Log out anyway?`)) return;
  geo.stop();
  if (loading) await loading.catch(() => {});  // its answer must not land after the wipe
  await clear();
  for (const name of await caches.keys()) await caches.delete(name);
  ctx.route = undefined;
  window.location.hash = "";
  show("login", "Sign in");
}

function wire() {
  $("#login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    $("#login-error").textContent = "";
    try {
      await login(String(form.get("email")), String(form.get("password")));
      event.target.reset();
      keepShell();
      flush();  // anything queued before the session ended
      await load();
      go("today");
    } catch (error) {
      $("#login-error").textContent = error.status === 401 ? "Wrong e-mail or password." : error.message;
    }
  });
  $("#logout").addEventListener("click", logout);
  $("#back").addEventListener("click", () => go(parentOf(currentHash())));
  $("#sync").addEventListener("click", () => go("sync"));
  for (const button of document.querySelectorAll("[data-tab]")) {
    button.addEventListener("click", () => showTab(button.dataset.tab));
  }
  window.addEventListener("hashchange", render);
  window.addEventListener("online", async () => {
    await flush();
    await load();
    await renderIfIdle();
  });
  window.addEventListener("courier:refused", async (event) => {
    notify(`Not accepted: ${event.detail.message}`, "error");
    await load();  // the office changed the route: show it as the server has it
    await renderIfIdle();
  });
  window.addEventListener("courier:sync-error", async (event) => {
    const error = event.detail;
    if (error.status === 401) {
      await signOutQuietly();
      notify("Sign in again to send what is waiting.", "error");
    } else {
      notify(`Not sent: ${error.message}`, "error");
    }
  });
  onChange(updateSyncBadge);
  onSent(absorb);
  setInterval(() => { if (navigator.onLine) flush(); }, 30000);
}

// After a log-out wiped the caches, have the worker keep the shell again for offline use.
function keepShell() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.ready.then((registration) => registration.active?.postMessage("precache"));
}

async function start() {
  wire();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/courier/sw.js", { scope: "/courier" }).catch(() => {});
  }
  if (await session()) {
    // Open with the route the phone kept, at once; the server's copy follows when it comes.
    ctx.route = await current();
    if (ctx.route === undefined) await load();  // nothing kept yet: wait for the server
    else load().then(renderIfIdle).catch(() => {});
    sharePosition();
    flush();
  }
  await render();
  document.body.dataset.ready = "true";
  // For benchmarks.courier_app_open: the first screen is drawn (the next frame).
  requestAnimationFrame(() => performance.mark("courier-ready"));
}

start();
