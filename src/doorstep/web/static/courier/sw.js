// The courier app's service worker, served from /courier/sw.js (its scope is /courier).
// It keeps the shell, scripts, styles, vendored libraries and the base map, so that the
// app opens with no network, and the last answer for today's route. Only this server's
// GET requests are answered here; actions, uploads and pings always go to the network
// (the app's own queue keeps them until they are sent).
const VERSION = "__VERSION__";
const SHELL = `courier-shell-${VERSION}`;
const DATA = "courier-data";
const PRECACHE = __PRECACHE__;

const precache = () => caches.open(SHELL).then((cache) => cache.addAll(PRECACHE));

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

// Logging out wipes every cache; signing in again asks for the shell to be kept again.
self.addEventListener("message", (event) => {
  if (event.data === "precache") event.waitUntil(precache());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("courier-shell-") && name !== SHELL) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

async function networkFirst(request) {
  try {
    const answer = await fetch(request);
    if (answer.ok) await (await caches.open(DATA)).put(request, answer.clone());
    return answer;
  } catch (error) {
    const kept = await caches.match(request);
    if (kept) return kept;
    throw error;
  }
}

async function cacheFirst(request) {
  const kept = await caches.match(request);
  if (kept) return kept;
  const answer = await fetch(request);
  // Only into a cache that exists: after a log-out nothing is kept until the next sign-in.
  if (answer.ok && (await caches.has(SHELL))) (await caches.open(SHELL)).put(request, answer.clone());
  return answer;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === "/courier") {
    // The app shell model: the kept shell opens at once, network or not. A new release
    // changes this script (its cache name is the shell's digest), which installs the
    // new shell beside the old and takes over; the next opening shows it.
    event.respondWith(cacheFirst(new Request("/courier")));
  } else if (url.pathname.startsWith("/v1/routes")) {
    event.respondWith(networkFirst(request));
  } else if (url.pathname.startsWith("/static/") || url.pathname.startsWith("/courier/")) {
    event.respondWith(cacheFirst(request));
  }
});
