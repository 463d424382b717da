// The live schedule grid. #grid[data-agenda-stream] subscribes over the session-cookie WebSocket
// (/ws/v1/, docs/realtime.md) to the event's public stream from the head it was rendered at, and
// when anyone publishes (`schedule.published`) it re-fetches the grid fragment through htmx, so a
// colleague's grid shows the new version without a reload. After a drop it reconnects with
// backoff and resubscribes with `since` = the last seq it saw; a `reset` refetches the grid.
(function () {
  "use strict";
  const grid = document.getElementById("grid");
  if (!grid || !grid.dataset.agendaStream || !("WebSocket" in window)) return;
  const stream = grid.dataset.agendaStream;
  const status = document.querySelector("[data-live-status]");
  const notice = document.getElementById("live-notice");
  let refreshTimer = null;

  function show(text, live) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("is-live", !!live);
  }

  // This page's own requests (a publish, a move) answer with a fresh grid: a refresh for the
  // version they published would only wipe their notice, so it waits for them and is skipped
  // when the grid already shows that version.
  let inFlight = 0;
  grid.addEventListener("htmx:beforeRequest", () => { inFlight += 1; });
  grid.addEventListener("htmx:afterRequest", () => { inFlight = Math.max(0, inFlight - 1); });
  const shownVersion = () => Number((grid.querySelector("[data-published-version]") || { dataset: {} }).dataset.publishedVersion || 0);

  function refresh(message, version) {
    // Several entries of one publish arrive together: fetch once.
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      if (inFlight > 0) { refresh(message, version); return; }
      if (version && shownVersion() >= version) return;
      window.htmx.ajax("GET", grid.dataset.fragmentUrl, { target: "#grid", swap: "innerHTML" }).then(() => {
        if (message && notice) notice.textContent = message;
        grid.dataset.refreshed = String(Number(grid.dataset.refreshed || 0) + 1);
      });
    }, 150);
  }

  window.EventHubStream.follow({
    stream,
    since: grid.dataset.since,
    onStatus: show,
    onSubscribed: () => { grid.dataset.liveReady = "1"; },
    onReset: () => refresh("The schedule was refreshed."),
    onEntry: (frame) => {
      if (frame.type === "schedule.published") {
        const version = frame.data && frame.data.version;
        refresh(`Version ${version} was published — the schedule is up to date.`, version);
      }
    },
  });
})();
