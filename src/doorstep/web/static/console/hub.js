// The hub scan station: a USB scanner types a barcode and presses Enter into #scan.
// Every scan is queued here with an id of its own and posted one at a time, in order; a
// lost answer is sent again with the same id, which the server recognises (it replays the
// stored answer), so nothing is lost and nothing counted twice, however fast the scans come.
(function () {
  "use strict";
  var form = document.getElementById("station");
  var input = document.getElementById("scan");
  if (!form || !input) { return; }
  var answer = document.getElementById("answer");
  var detail = document.getElementById("answer-detail");
  var list = document.getElementById("scans");
  var queuedCount = document.getElementById("queued");
  var doneCount = document.getElementById("done");
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var path = form.getAttribute("data-scans");
  var KEEP = 50;
  var queue = [];
  var sending = false;
  var answered = 0;
  var serial = 0;
  var station = (function () {
    var bytes = new Uint8Array(8);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  })();
  var audio = null;

  function value(name) {
    var field = form.elements.namedItem(name);
    if (!field) { return ""; }
    if (field instanceof RadioNodeList) { return field.value; }
    return field.value;
  }

  function showMode() {
    var kind = value("kind");
    form.querySelectorAll("[data-for]").forEach(function (part) {
      part.hidden = part.getAttribute("data-for") !== kind;
    });
  }

  function beep(refused) {
    try {
      if (!audio) { audio = new (window.AudioContext || window.webkitAudioContext)(); }
      var tones = refused ? [[220, 0], [180, 0.18]] : [[1046, 0]];
      tones.forEach(function (tone) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = refused ? "square" : "sine";
        osc.frequency.value = tone[0];
        gain.gain.value = 0.15;
        osc.connect(gain);
        gain.connect(audio.destination);
        var start = audio.currentTime + tone[1];
        osc.start(start);
        osc.stop(start + (refused ? 0.15 : 0.08));
      });
    } catch (error) { /* no sound on this machine: the colour still says it */ }
  }

  function counts() {
    queuedCount.textContent = String(queue.length);
    doneCount.textContent = String(answered);
  }

  function show(item, body) {
    var refused = Boolean(body.refused);
    answer.textContent = body.headline;
    answer.setAttribute("data-state", refused ? "refused" : "ok");
    detail.textContent = item.barcode + ": " + body.message;
    var line = document.createElement("li");
    line.className = refused ? "scan scan--refused" : "scan scan--ok";
    line.setAttribute("data-event", item.client_event_id);
    line.setAttribute("data-barcode", item.barcode);
    var code = document.createElement("strong");
    code.textContent = item.barcode;
    var words = document.createElement("span");
    words.textContent = " " + body.headline;
    line.appendChild(code);
    line.appendChild(words);
    list.insertBefore(line, list.firstChild);
    while (list.children.length > KEEP) { list.removeChild(list.lastChild); }
    beep(refused);
  }

  function wait(ms) { return new Promise(function (done) { setTimeout(done, ms); }); }

  function post(item) {
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(item)
    }).then(function (response) {
      if (response.status === 200 || response.status === 422) {
        return response.json();
      }
      if (response.status === 401 || response.status === 403) {
        answer.textContent = "Log in again: scans wait here";
        answer.setAttribute("data-state", "refused");
      }
      throw new Error("status " + response.status);
    });
  }

  function pump() {
    if (sending || queue.length === 0) { return; }
    sending = true;
    var item = queue[0];
    post(item).then(function (body) {
      queue.shift();
      answered += 1;
      show(item, body);
    }, function () {
      return wait(1000);  // the same scan, with the same id, goes again
    }).then(function () {
      sending = false;
      counts();
      pump();
    });
  }

  input.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") { return; }
    event.preventDefault();
    var barcode = input.value.trim();
    input.value = "";
    if (!barcode) { return; }
    serial += 1;
    var item = {
      client_event_id: "stn-" + station + "-" + serial,
      hub_id: value("hub_id"),
      kind: value("kind"),
      barcode: barcode,
      bay: value("bay"),
      vehicle_id: value("vehicle_id")
    };
    queue.push(item);
    counts();
    pump();
  });

  form.addEventListener("change", function () {
    showMode();
    input.focus();
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  input.addEventListener("blur", function () {
    setTimeout(function () {
      var active = document.activeElement;
      if (!active || active === document.body) { input.focus(); }
    }, 300);
  });
  showMode();
  input.focus();
})();
