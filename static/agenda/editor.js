// The schedule editor on the grid (#grid .board[data-editor]): drag a session to another room or
// time, drag its lower edge to change its length, click an empty slot to add a session there,
// and do all of it from the keyboard (Enter picks a focused session up, arrows move it — Shift:
// 15 minutes, Left/Right: room, Alt+Up/Down: length — Enter drops, Escape cancels). Every drop
// posts the new room, start and end to the session's place URL through htmx; the server runs
// the same conflict checks as the forms and answers with the grid, a refusal shown on the block.
// Also draws the "now" line. Times are wall-clock times in the event's zone throughout (the
// board's data-first is the first row's): no browser time zone is involved.
(function () {
  "use strict";
  const container = document.getElementById("grid");
  if (!container) return;
  const live = document.createElement("div");
  live.className = "visually-hidden";
  live.setAttribute("aria-live", "assertive");
  live.id = "editor-announce";
  document.body.appendChild(live);

  const board = () => container.querySelector(".board[data-editor]");
  const csrf = () => {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  };
  const announce = (text) => { live.textContent = text; };

  // Wall-clock arithmetic on "YYYY-MM-DDTHH:MM" strings, as if in UTC (no zone, no DST).
  function parse(text) {
    const [d, t] = text.split("T");
    const [y, m, day] = d.split("-").map(Number);
    const [h, mi] = t.split(":").map(Number);
    return Date.UTC(y, m - 1, day, h, mi);
  }
  function format(ms) {
    const dt = new Date(ms), pad = (n) => String(n).padStart(2, "0");
    return `${dt.getUTCFullYear()}-${pad(dt.getUTCMonth() + 1)}-${pad(dt.getUTCDate())}T${pad(dt.getUTCHours())}:${pad(dt.getUTCMinutes())}`;
  }
  const clock = (text) => text.slice(11, 16);
  const minutesBetween = (a, b) => (parse(b) - parse(a)) / 60000;
  const addMinutes = (text, minutes) => format(parse(text) + minutes * 60000);

  function geometry(b) {
    return { first: b.dataset.first, slot: Number(b.dataset.slot), rowPx: Number(b.dataset.rowPx), rows: Number(b.dataset.rows) };
  }
  function lanes(b) { return Array.from(b.querySelectorAll(".lane")); }

  function place(block, room, start, end) {
    const b = board();
    block.classList.add("saving");
    return window.htmx.ajax("POST", block.dataset.placeUrl, {
      target: "#grid",
      swap: "innerHTML",
      values: { room: room, start: start, end: end, day: b ? b.dataset.day : "" },
      headers: { "X-CSRFToken": csrf() },
    });
  }

  // Position a block (visually, before the server answers) at a start/end/lane.
  function show(block, lane, start, end) {
    const g = geometry(board());
    const rowStart = 2 + Math.round(minutesBetween(g.first, start) / g.slot);
    const rowEnd = Math.max(rowStart + 1, 2 + Math.round(minutesBetween(g.first, end) / g.slot));
    block.style.gridColumn = lane.dataset.column;
    block.style.gridRow = `${rowStart} / ${rowEnd}`;
    const time = block.querySelector(".block-time");
    if (time) time.textContent = `${clock(start)}–${clock(end)}`;
  }

  // --- pointer: drag and drop ---------------------------------------------------------------
  let drag = null;
  container.addEventListener("dragstart", (event) => {
    const block = event.target.closest ? event.target.closest(".session-block[data-place-url]") : null;
    if (!block) return;
    const rect = block.getBoundingClientRect();
    drag = { block, grab: event.clientY - rect.top };
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", block.dataset.session);
    block.classList.add("dragging");
  });
  container.addEventListener("dragend", () => {
    if (drag) drag.block.classList.remove("dragging");
    container.querySelectorAll(".lane.drop-target").forEach((l) => l.classList.remove("drop-target"));
  });
  function laneAt(x, y) {
    const b = board();
    if (!b) return null;
    return lanes(b).find((lane) => {
      const r = lane.getBoundingClientRect();
      return x >= r.left && x < r.right && y >= r.top - 40 && y < r.bottom + 40;
    }) || null;
  }
  function startAt(lane, y, grab) {
    const g = geometry(board());
    const top = lane.getBoundingClientRect().top;
    const rows = Math.round((y - top - grab) / g.rowPx);
    return addMinutes(g.first, Math.max(0, rows) * g.slot);
  }
  container.addEventListener("dragover", (event) => {
    if (!drag) return;
    const lane = laneAt(event.clientX, event.clientY);
    if (!lane) return;
    event.preventDefault();
    container.querySelectorAll(".lane.drop-target").forEach((l) => l !== lane && l.classList.remove("drop-target"));
    lane.classList.add("drop-target");
  });
  container.addEventListener("drop", (event) => {
    if (!drag) return;
    const lane = laneAt(event.clientX, event.clientY);
    if (!lane) return;
    event.preventDefault();
    const block = drag.block;
    const length = minutesBetween(block.dataset.start, block.dataset.end);
    const start = startAt(lane, event.clientY, drag.grab);
    const end = addMinutes(start, length);
    drag = null;
    show(block, lane, start, end);
    place(block, lane.dataset.room, start, end);
  });

  // --- pointer: resize from the lower edge ------------------------------------------------------
  container.addEventListener("pointerdown", (event) => {
    const handle = event.target.closest ? event.target.closest("[data-resize]") : null;
    if (!handle) return;
    event.preventDefault();
    event.stopPropagation();
    const block = handle.closest(".session-block");
    const g = geometry(board());
    const lane = lanes(board()).find((l) => l.dataset.column === getComputedStyle(block).gridColumnStart) || lanes(board())[0];
    const originY = event.clientY;
    let end = block.dataset.end;
    block.setAttribute("draggable", "false");
    const move = (e) => {
      const slots = Math.round((e.clientY - originY) / g.rowPx);
      end = addMinutes(block.dataset.end, slots * g.slot);
      if (minutesBetween(block.dataset.start, end) < g.slot) end = addMinutes(block.dataset.start, g.slot);
      show(block, lane, block.dataset.start, end);
    };
    const up = () => {
      document.removeEventListener("pointermove", move);
      document.removeEventListener("pointerup", up);
      block.setAttribute("draggable", "true");
      if (end !== block.dataset.end) place(block, block.dataset.room, block.dataset.start, end);
    };
    document.addEventListener("pointermove", move);
    document.addEventListener("pointerup", up);
  });

  // --- click an empty slot: a new session there ---------------------------------------------------
  container.addEventListener("click", (event) => {
    const lane = event.target.closest ? event.target.closest(".lane") : null;
    const b = board();
    if (!lane || !b || !lane.dataset.room) return;
    const g = geometry(b);
    const rows = Math.floor((event.clientY - lane.getBoundingClientRect().top) / g.rowPx);
    const minutes = Math.floor((rows * g.slot) / 15) * 15; // a quarter-hour grid is what people mean
    const start = addMinutes(g.first, minutes);
    window.location.href = `${b.dataset.createUrl}?room=${encodeURIComponent(lane.dataset.room)}&start=${encodeURIComponent(start)}`;
  });

  // --- keyboard: pick up, move, drop ----------------------------------------------------------------
  let held = null;
  function describe(h) {
    const name = h.lane.dataset.roomName;
    return `${h.block.dataset.title}: ${clock(h.start)}–${clock(h.end)}, ${name}`;
  }
  container.addEventListener("keydown", (event) => {
    const block = event.target.closest ? event.target.closest(".session-block[data-place-url]") : null;
    if (!block || event.target !== block) return;
    const b = board();
    const all = lanes(b);
    if (!held) {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      const lane = all.find((l) => l.dataset.room === block.dataset.room) || all[all.length - 1];
      held = { block, lane, start: block.dataset.start, end: block.dataset.end };
      block.classList.add("lifted");
      block.setAttribute("aria-grabbed", "true");
      announce(`Picked up ${describe(held)}. Arrow keys move it, Enter drops, Escape cancels.`);
      return;
    }
    if (held.block !== block) return;
    const g = geometry(b);
    const step = event.shiftKey ? 15 : g.slot;
    const index = all.indexOf(held.lane);
    let handled = true;
    if (event.key === "ArrowUp" && event.altKey) {
      if (minutesBetween(held.start, held.end) > step) held.end = addMinutes(held.end, -step);
    } else if (event.key === "ArrowDown" && event.altKey) {
      held.end = addMinutes(held.end, step);
    } else if (event.key === "ArrowUp") {
      held.start = addMinutes(held.start, -step); held.end = addMinutes(held.end, -step);
    } else if (event.key === "ArrowDown") {
      held.start = addMinutes(held.start, step); held.end = addMinutes(held.end, step);
    } else if (event.key === "ArrowLeft" && index > 0) {
      held.lane = all[index - 1];
    } else if (event.key === "ArrowRight" && index < all.length - 1) {
      held.lane = all[index + 1];
    } else if (event.key === "Escape") {
      const original = held;
      held = null;
      block.classList.remove("lifted");
      block.removeAttribute("aria-grabbed");
      const lane = all.find((l) => l.dataset.room === block.dataset.room) || all[all.length - 1];
      show(block, lane, original.block.dataset.start, original.block.dataset.end);
      announce(`Cancelled: ${block.dataset.title} stays where it was.`);
    } else if (event.key === "Enter" || event.key === " ") {
      const h = held;
      held = null;
      announce(`Dropped ${describe(h)}.`);
      place(block, h.lane.dataset.room, h.start, h.end);
    } else {
      handled = false;
    }
    if (!handled) return;
    event.preventDefault();
    if (held) {
      show(block, held.lane, held.start, held.end);
      announce(describe(held));
    }
  });

  // After a swap, keep the keyboard user on the session they moved.
  let focusAfterSwap = null;
  container.addEventListener("htmx:beforeRequest", (event) => {
    const block = document.activeElement && document.activeElement.closest && document.activeElement.closest(".session-block");
    focusAfterSwap = block ? block.id : null;
  });

  // --- the "now" line --------------------------------------------------------------------------------
  function drawNow() {
    const b = board();
    if (!b) return;
    const line = b.querySelector("[data-now-line]");
    const lane = b.querySelector(".lane");
    if (!line || !lane) return;
    const g = geometry(b);
    const minutes = (Date.now() - Date.parse(b.dataset.firstInstant)) / 60000;
    if (!(minutes >= 0 && minutes <= g.rows * g.slot)) { line.hidden = true; return; }
    line.hidden = false;
    line.style.top = `${lane.offsetTop + (minutes / g.slot) * g.rowPx}px`;
  }
  document.body.addEventListener("htmx:afterSwap", () => {
    drawNow();
    if (focusAfterSwap) {
      const again = document.getElementById(focusAfterSwap);
      if (again) again.focus();
      focusAfterSwap = null;
    }
  });
  drawNow();
  setInterval(drawNow, 60000);
})();
