// A door display: keeps the server-rendered state current from the event stream.
// It authenticates the socket with its link ({"op": "auth", "display": token}, never in the URL),
// subscribes to the event's public stream from the head the page was rendered at, and re-fetches
// /displays/<token>/state on every agenda or announcement entry. It remembers the last seq and,
// after a network drop, reconnects with backoff and resubscribes with `since`, so it catches up
// exactly. A periodic refetch moves "now"/"next" along with the clock. A revoked link (404, or a
// `forbidden` on the stream) blanks the screen for good.
(function () {
  "use strict";
  const root = document.getElementById("display");
  if (!root) return;
  const stream = root.dataset.stream;
  const token = root.dataset.token;
  const stateUrl = root.dataset.stateUrl;
  const tz = root.dataset.timezone;
  const content = document.getElementById("display-state");
  const conn = document.getElementById("display-conn");
  const clock = document.getElementById("display-clock");
  const RELEVANT = /^(session\.|announcement\.|schedule\.published$|room\.|track\.|speaker\.)/;
  let lastSeq = root.dataset.since !== "" ? Number(root.dataset.since) : null;
  let delay = 1000;
  let behind = 0;
  let socket = null;
  let revoked = false;
  let refreshTimer = null;

  function status(text, state) { conn.textContent = text; conn.dataset.state = state; }

  function tick() {
    try {
      clock.textContent = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: tz }).format(new Date());
    } catch (e) { /* keep the server's time */ }
  }

  function blank() {
    revoked = true;
    document.getElementById("display-revoked").hidden = false;
    status("revoked", "offline");
    if (socket) socket.close();
  }

  async function refresh() {
    if (revoked) return;
    let response;
    try {
      response = await fetch(stateUrl, { cache: "no-store", credentials: "omit" });
    } catch (e) { return; } // offline: the reconnect catches up
    if (response.status === 404) { blank(); return; }
    if (!response.ok) return;
    const state = await response.json();
    content.innerHTML = state.html;
    root.dataset.refreshes = String(Number(root.dataset.refreshes || 0) + 1);
  }

  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, 200); // one fetch for the entries of one publish
  }

  function subscribe() {
    const frame = { op: "subscribe", stream, ref: "sub" };
    if (lastSeq !== null) frame.since = lastSeq;
    socket.send(JSON.stringify(frame));
  }

  function connect() {
    if (revoked) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/ws/v1/`);
    socket.onopen = () => {
      delay = 1000;
      socket.send(JSON.stringify({ op: "auth", display: token, ref: "auth" }));
    };
    socket.onmessage = (message) => {
      let frame;
      try { frame = JSON.parse(message.data); } catch (e) { return; }
      if (frame.ref === "auth" && (frame.op === "authenticated" || frame.op === "error")) {
        if (frame.op === "error" && frame.code === "forbidden") { refresh(); return; } // revoked?
        subscribe(); // an older server without display auth still serves public events
      } else if (frame.op === "subscribed") {
        if (lastSeq === null) lastSeq = frame.head;
        status("live", "live");
        root.dataset.liveReady = "1";
        if (frame.head > (lastSeq || 0)) scheduleRefresh();
      } else if (frame.op === "reset") {
        lastSeq = frame.head;
        scheduleRefresh();
      } else if (frame.op === "error") {
        if (frame.code === "forbidden") refresh(); // a revoked link's stream ends: the state says 404
        status(frame.detail || "live updates unavailable", "offline");
      } else if (frame.op === "heartbeat") {
        const head = frame.heads && frame.heads[stream];
        behind = head !== undefined && lastSeq !== null && head > lastSeq ? behind + 1 : 0;
        if (behind >= 2) { behind = 0; socket.close(); }
      } else if (frame.seq !== undefined && frame.stream === stream) {
        if (lastSeq !== null && frame.seq <= lastSeq) return; // already applied
        lastSeq = frame.seq;
        root.dataset.lastSeq = String(lastSeq);
        if (RELEVANT.test(frame.type || "")) scheduleRefresh();
      }
    };
    socket.onclose = () => {
      if (revoked) return;
      status("offline — reconnecting…", "offline");
      setTimeout(connect, delay + Math.random() * 500);
      delay = Math.min(delay * 2, 30000);
    };
  }

  tick();
  setInterval(tick, 10000);
  setInterval(refresh, 30000); // sessions start and end with the clock, not only with entries
  connect();
})();
