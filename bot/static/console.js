// The queue page asks every 10 seconds whether new cases arrived, and says so (no build step).
(function () {
  "use strict";
  var script = document.currentScript;
  var shown = (script.dataset.shown || "").split(",").filter(Boolean);
  function check() {
    fetch("/console/queue.json", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var fresh = data.rows.some(function (row) { return shown.indexOf(row.id) < 0; });
        document.getElementById("fresh").hidden = !fresh;
        document.title = (data.urgent ? "(!" + data.urgent + ") " : "") + (fresh ? "● " : "") +
          document.title.replace(/^(\(!\d+\) )?(● )?/, "");
      })
      .catch(function () {});
  }
  setInterval(check, 10000);
}());
