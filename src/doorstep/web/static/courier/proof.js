// The proof a courier collects at the door: a signature drawn on the screen, photos
// from the camera, and parcel barcodes (camera where the browser can read them, typed
// always). Files go straight into the queue's store, named by their SHA-256.
import SignaturePad from "/static/vendor/signature_pad-5.1.4/signature_pad.min.js";
import { keepBlob } from "./queue.js";
import { h } from "./ui.js";

export function signatureField() {
  const canvas = h("canvas", { class: "signature", "aria-label": "Signature: sign with a finger" });
  const pad = new SignaturePad(canvas, { backgroundColor: "rgb(255,255,255)", penColor: "rgb(0,0,0)" });
  const fit = () => {
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const data = pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(data);
  };
  const clear = h("button", { type: "button", class: "secondary small", onclick: () => pad.clear() }, "Clear signature");
  const node = h("div", { class: "stack tight" }, h("span", { class: "field-label", text: "Signature" }), canvas, clear);
  requestAnimationFrame(fit);
  return {
    node,
    empty: () => pad.isEmpty(),
    // The drawing as a PNG kept for upload; answers its SHA-256.
    save: () => new Promise((resolve, reject) => {
      canvas.toBlob((blob) => (blob ? keepBlob(blob).then(resolve, reject) : reject(new Error("No signature"))), "image/png");
    }),
  };
}

export function photoField(text = "Photo") {
  const shas = [];
  const previews = h("div", { class: "thumbs" });
  const input = h("input", { type: "file", accept: "image/*", capture: "environment", multiple: true, class: "file" });
  const status = h("span", { class: "muted" });
  input.addEventListener("change", async () => {
    status.textContent = "Saving photo…";
    for (const file of input.files) {
      shas.push(await keepBlob(file));
      previews.append(h("img", { src: URL.createObjectURL(file), alt: "Photo taken" }));
    }
    status.textContent = `${shas.length} photo${shas.length === 1 ? "" : "s"} saved`;
    input.value = "";
  });
  const node = h("label", { class: "photo" }, h("span", { class: "button secondary", text: `${text}: take or choose` }), input, status, previews);
  return { node, shas: () => [...shas] };
}

// Barcodes from the camera, when the browser has BarcodeDetector; calls back with each.
export async function scanWithCamera(onCode) {
  const detector = new window.BarcodeDetector();
  const video = h("video", { playsinline: true, muted: true, class: "camera" });
  const close = h("button", { type: "button", class: "secondary", text: "Stop camera" });
  const overlay = h("div", { class: "overlay" }, video, close);
  document.body.append(overlay);
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  video.srcObject = stream;
  await video.play();
  let running = true;
  const end = () => {
    running = false;
    stream.getTracks().forEach((t) => t.stop());
    overlay.remove();
  };
  close.addEventListener("click", end);
  while (running) {
    const codes = await detector.detect(video).catch(() => []);
    for (const code of codes) {
      if (onCode(code.rawValue)) { end(); return; }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const canScan = () => "BarcodeDetector" in window && !!navigator.mediaDevices;
