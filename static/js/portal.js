// Forms with data-confirm="<question>" ask before they submit (no inline onsubmit handlers: the
// Content-Security-Policy allows no inline script).
document.addEventListener("submit", (event) => {
  const form = event.target.closest ? event.target.closest("form[data-confirm]") : null;
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});

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

  window.EventHubStream.follow({
    stream,
    since: root.dataset.since,
    onStatus: show,
    onSubscribed: () => { root.dataset.liveReady = "1"; },
    onEntry: apply,
  });
})();

// Buttons with data-print open the browser's print dialog (the attendee list has print styles).
document.addEventListener("click", (event) => {
  const button = event.target.closest ? event.target.closest("[data-print]") : null;
  if (button) window.print();
});

// The zone picker of a new event starts in the browser's own zone (the server cannot know it).
(function () {
  "use strict";
  const input = document.querySelector("input[data-zone-picker][data-browser-default]");
  if (!input) return;
  let zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (error) { zone = ""; }
  const known = document.querySelector(`#time-zones option[value="${CSS.escape(zone)}"]`);
  if (zone && known) input.value = zone;
})();

// "When the time zone changes" only matters once the zone input differs from the saved zone.
(function () {
  "use strict";
  const input = document.querySelector("input[data-zone-picker]");
  const choice = document.querySelector('[data-field="session_times"]');
  if (!input || !choice) return;
  const saved = input.dataset.savedZone || input.defaultValue;
  const sync = () => { choice.hidden = input.value === saved && !choice.classList.contains("has-error"); };
  input.addEventListener("input", sync);
  sync();
})();
