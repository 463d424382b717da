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
  let live = null;
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
    if (live) live.close();
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

  function connect() {
    live = window.EventHubStream.follow({
      stream,
      since: root.dataset.since,
      auth: { op: "auth", display: token },
      initialDelay: 1000,
      maxDelay: 30000,
      jitter: 500,
      reconnectingText: "offline — reconnecting…",
      onStatus: (text, isLive) => status(text, isLive ? "live" : "offline"),
      onSubscribed: (frame, before) => {
        root.dataset.liveReady = "1";
        if (before !== null && frame.head > before) scheduleRefresh(); // missed entries while away
      },
      onReset: scheduleRefresh,
      onError: (frame) => { if (frame.code === "forbidden") refresh(); }, // a revoked link: the state says 404
      onEntry: (frame) => {
        root.dataset.lastSeq = String(frame.seq);
        if (RELEVANT.test(frame.type || "")) scheduleRefresh();
      },
    });
  }

  tick();
  setInterval(tick, 10000);
  setInterval(refresh, 30000); // sessions start and end with the clock, not only with entries
  connect();
})();
