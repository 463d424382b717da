// Live numbers on portal pages. An element with data-stream="<stream>" (and data-since="<seq>",
// the stream head when the page was rendered) subscribes over the session-cookie WebSocket
// (/ws/v1/, DESIGN §3). [data-live=<field>] children show fields of incoming entries;
// `participant.joined` also bumps [data-kind-count=<kind>]. It subscribes with `since`, so
// nothing committed after the render is missed, and resubscribes from the last seq it saw after
// a reconnect; a heartbeat whose head stays ahead of it triggers a reconnect as well.
(function () {
  "use strict";
  const root = document.querySelector("[data-stream]");
  if (!root || !("WebSocket" in window)) return;
  const stream = root.dataset.stream;
  const status = root.querySelector("[data-live-status]");
  let lastSeq = root.dataset.since !== undefined && root.dataset.since !== "" ? Number(root.dataset.since) : null;
  let delay = 500;
  let behind = 0;
  let socket = null;

  function show(text, live) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("is-live", !!live);
  }

  function flash(el) {
    el.classList.remove("flash");
    void el.offsetWidth; // restart the animation
    el.classList.add("flash");
  }

  function set(el, value) {
    if (el && String(el.textContent) !== String(value)) { el.textContent = value; flash(el); }
  }

  function apply(entry) {
    const data = entry.data || {};
    for (const [field, value] of Object.entries(data)) {
      if (typeof value !== "number" && typeof value !== "string") continue;
      root.querySelectorAll(`[data-live="${field}"]`).forEach((el) => set(el, value));
    }
    if (entry.type === "participant.joined" && data.kind) {
      const el = root.querySelector(`[data-kind-count="${data.kind}"]`);
      if (el) set(el, Number(el.textContent) + 1);
    }
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
        root.dataset.liveReady = "1";
      } else if (frame.op === "reset") {
        location.reload(); // older than the log keeps: the page is the fresh state
      } else if (frame.op === "error") {
        show(frame.detail || "live updates unavailable", false);
      } else if (frame.op === "heartbeat") {
        const head = frame.heads && frame.heads[stream];
        behind = head !== undefined && lastSeq !== null && head > lastSeq ? behind + 1 : 0;
        if (behind >= 2) { behind = 0; socket.close(); }
      } else if (frame.seq !== undefined && frame.stream === stream) {
        if (lastSeq !== null && frame.seq <= lastSeq) return; // already applied
        lastSeq = frame.seq;
        apply(frame);
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
