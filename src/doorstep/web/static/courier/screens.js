// What each screen shows. Screens read the route and call back into app.js (`ctx`) to
// act: every action goes through the queue, so each screen works the same offline.
import { request } from "./api.js";
import { canScan, photoField, scanWithCamera, signatureField } from "./proof.js";
import { DONE, progress, scanned, setScanned } from "./route.js";
import { dismissRefused, flush, pending, status as queueStatus } from "./queue.js";
import { here, asAction } from "./location.js";
import { $, field, h, label, notify, time, windowText } from "./ui.js";

export const FAILURE_REASONS = [
  "recipient_not_home", "no_safe_place", "no_access", "address_not_found", "refused",
  "business_closed", "unsafe_to_deliver", "damaged", "out_of_time", "vehicle_problem",
];
const SAFE_PLACES = ["Porch", "Behind the gate", "Garage", "Shed", "Bin store", "With the concierge"];
const METHOD_LABEL = {
  recipient: "To the recipient", neighbour: "To a neighbour", safe_place: "Safe place",
  letterbox: "Through the letterbox", reception: "At reception", locker: "In a locker",
};
// The access code lives only in memory, only for the stop on screen.
let revealed = { stopId: null, code: null };

export function forgetCode(stopId) {
  if (!stopId || revealed.stopId === stopId) revealed = { stopId: null, code: null };
}

function address(stop) {
  const extra = [stop.flat && `Flat ${stop.flat}`, stop.floor && `Floor ${stop.floor}`].filter(Boolean).join(", ");
  return [...(stop.address_lines || []), extra, stop.postcode].filter(Boolean);
}

export function renderToday(ctx) {
  const { route } = ctx;
  const summary = $("#route-summary");
  const actions = $("#route-actions");
  const list = $("#stop-list");
  summary.replaceChildren();
  actions.replaceChildren();
  list.replaceChildren();
  if (!route) {
    summary.append(h("p", { class: "lead", text: route === null ? "No route for you today." : "Route not loaded yet: connect to the network." }));
    return;
  }
  const { total, done } = progress(route);
  summary.append(
    h("p", { class: "lead" }, `${done} of ${total} stops done`),
    h("p", { class: "muted" }, [route.vehicle_name, route.hub && `from ${route.hub.name}`, label(route.state)].filter(Boolean).join(" · ")),
  );
  if (route.state === "assigned") {
    actions.append(h("button", { type: "button", class: "primary", onclick: () => ctx.act("start_route") }, "Start route"));
  } else if (route.state === "started") {
    const finish = () => {
      if (done < total && !confirm(`${total - done} stops are not done. Finish the route anyway?`)) return;
      ctx.act("finish_route");
    };
    actions.append(h("button", { type: "button", class: done === total ? "primary" : "secondary", onclick: finish }, "Finish route"));
  } else {
    actions.append(h("p", { class: "done-banner", text: "Route finished. Thank you!" }));
  }
  for (const stop of route.stops) {
    if (stop.state === "removed") continue;
    list.append(h("li", {}, h("button", {
      type: "button",
      class: `stop-row state-${stop.state}`,
      dataset: { stop: stop.id },
      onclick: () => ctx.go(`stop/${stop.id}`),
    },
    h("span", { class: "seq", text: String(stop.sequence) }),
    h("span", { class: "stop-main" },
      h("strong", { text: (stop.address_lines || [])[0] || stop.postcode }),
      h("span", { class: "muted", text: `${stop.recipient_first_name || ""} · ${windowText(stop.window)} · ${stop.parcels.length} parcel${stop.parcels.length === 1 ? "" : "s"}` })),
    h("span", { class: "badge", text: label(stop.state) }))));
  }
}

function navigateLinks(stop) {
  const at = `${stop.lat},${stop.lon}`;
  const q = encodeURIComponent(address(stop).join(", "));
  return h("div", { class: "row" },
    h("a", { class: "button primary", href: `geo:${at}?q=${at}(${q})` }, "Navigate"),
    h("a", { class: "button secondary", href: `https://www.google.com/maps/dir/?api=1&destination=${at}`, target: "_blank", rel: "noopener" }, "Google Maps"),
    h("a", { class: "button secondary", href: `https://maps.apple.com/?daddr=${at}`, target: "_blank", rel: "noopener" }, "Apple Maps"));
}

