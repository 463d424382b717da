// The exports page's progress indicator: a download link gets a one-time token; the server sets
// the cookie export_<token> on its answer (eventhub/exports.py), so the page knows when the
// download has begun (an XLSX file is assembled before its first byte) and says so.
(function () {
  "use strict";
  var status = document.getElementById("export-status");
  if (!status) return;
  function hasCookie(name) {
    return document.cookie.split("; ").some(function (part) { return part.indexOf(name + "=") === 0; });
  }
  document.querySelectorAll("a[data-export]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var token = Math.random().toString(36).slice(2, 12);
      var url = new URL(link.href, window.location.href);
      url.searchParams.set("download", token);
      var started = Date.now();
      status.classList.add("busy");
      status.textContent = status.dataset.preparing;
      var timer = window.setInterval(function () {
        var seconds = Math.round((Date.now() - started) / 1000);
        if (hasCookie("export_" + token)) {
          window.clearInterval(timer);
          document.cookie = "export_" + token + "=; Max-Age=0; path=/";
          status.classList.remove("busy");
          status.textContent = status.dataset.started;
        } else {
          status.textContent = status.dataset.preparing + " " + seconds + " s";
        }
      }, 500);
      window.location.assign(url.toString());
    });
  });
})();
