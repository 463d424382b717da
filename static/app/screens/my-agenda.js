import { applyColours, html, mount } from "../lib/dom.js";
import { conflicts, lookup, sessionRow } from "../lib/agenda.js";
import { t, tn } from "../lib/i18n.js";
import { state } from "../lib/state.js";
import { dayKey, dayLabel, zoneFor } from "../lib/time.js";
import { bindBookmarks } from "./agenda.js";

// My bookmarked sessions by day; overlapping ones are flagged.
export default {
  title: () => t("My agenda"),
  async render(main, ctx) {
    function draw() {
      const b = state.bundle;
      const maps = lookup(b);
      const zone = zoneFor(b.event);
      const mine = b.sessions.filter((s) => b.bookmarks.includes(s.id));
      const clash = conflicts(b);
      const days = [...new Set(mine.map((s) => dayKey(s.start, zone)))];
      mount(
        main,
        html`<h1>${t("My agenda")}</h1>
        ${clash.size ? html`<p class="conflict" role="status">${tn("%(count)s session overlaps another one.", "%(count)s sessions overlap each other.", clash.size)}</p>` : ""}
        ${mine.length ? "" : html`<p class="muted">${t("Tap ☆ on a session to add it here.")}</p>`}
        ${days.map((day) => {
          const list = mine.filter((s) => dayKey(s.start, zone) === day);
          return html`<h2>${dayLabel(list[0].start, zone)}</h2><ul class="sessions">${list.map((s) => sessionRow(s, { bundle: b, maps, conflict: clash.get(s.id) }))}</ul>`;
        })}`,
      );
      applyColours(main);
    }
    draw();
    bindBookmarks(main);
    ctx.onBundle(draw);
  },
};