function codeBox(ctx, stop) {
  const box = h("div", { class: "code-box stack tight" });
  const draw = (message, offerOverride) => {
    box.replaceChildren();
    if (revealed.stopId === stop.id && revealed.code) {
      box.append(h("p", { class: "code", "aria-label": "Access code", text: revealed.code }));
      return;
    }
    const reason = h("input", { name: "override_reason", placeholder: "Why you need it here" });
    const reveal = async (withReason) => {
      if (!navigator.onLine) return draw("The code needs a network. Try again when online.");
      await flush();  // a route start still waiting must reach the server first
      const position = asAction(await here());
      try {
        const answer = await request("POST", `/v1/courier/stops/${stop.id}/access-code`, {
          body: { position, override_reason: withReason ? reason.value.trim() || null : null },
        });
        revealed = { stopId: stop.id, code: answer.code };
        draw();
      } catch (error) {
        draw(error.message, error.status === 403);
      }
    };
    box.append(h("button", { type: "button", class: "secondary", onclick: () => reveal(false) }, "Reveal code"));
    if (message) box.append(h("p", { class: "refusal", role: "alert", text: message }));
    if (offerOverride) {
      box.append(field("Override reason", reason),
        h("button", { type: "button", class: "secondary", onclick: () => reveal(true) }, "Reveal with this reason"));
    }
  };
  draw();
  return box;
}

async function scanBox(ctx, stop, refresh) {
  const have = await scanned(stop.id);
  const wanted = new Map(stop.parcels.map((p) => [p.barcode.toUpperCase(), p.barcode]));
  const add = async (raw) => {
    const code = String(raw || "").trim().toUpperCase();
    if (!wanted.has(code)) {
      notify(`${code || "That"} is not a parcel for this stop.`, "error");
      return false;
    }
    const barcode = wanted.get(code);
    const now = await scanned(stop.id);
    if (!now.includes(barcode)) await setScanned(stop.id, [...now, barcode]);
    refresh();
    return true;
  };
  const input = h("input", { name: "barcode", inputmode: "text", autocomplete: "off", autocapitalize: "characters", placeholder: "Type barcode" });
  const form = h("form", { class: "row", onsubmit: (e) => { e.preventDefault(); add(input.value); } },
    input, h("button", { type: "submit", class: "secondary" }, "Add"));
  const parcels = h("ul", { class: "parcels" }, stop.parcels.map((p) => h("li", { class: have.includes(p.barcode) ? "scanned" : "" },
    h("span", { class: "barcode", text: p.barcode }), h("span", { text: have.includes(p.barcode) ? "✔ scanned" : "not scanned" }))));
  return h("div", { class: "stack tight" },
    h("h3", {}, `Parcels (${have.length} of ${stop.parcels.length} scanned)`), parcels, form,
    canScan() ? h("button", { type: "button", class: "secondary", onclick: () => scanWithCamera(add) }, "Scan with camera") : null);
}

function accessText(stop) {
  const given = [stop.has_access_notes ? "note below" : null, stop.has_access_code ? "door code (reveal at the door)" : null];
  return given.filter(Boolean).join(", ");
}

