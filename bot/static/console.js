// The console's little script (no build step): live badges for open, urgent and relayed cases and a
// banner while an urgent case waits, on every page, the "new cases" notice on the queue, canned replies into the reply box,
// the delivery state of replies still waiting on a case, and a confirmation before recording a withdrawn consent.
// Everything works without it, only less live.
(function () {
  "use strict";
  var script = document.currentScript;
  var shown = (script.dataset.shown || "").split(",").filter(Boolean);
  var onQueue = document.getElementById("fresh") !== null;

  function badge(id, value) {
    var el = document.getElementById(id);
    if (!el) { return; }
    el.textContent = value ? String(value) : "";
    el.hidden = !value;
  }

  function check() {
    var query = onQueue ? window.location.search : "";
    fetch("/console/queue.json" + query, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        badge("badge-open", data.open);
        badge("badge-urgent", data.urgent);
        badge("badge-offered", data.offered);
        var banner = document.getElementById("urgent-banner");
        if (banner) { banner.hidden = !data.urgent; }
        var fresh = false;
        if (onQueue) {
          fresh = data.rows.some(function (row) { return shown.indexOf(row.id) < 0; });
          document.getElementById("fresh").hidden = !fresh;
        }
        document.title = (data.urgent ? "(!" + data.urgent + ") " : "") + (fresh ? "● " : "") +
          document.title.replace(/^(\(!\d+\) )?(● )?/, "");
      })
      .catch(function () {});
  }

  document.querySelectorAll("select.canned").forEach(function (select) {
    var texts = JSON.parse(select.dataset.texts || "{}");
    select.addEventListener("change", function () {
      var box = document.getElementById("reply-text");
      if (box && texts[select.value]) { box.value = texts[select.value]; box.focus(); }
    });
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });

  document.querySelectorAll("ol.thread").forEach(function (thread) { thread.scrollTop = thread.scrollHeight; });

  var followed = 0;
  function follow() {
    var waiting = document.querySelectorAll("ol.thread .delivery.pending[data-message]");
    if (!waiting.length || followed++ > 150) { return; }  // about five minutes, then a reload shows the rest
    var ids = Array.prototype.map.call(waiting, function (el) { return el.dataset.message; });
    fetch(window.location.pathname + "/deliveries.json?ids=" + ids.join(","), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (states) {
        waiting.forEach(function (el) {
          var now = states[el.dataset.message];
          if (now && now.state !== "pending") { el.className = "delivery " + now.state; el.textContent = now.label; }
        });
      })
      .catch(function () {})
      .then(function () { setTimeout(follow, 2000); });
  }
  setTimeout(follow, 1000);

  check();
  setInterval(check, 10000);
}());
