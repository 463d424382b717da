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
  let lastSeq = grid.dataset.since !== undefined && grid.dataset.since !== "" ? Number(grid.dataset.since) : null;
  let delay = 500;
  let behind = 0;
  let socket = null;
  let refreshTimer = null;

  function show(text, live) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("is-live", !!live);
  }

  function refresh(message) {
    // Several entries of one publish arrive together: fetch once.
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      window.htmx.ajax("GET", grid.dataset.fragmentUrl, { target: "#grid", swap: "innerHTML" }).then(() => {
        if (message && notice) notice.textContent = message;
        grid.dataset.refreshed = String(Number(grid.dataset.refreshed || 0) + 1);
      });
    }, 150);
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/ws/v1/`);
    socket.onopen = () => {
      delay = 500;
      const frame = { op: "subscribe", stream };
      if (lastSeq !== null) frame.since = lastSeq;
      socket.send(JSON.stringify(frame));
    };
    socket.onmessage = (message) => {
      let frame;
      try { frame = JSON.parse(message.data); } catch (e) { return; }
      if (frame.op === "subscribed") {
        if (lastSeq === null) lastSeq = frame.head;
        show("live", true);
        grid.dataset.liveReady = "1";
      } else if (frame.op === "reset") {
        lastSeq = frame.head;
        refresh("The schedule was refreshed.");
      } else if (frame.op === "error") {
        show(frame.detail || "live updates unavailable", false);
      } else if (frame.op === "heartbeat") {
        const head = frame.heads && frame.heads[stream];
        behind = head !== undefined && lastSeq !== null && head > lastSeq ? behind + 1 : 0;
        if (behind >= 2) { behind = 0; socket.close(); }
      } else if (frame.seq !== undefined && frame.stream === stream) {
        if (lastSeq !== null && frame.seq <= lastSeq) return; // already seen
        lastSeq = frame.seq;
        if (frame.type === "schedule.published") {
          const version = frame.data && frame.data.version;
          refresh(`Version ${version} was published — the schedule is up to date.`);
        }
      }
    };
    socket.onclose = () => {
      show("reconnecting…", false);
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10000);
    };
  }
  connect();
})();