export async function renderStop(ctx, stop) {
  const box = $("#stop-detail");
  if (revealed.stopId !== stop.id) forgetCode(revealed.stopId);
  const refresh = () => renderStop(ctx, stop);
  const started = ctx.route.state === "started";
  const open = !DONE.has(stop.state);
  const parts = [
    h("p", { class: "stop-state", text: `Stop ${stop.sequence} · ${label(stop.state)}` }),
    h("address", {}, address(stop).map((line) => h("span", { text: line }))),
    h("dl", { class: "facts" },
      h("dt", { text: "Recipient" }), h("dd", { text: stop.recipient_first_name || "—" }),
      h("dt", { text: "Window" }), h("dd", { text: windowText(stop.window) }),
      h("dt", { text: "Planned" }), h("dd", { text: time(stop.planned_arrival) || "—" }),
      stop.safe_place_preference ? [h("dt", { text: "Safe place" }), h("dd", { text: stop.safe_place_preference })] : null,
      stop.neighbour ? [h("dt", { text: "Neighbour" }), h("dd", { text: stop.neighbour })] : null,
      stop.has_access_notes || stop.has_access_code
        ? [h("dt", { text: "Access" }), h("dd", { text: accessText(stop) })] : null),
    stop.rescheduled_to
      ? h("p", { class: "notice", "data-kind": "error", role: "note", text: `The recipient chose another day (${stop.rescheduled_to}): check with the dispatcher before delivering.` })
      : null,
    stop.needs_more_time
      ? h("p", { class: "notice", role: "note", text: `Needs longer to reach the door: wait at least ${Math.round((stop.wait_s || 180) / 60)} minutes before leaving.` })
      : null,
    stop.instructions ? h("p", { class: "instructions", text: stop.instructions }) : null,
    navigateLinks(stop),
  ];
  if (open && stop.has_access_code && started) parts.push(codeBox(ctx, stop));
  if (open && started) {
    parts.push(await scanBox(ctx, stop, refresh));
    if (stop.state === "pending") {
      parts.push(h("button", { type: "button", class: "primary", onclick: () => ctx.act("arrive", { stop }) }, "Arrived"));
    }
    parts.push(
      h("button", { type: "button", class: "primary", onclick: () => ctx.go(`deliver/${stop.id}`) }, "Deliver"),
      h("button", { type: "button", class: "danger", onclick: () => ctx.go(`fail/${stop.id}`) }, "Could not deliver"),
      h("button", { type: "button", class: "secondary", onclick: () => {
        const note = prompt("Why skip this stop for now?") ?? null;
        if (note !== null) ctx.act("skip", { stop, data: { note: note || null } });
      } }, "Skip"),
    );
  } else if (open) {
    parts.push(h("p", { class: "muted", text: "Start the route to deliver." }));
  }
  box.replaceChildren(...parts.filter(Boolean));
}

function choice(name, values, labels, onChange, selected) {
  return h("fieldset", { class: "choices" }, values.map((value) => h("label", { class: "choice" },
    h("input", { type: "radio", name, value, checked: value === selected, onchange: () => onChange(value) }),
    h("span", { text: labels[value] || label(value) }))));
}

// Whole years between a date of birth ("YYYY-MM-DD") and a day, as the server counts them.
function ageOn(born, day) {
  const [y, m, d] = born.split("-").map(Number);
  const years = day.getFullYear() - y;
  const before = day.getMonth() + 1 < m || (day.getMonth() + 1 === m && day.getDate() < d);
  return years - (before ? 1 : 0);
}

export async function renderDeliver(ctx, stop) {
  const form = $("#deliver-form");
  const methods = stop.proof?.methods?.length ? stop.proof.methods : Object.keys(METHOD_LABEL);
  let method = methods[0];
  const have = await scanned(stop.id);
  const extra = h("div", { class: "stack" });
  let proof = {};
  const drawMethod = () => {
    const input = (name, more = {}) => h("input", { name, required: true, ...more });
    proof = { inputs: {}, signature: null, photos: null };
    const parts = [];
    const add = (name, text, more) => { proof.inputs[name] = input(name, more); parts.push(field(text, proof.inputs[name])); };
    if (method === "recipient") add("recipient_name", "Recipient's name");
    if (method === "neighbour") {
      add("neighbour_name", "Neighbour's name");
      add("neighbour_house", "Neighbour's house number");
      add("card_number", "Card left (number)", { required: false });
    }
    if (method === "safe_place") {
      const list = stop.safe_place_preference ? [stop.safe_place_preference, ...SAFE_PLACES] : SAFE_PLACES;
      add("safe_place", "Safe place", { list: "safe-places", value: stop.safe_place_preference || "" });
      parts.push(h("datalist", { id: "safe-places" }, list.map((p) => h("option", { value: p }))));
    }
    if (method === "recipient" || method === "neighbour") {
      proof.signature = signatureField();
      parts.push(proof.signature.node);
    } else {
      proof.photos = photoField();
      parts.push(proof.photos.node);
    }
    if (stop.proof?.pin_required) add("pin", "Recipient's PIN", { inputmode: "numeric", autocomplete: "off" });
    if (stop.proof?.minimum_age) {
      add("date_of_birth", `Date of birth on ID (must be ${stop.proof.minimum_age}+)`, { type: "date" });
    }
    extra.replaceChildren(...parts);
  };
  const submit = async (event) => {
    event.preventDefault();
    const missing = stop.parcels.filter((p) => !have.includes(p.barcode));
    if (missing.length) return notify(`Scan every parcel first: ${missing.map((p) => p.barcode).join(", ")}`, "error");
    const data = {
      method, scanned_barcodes: have, recipient_name: null, neighbour_name: null, neighbour_house: null,
      safe_place: null, signature: null, photos: [], pin: null, date_of_birth: null, card_number: null,
    };
    for (const [name, el] of Object.entries(proof.inputs)) {
      const value = el.value.trim();
      if (!value && el.required) return notify(`${el.closest("label").firstChild.textContent} is needed.`, "error");
      data[name] = value || null;
    }
    if (data.pin !== null && !/^\d{4,8}$/.test(data.pin)) return notify("The PIN is 4 to 8 digits.", "error");
    const minimum = stop.proof?.minimum_age;
    if (minimum && data.date_of_birth && ageOn(data.date_of_birth, new Date()) < minimum) {
      return notify(`Under ${minimum}: do not hand the parcel over. Record a failed attempt (refused).`, "error");
    }
    if (proof.signature) {
      if (proof.signature.empty()) return notify("Ask for a signature first.", "error");
      data.signature = await proof.signature.save();
    }
    if (proof.photos) {
      data.photos = proof.photos.shas();
      if (!data.photos.length) return notify("Take at least one photo.", "error");
    }
    const blobs = [data.signature, ...data.photos].filter(Boolean);
    await ctx.act("complete", { stop, data, blobs });
  };
  form.onsubmit = submit;
  form.replaceChildren(
    h("p", { class: "lead", text: address(stop)[0] || "" }),
    h("p", { class: "muted", text: `${have.length} of ${stop.parcels.length} parcels scanned` }),
    choice("method", methods, METHOD_LABEL, (value) => { method = value; drawMethod(); }, method),
    extra,
    h("button", { type: "submit", class: "primary" }, "Complete delivery"),
  );
  drawMethod();
}

