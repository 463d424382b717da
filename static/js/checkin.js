// The live check-in dashboard. Subscribes to the event's staff stream over the session-cookie
// WebSocket from the stream head the page was rendered at (so no check-in between render and
// subscribe is missed), like portal.js does for the event page. Each checkin.* entry moves the
// headline figures at once and adds a line to the scan feed; the gate table (rates, expected
// arrivals, wait) is re-rendered by the server via htmx at most once a second.
(function () {
  "use strict";
  const root = document.querySelector("[data-checkin-stream]");
  if (!root || !("WebSocket" in window)) return;
  const stream = root.dataset.checkinStream;
  const status = root.querySelector("[data-live-status]");
  const feed = root.querySelector("#scan-feed");
  let refreshTimer = null;

  function show(text, live) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("is-live", !!live);
  }

  function set(selector, value) {
    root.querySelectorAll(selector).forEach((el) => {
      if (String(el.textContent) !== String(value)) {
        el.textContent = value;
        el.classList.remove("flash"); void el.offsetWidth; el.classList.add("flash");
      }
    });
  }

  function stats() { return root.querySelector(".checkin-stats"); }

  function applyOccupancy(data) {
    if (typeof data.inside === "number") set('[data-live="inside"]', data.inside);
    if (typeof data.arrived === "number") {
      set('[data-live="arrived"]', data.arrived);
      const box = stats();
      if (box && box.dataset.expected !== "") set("[data-live-outstanding]", Math.max(Number(box.dataset.expected) - data.arrived, 0));
    }
    if (data.percent !== undefined && data.percent !== null) {
      set('[data-live="percent"]', data.percent);
      const meter = root.querySelector("[data-meter]");
      if (meter) meter.style.width = Math.min(data.percent, 100) + "%";
    }
  }

  function addToFeed(entry) {
    if (!feed) return;
    const data = entry.data || {};
    const empty = feed.querySelector(".empty-feed");
    if (empty) empty.remove();
    const li = document.createElement("li");
    const kind = entry.type === "checkin.undone" ? "undone" : data.kind || entry.type.split(".")[1];
    li.className = kind;
    const when = document.createElement("span");
    when.className = "when";
    // In the event's zone (data-timezone), like every time the portal shows; 24-hour clock.
    when.textContent = new Date(entry.at).toLocaleTimeString("en-GB", {
      hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, timeZone: root.dataset.timezone || undefined,
    });
    const what = document.createElement("span");
    what.className = "what";
    const verb = entry.type === "checkin.undone" ? "undone" : (entry.type === "checkin.exit" ? "out" : "in");
    what.textContent = `${data.attendee_name || "ticket " + data.ticket_id} ${verb}${data.gate ? " · " + data.gate : ""}${data.manual ? " (manual)" : ""}`;
    li.append(when, what);
    feed.prepend(li);
    while (feed.children.length > 30) feed.lastElementChild.remove();
  }

  function refreshFigures() {
    if (refreshTimer || !window.htmx || !root.dataset.figuresUrl) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      window.htmx.ajax("GET", root.dataset.figuresUrl, { target: "#checkin-figures", swap: "innerHTML" });
    }, 1000);
  }

  function apply(entry) {
    const data = entry.data || {};
    if (entry.type === "checkin.occupancy_alert") {
      const alert = root.querySelector("[data-occupancy-alert]");
      if (alert) alert.classList.toggle("is-active", !!data.active);
      applyOccupancy(data);
      return;
    }
    if (!entry.type.startsWith("checkin.")) return;
    applyOccupancy(data);
    addToFeed(entry);
    refreshFigures();
  }

  window.EventHubStream.follow({
    stream,
    since: root.dataset.since,
    onStatus: show,
    onSubscribed: () => { root.dataset.liveReady = "1"; },
    onEntry: apply,
  });
})();
