// The exception queue reads itself again when the console's live stream says an
// exception was raised or resolved (/console/events: {"event": ..., "exception_id": ...}).
// While the dispatcher has an exception's actions open (typing a note, choosing a
// route), the queue is not replaced under their hands: it is read once they close it or
// act. Served from the console's own origin: no inline script (CSP).
(function () {
  "use strict";
  var WATCHED = { "exception.raised": true, "exception.resolved": true };
  // htmx "settles" a swapped element by copying the old element's attributes onto the
  // new one, style among them by default; copying a style attribute (one the browser or
  // a tool set, a resized note box) is refused by the content security policy.
  if (window.htmx) window.htmx.config.attributesToSettle = ["class", "width", "height"];
  var pending = false;
  var busy = false;

  function queue() {
    return document.getElementById("exception-queue");
  }

  function acting() {
    var element = queue();
    if (!element) return false;
    if (element.querySelector("details[open]")) return true;
    var focused = document.activeElement;
    return !!(focused && element.contains(focused) && focused.matches("input, select, textarea"));
  }

  function announce(text) {
    var live = document.getElementById("queue-live");
    if (live) live.textContent = text;
  }

  function refresh() {
    var element = queue();
    if (!element) return;
    if (acting() || busy) {
      pending = true;
      return;
    }
    pending = false;
    busy = true;
    var url = element.getAttribute("data-rows");
    fetch(url, {
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRF-Token": window.DoorstepConsole ? window.DoorstepConsole.csrf() : "" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.text();
      })
      .then(function (html) {
        var current = queue();
        if (!current) return;
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#exception-queue");
        if (!fresh) return;
        current.replaceWith(fresh);
        if (window.htmx) window.htmx.process(fresh);
        announce("The exception queue was updated.");
        document.body.setAttribute("data-queue-updated", String(Date.now()));
      })
      .catch(function () {
        pending = true; // the next notice (or closing an action) tries again
      })
      .then(function () {
        busy = false;
        if (pending && !acting()) refresh();
      });
  }

  function listen() {
    if (!window.EventSource || !queue()) return;
    var source = new EventSource("/console/events");
    source.onmessage = function (message) {
      var notice;
      try {
        notice = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (notice && WATCHED[notice.event]) refresh();
    };
    source.addEventListener("ready", function () {
      document.body.setAttribute("data-live", "ready");
    });
    source.addEventListener("ended", function () {
      source.close();
      document.body.setAttribute("data-live", "ended");
    });
  }

  // Closing an exception's actions, or leaving a field, lets a waiting update in.
  document.addEventListener(
    "toggle",
    function (event) {
      if (pending && event.target.tagName === "DETAILS" && !event.target.open) refresh();
    },
    true
  );
  document.addEventListener("focusout", function () {
    if (pending) window.setTimeout(function () { if (pending) refresh(); }, 0);
  });
  document.addEventListener("htmx:afterSwap", function () {
    if (pending) refresh();
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", listen);
  } else {
    listen();
  }
})();
