// Live numbers on portal pages: an element with data-stream="<stream>" subscribes over the
// session-cookie WebSocket; [data-live=<field>] children show fields of incoming entries.
// On reconnect it resubscribes with the last seq it saw, so nothing is missed.
(function () {
  "use strict";
  const root = document.querySelector("[data-stream]");
  if (!root) return;
  const stream = root.dataset.stream;
  const status = root.querySelector("[data-live-status]");
  let lastSeq = null;
  let delay = 500;

  function show(text) { if (status) status.textContent = text; }

  function apply(entry) {
    for (const [field, value] of Object.entries(entry.data || {})) {
      const el = root.querySelector(`[data-live="${field}"]`);
      if (el && (typeof value === "number" || typeof value === "string")) el.textContent = value;
    }
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/v1/`);
    socket.onopen = () => {
      delay = 500;
      const frame = { op: "subscribe", stream };
      if (lastSeq !== null) frame.since = lastSeq;
      socket.send(JSON.stringify(frame));
    };
    socket.onmessage = (message) => {
      const frame = JSON.parse(message.data);
      if (frame.op === "subscribed") { if (lastSeq === null) lastSeq = frame.head; show("live"); }
      else if (frame.op === "reset") { location.reload(); }
      else if (frame.op === "error") { show(frame.detail); }
      else if (frame.seq !== undefined && frame.stream === stream) { lastSeq = frame.seq; apply(frame); }
    };
    socket.onclose = () => { show("reconnecting…"); setTimeout(connect, delay); delay = Math.min(delay * 2, 10000); };
  }
  connect();
})();
