// Every courier action goes through this queue, online or not. Each is kept in IndexedDB
// with its client event id and the phone's time, and sent in order when there is a
// network; the server stores each (courier, client event id) once, so sending again
// after a lost answer is safe. Photos and signatures wait here as files named by their
// SHA-256 and are uploaded before the actions that name them.
import { del, get, set, update } from "/static/vendor/idb-keyval-6.3.0/index.js";
import { ApiError, request } from "./api.js";

const BATCH = 50;
const ALLOWED = new Set(["image/jpeg", "image/png", "image/webp"]);
const listeners = new Set();
const sentHooks = new Set();
let sending = null;

export function eventId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function onChange(listener) {
  listeners.add(listener);
}

// Called with the actions the server took, before they leave the queue, so the route
// on screen never shows a stop as not done in between.
export function onSent(hook) {
  sentHooks.add(hook);
}

async function changed() {
  const state = await status();
  for (const listener of listeners) listener(state);
}

export async function pending() {
  return (await get("queue")) || [];
}

export async function status() {
  return {
    waiting: (await pending()).length,
    refused: (await get("refused")) || [],
    lastSent: (await get("last-sent")) || null,
    sending: sending !== null,
  };
}

// Queue one action; `blobs` lists the SHA-256 of files it needs on the server first.
export async function enqueue(type, { routeId, stopId = null, position = null, data = {}, blobs = [] }) {
  const action = {
    client_event_id: eventId(),
    device_time: new Date().toISOString(),
    type,
    route_id: routeId,
    stop_id: stopId,
    position,
    data,
    blobs,
  };
  await update("queue", (queue) => [...(queue || []), action]);
  await changed();
  if (navigator.onLine) flush();
  return action;
}

async function sha256(blob) {
  if (!crypto.subtle) throw new Error("This page needs https to keep photos safely.");
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// A photo the server would refuse (a type it does not take, or too big) is redrawn as a
// JPEG with its long side at most 2,000 px, here on the phone, before it is queued.
async function acceptable(file) {
  if (ALLOWED.has(file.type) && file.size <= 12 * 1024 * 1024) return file;
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 2000 / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
}

// Keep a file until it is uploaded; answers its SHA-256 (the name actions use).
export async function keepBlob(file) {
  const blob = await acceptable(file);
  const sha = await sha256(blob);
  await set(`blob:${sha}`, { blob, type: blob.type, uploaded: false });
  return sha;
}

// Upload the files these actions name. A file the server refuses for good (too big, not
// an image) is marked so: the actions naming it are dropped as refused, not retried forever.
async function uploadBlobs(actions) {
  for (const sha of new Set(actions.flatMap((a) => a.blobs || []))) {
    const kept = await get(`blob:${sha}`);
    if (!kept || kept.uploaded || kept.refused) continue;
    try {
      await request("PUT", `/v1/blobs/${sha}`, { blob: kept.blob, type: kept.type });
      await set(`blob:${sha}`, { ...kept, uploaded: true });
    } catch (error) {
      if (!(error instanceof ApiError) || error.retryable || error.status === 401) throw error;
      await set(`blob:${sha}`, { ...kept, refused: `Photo not accepted: ${error.message}` });
    }
  }
}

async function blobRefusal(action) {
  for (const sha of action.blobs || []) {
    const kept = await get(`blob:${sha}`);
    if (kept && kept.refused) return kept.refused;
  }
  return null;
}

// The server asked to wait for a file: upload it again next time (it answers 200 if it
// had it after all).
async function uploadAgain(actions) {
  for (const sha of new Set(actions.flatMap((a) => a.blobs || []))) {
    const kept = await get(`blob:${sha}`);
    if (kept && kept.uploaded) await set(`blob:${sha}`, { ...kept, uploaded: false });
  }
}

async function forgetBlobs(done, remaining) {
  const stillNeeded = new Set(remaining.flatMap((a) => a.blobs || []));
  for (const sha of new Set(done.flatMap((a) => a.blobs || []))) {
    if (!stillNeeded.has(sha)) await del(`blob:${sha}`);
  }
}

async function sendBatch() {
  const batch = (await pending()).slice(0, BATCH);
  if (!batch.length) return false;
  await uploadBlobs(batch);
  const results = new Map();
  const sendable = [];
  for (const action of batch) {
    const refusal = await blobRefusal(action);
    if (refusal) results.set(action.client_event_id, { status: "refused", message: refusal });
    else sendable.push(action);
  }
  if (sendable.length) {
    const body = { actions: sendable.map(strip) };
    const answer = await request("POST", "/v1/courier/actions", { body });
    for (const r of answer.results) results.set(r.client_event_id, r);
  }
  await uploadAgain(batch.filter((a) => results.get(a.client_event_id)?.status === "retry"));
  const done = batch.filter((a) => results.has(a.client_event_id) && results.get(a.client_event_id).status !== "retry");
  const refused = done
    .filter((a) => results.get(a.client_event_id).status === "refused")
    .map((a) => ({ ...strip(a), message: results.get(a.client_event_id).message || "Refused" }));
  const accepted = done.filter((a) => results.get(a.client_event_id).status !== "refused");
  for (const hook of sentHooks) await hook(accepted.map(strip), results);
  const doneIds = new Set(done.map((a) => a.client_event_id));
  const remaining = await update("queue", (queue) => (queue || []).filter((a) => !doneIds.has(a.client_event_id)))
    .then(() => pending());
  if (refused.length) await update("refused", (list) => [...(list || []), ...refused].slice(-50));
  await forgetBlobs(done, remaining);
  await set("last-sent", new Date().toISOString());
  for (const r of refused) window.dispatchEvent(new CustomEvent("courier:refused", { detail: r }));
  // Everything kept was asked to wait (a file not there yet): stop until the next try.
  return done.length === batch.length && remaining.length > 0;
}

function strip({ blobs, ...action }) {
  return action;
}

// Send everything waiting, in order; one run at a time. Resolves when done or stopped.
export function flush() {
  if (sending) return sending;
  sending = (async () => {
    await changed();
    try {
      while (navigator.onLine && (await sendBatch())) { /* next batch */ }
    } catch (error) {
      if (!(error instanceof ApiError) || !error.retryable) {
        window.dispatchEvent(new CustomEvent("courier:sync-error", { detail: error }));
      }
    } finally {
      sending = null;
      await changed();
    }
  })();
  return sending;
}

export async function dismissRefused() {
  await set("refused", []);
  await changed();
}