export function renderFail(ctx, stop) {
  const form = $("#fail-form");
  let reason = null;
  const note = h("textarea", { name: "note", rows: 3 });
  const card = h("input", { name: "card_number", inputmode: "numeric" });
  const photos = photoField("Photo (optional)");
  form.onsubmit = async (event) => {
    event.preventDefault();
    if (!reason) return notify("Choose a reason.", "error");
    const data = { reason, note: note.value.trim() || null, photos: photos.shas(), card_number: card.value.trim() || null };
    await ctx.act("fail", { stop, data, blobs: data.photos });
  };
  form.replaceChildren(...[
    h("p", { class: "lead", text: address(stop)[0] || "" }),
    stop.needs_more_time
      ? h("p", { class: "notice", role: "note", text: `This recipient needs longer to reach the door: wait at least ${Math.round((stop.wait_s || 180) / 60)} minutes after knocking before you record "not home".` })
      : null,
    h("h3", { text: "Reason" }),
    choice("reason", FAILURE_REASONS, {}, (value) => { reason = value; }),
    field("Note (optional)", note),
    field("Card left (number, optional)", card),
    photos.node,
    h("button", { type: "submit", class: "danger" }, "Record failed attempt"),
  ].filter(Boolean));
}

export async function renderSync(ctx) {
  const box = $("#sync-detail");
  const state = await queueStatus();
  const waiting = await pending();
  const stopName = (id) => {
    const stop = ctx.route?.stops.find((s) => s.id === id);
    return stop ? `stop ${stop.sequence}` : "route";
  };
  box.replaceChildren(
    h("p", { class: "lead", text: state.waiting ? `${state.waiting} action${state.waiting === 1 ? "" : "s"} waiting to be sent` : "All sent" }),
    h("p", { class: "muted", text: navigator.onLine ? (state.lastSent ? `Last sent ${time(state.lastSent)}` : "Online") : "Offline: actions are kept on this phone." }),
    h("ol", { class: "queue" }, waiting.map((a) => h("li", {}, `${label(a.type)} · ${stopName(a.stop_id)} · ${time(a.device_time)}`))),
    h("button", { type: "button", class: "primary", onclick: async () => { await flush(); await ctx.refreshView(); } }, "Send now"),
    state.refused.length ? h("div", { class: "stack tight" },
      h("h3", { text: "Not accepted by the office" }),
      h("ul", { class: "refused" }, state.refused.map((r) => h("li", {}, `${label(r.type)} · ${stopName(r.stop_id)}: ${r.message}`))),
      h("button", { type: "button", class: "secondary", onclick: async () => { await dismissRefused(); await ctx.refreshView(); } }, "Dismiss")) : "",
  );
}
