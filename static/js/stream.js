// One live subscription to a stream over the WebSocket /ws/v1/ (docs/realtime.md), shared by
// every live page (event overview, schedule grid, check-in dashboard, door display).
//
//   EventHubStream.follow({stream, since, onEntry, ...}) -> {close()}
//
// It subscribes with `since` (the head the page was rendered at), so nothing committed between
// the render and the subscription is missed; hands each new entry to onEntry exactly once, in
// order; resubscribes from the last seq it saw after a drop (reconnecting with backoff); and
// reconnects when heartbeats show the stream's head staying ahead of it. Options:
//   auth          a first frame such as {op: "auth", display: token}; subscribes once answered
//   onStatus      (text, live) for the page's "live" badge
//   onSubscribed  (frame, seqBefore) after each (re)subscription
//   onReset       (frame) when `since` is older than the log keeps (default: reload the page)
//   onError       (frame) for error frames (also a refused auth)
//   initialDelay, maxDelay, jitter (ms) for reconnects; reconnectingText for the badge
(function () {
  "use strict";

  function follow(options) {
    const stream = options.stream;
    const initialDelay = options.initialDelay || 500;
    const maxDelay = options.maxDelay || 10000;
    const onStatus = options.onStatus || function () {};
    let lastSeq = options.since === undefined || options.since === null || options.since === "" ? null : Number(options.since);
    let delay = initialDelay;
    let behind = 0;
    let socket = null;
    let closed = false;

    function subscribe() {
      const frame = { op: "subscribe", stream, ref: "sub" };
      if (lastSeq !== null) frame.since = lastSeq;
      socket.send(JSON.stringify(frame));
    }

    function handle(frame) {
      if (frame.ref === "auth" && (frame.op === "authenticated" || frame.op === "error")) {
        if (frame.op === "error" && options.onError) options.onError(frame);
        if (frame.op === "authenticated" || frame.code !== "forbidden") subscribe();
      } else if (frame.op === "subscribed") {
        const before = lastSeq;
        if (lastSeq === null) lastSeq = frame.head;
        onStatus("live", true);
        if (options.onSubscribed) options.onSubscribed(frame, before);
      } else if (frame.op === "reset") {
        lastSeq = frame.head;
        (options.onReset || function () { location.reload(); })(frame);
      } else if (frame.op === "error") {
        if (options.onError) options.onError(frame);
        onStatus(frame.detail || "live updates unavailable", false);
      } else if (frame.op === "heartbeat") {
        const head = frame.heads && frame.heads[stream];
        behind = head !== undefined && lastSeq !== null && head > lastSeq ? behind + 1 : 0;
        if (behind >= 2) { behind = 0; socket.close(); }
      } else if (frame.seq !== undefined && frame.stream === stream) {
        if (lastSeq !== null && frame.seq <= lastSeq) return; // already applied
        lastSeq = frame.seq;
        options.onEntry(frame);
      }
    }

    function connect() {
      if (closed) return;
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      socket = new WebSocket(`${scheme}://${location.host}/ws/v1/`);
      socket.onopen = () => {
        delay = initialDelay;
        if (options.auth) socket.send(JSON.stringify(Object.assign({}, options.auth, { ref: "auth" })));
        else subscribe();
      };
      socket.onmessage = (message) => {
        let frame;
        try { frame = JSON.parse(message.data); } catch (e) { return; }
        handle(frame);
      };
      socket.onclose = () => {
        if (closed) return;
        onStatus(options.reconnectingText || "reconnecting…", false);
        setTimeout(connect, delay + (options.jitter ? Math.random() * options.jitter : 0));
        delay = Math.min(delay * 2, maxDelay);
      };
    }

    connect();
    return { close() { closed = true; if (socket) socket.close(); } };
  }

  window.EventHubStream = { follow };
})();
