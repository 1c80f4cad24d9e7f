// Live sold / remaining counters on the merchant's flash-sale list: every few seconds the
// rows of scheduled and running sales are refreshed from a small JSON endpoint.
(function () {
  "use strict";
  var table = document.querySelector("table[data-flash-counters]");
  if (!table || !window.fetch) { return; }
  var url = table.getAttribute("data-flash-counters");
  var INTERVAL_MS = 5000;

  function rows() {
    return Array.prototype.slice.call(table.querySelectorAll("tr[data-flash-sale]"));
  }

  function refresh() {
    var live = rows();
    if (!live.length || document.hidden) { return; }
    var ids = live.map(function (row) { return row.getAttribute("data-flash-sale"); });
    fetch(url + "?ids=" + encodeURIComponent(ids.join(",")), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (body) {
      if (!body) { return; }
      live.forEach(function (row) {
        var data = body.sales[row.getAttribute("data-flash-sale")];
        if (!data) { return; }
        row.querySelector('[data-field="sold"]').textContent = data.sold;
        row.querySelector('[data-field="remaining"]').textContent = data.remaining;
        var badge = row.querySelector('[data-field="status"] .badge');
        if (badge && data.status_label) { badge.textContent = data.status_label; }
      });
    }).catch(function () { /* the next tick tries again */ });
  }

  window.setInterval(refresh, INTERVAL_MS);
})();
