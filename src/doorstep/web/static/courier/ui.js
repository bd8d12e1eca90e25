// Small DOM helpers: build elements without innerHTML (every text from the server is
// shown as text, never parsed), switch screens, and show one notice at a time.

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);

export function show(name, title) {
  for (const section of document.querySelectorAll("section[data-screen]")) {
    section.hidden = section.dataset.screen !== name;
  }
  document.body.dataset.screen = name;
  $("#title").textContent = title || "Doorstep";
  $("#back").hidden = name === "login" || name === "today";
  window.scrollTo(0, 0);
}

let noticeTimer = 0;

export function notify(message, kind = "info") {
  const box = $("#notice");
  box.textContent = message;
  box.dataset.kind = kind;
  box.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { box.hidden = true; }, kind === "error" ? 12000 : 5000);
}

export function time(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

export function windowText(window) {
  if (!window || !window.start) return "Any time";
  return `${time(window.start)}–${time(window.end)}`;
}

export function label(value) {
  return String(value || "").replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

export function field(text, input, hint) {
  return h("label", {}, text, input, hint ? h("span", { class: "muted", text: hint }) : null);
}

export function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
