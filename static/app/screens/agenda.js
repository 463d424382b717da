import { applyColours, $, html, mount, on } from "../lib/dom.js";
import { conflicts, lookup, nowNext, sessionRow } from "../lib/agenda.js";
import { setBookmarked } from "../lib/data.js";
import { t } from "../lib/i18n.js";
import { state } from "../lib/state.js";
import { dayKey, dayLabel, zoneFor } from "../lib/time.js";

// Filters survive re-renders (live updates) and coming back from a session page.
const filters = { day: null, track: "", room: "", q: "" };

export function bindBookmarks(root) {
  on(root, "click", "[data-bookmark]", (e, button) => {
    const id = Number(button.dataset.bookmark);
    setBookmarked(id, !state.bundle.bookmarks.includes(id));
  });
}

export default {
  title: () => t("Agenda"),
  async render(main, ctx) {
    const bundle = state.bundle;
    mount(
      main,
      html`<h1>${bundle.event.name}</h1>
      <section id="nownext" aria-label="${t("Now and next")}"></section>
      <form class="filters" role="search" id="filters">
        <div class="field"><label for="q">${t("Search")}</label><input id="q" name="q" type="search" value="${filters.q}" placeholder="${t("Title, speaker, tag")}"></div>
        <div class="row">
          <div class="field"><label for="track">${t("Track")}</label><select id="track" name="track"></select></div>
          <div class="field"><label for="room">${t("Room")}</label><select id="room" name="room"></select></div>
        </div>
      </form>
      <div id="days" class="days" role="group" aria-label="${t("Days")}"></div>
      <ul class="sessions" id="list" aria-live="polite"></ul>`,
    );
    const form = $("#filters", main);
    form.addEventListener("input", () => {
      Object.assign(filters, { q: form.q.value, track: form.track.value, room: form.room.value });
      draw();
    });
    form.addEventListener("submit", (e) => e.preventDefault());
    on($("#days", main), "click", "[data-day]", (e, button) => {
      filters.day = button.dataset.day;
      draw();
    });
    bindBookmarks($("#list", main));
    bindBookmarks($("#nownext", main));

    function options(select, items, chosen, all) {
      mount(select, html`<option value="">${all}</option>${items.map((i) => html`<option value="${i.id}" ${String(i.id) === chosen ? "selected" : ""}>${i.name}</option>`)}`);
    }

    function draw() {
      const b = state.bundle;
      const zone = zoneFor(b.event);
      const maps = lookup(b);
      options(form.track, b.tracks, filters.track, t("All tracks"));
      options(form.room, b.rooms, filters.room, t("All rooms"));
      const days = [...new Map(b.sessions.map((s) => [dayKey(s.start, zone), s.start])).entries()];
      if (!days.some(([key]) => key === filters.day)) filters.day = days.find(([key]) => key === dayKey(new Date().toISOString(), zone))?.[0] || days[0]?.[0] || null;
      mount($("#days", main), html`${days.map(([key, iso]) => html`<button type="button" data-day="${key}" aria-pressed="${String(key === filters.day)}">${dayLabel(iso, zone)}</button>`)}`);
      const q = filters.q.trim().toLowerCase();
      const matches = (s) =>
        !q ||
        [s.title, s.abstract, ...(s.tags || []), ...s.speakers.map((id) => maps.speakers.get(id)?.name || "")].join(" ").toLowerCase().includes(q);
      const shown = b.sessions.filter(
        (s) =>
          (q || dayKey(s.start, zone) === filters.day) &&
          (!filters.track || String(s.track) === filters.track) &&
          (!filters.room || String(s.room) === filters.room) &&
          matches(s),
      );
      const clash = conflicts(b);
      mount($("#list", main), shown.length ? html`${shown.map((s) => sessionRow(s, { bundle: b, maps, conflict: clash.get(s.id) }))}` : html`<li class="muted">${b.schedule_version === null ? t("The schedule is not published yet.") : t("No sessions match.")}</li>`);
      const { now, next } = nowNext(b);
      mount(
        $("#nownext", main),
        now.length || next.length
          ? html`${now.length ? html`<h2>${t("Now")}</h2><ul class="sessions compact">${now.map((s) => sessionRow(s, { bundle: b, maps, anchor: false }))}</ul>` : ""}${next.length ? html`<h2>${t("Next")}</h2><ul class="sessions compact">${next.map((s) => sessionRow(s, { bundle: b, maps, anchor: false }))}</ul>` : ""}`
          : "",
      );
      applyColours(main);
    }
    draw();
    ctx.onBundle(draw);
    ctx.on("zone", draw);
  },
};
