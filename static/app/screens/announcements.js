import { html, mount } from "../lib/dom.js";
import { lookup } from "../lib/agenda.js";
import { t } from "../lib/i18n.js";
import { state } from "../lib/state.js";
import { clock, dayLabel, zoneFor } from "../lib/time.js";

// The event's announcements, newest first (from the bundle; new ones arrive on the stream).
export default {
  title: () => t("News"),
  async render(main, ctx) {
    function draw() {
      const b = state.bundle;
      const maps = lookup(b);
      const zone = zoneFor(b.event);
      const about = (a) =>
        a.session ? maps.sessions.get(a.session)?.title : a.track ? maps.tracks.get(a.track)?.name : "";
      mount(
        main,
        html`<h1>${t("Announcements")}</h1>
        ${b.announcements.length ? html`<ul class="news">${b.announcements.map((a) => html`<li class="${a.priority}">
          <p class="muted">${dayLabel(a.created_at, zone)} ${clock(a.created_at, zone)}${a.priority !== "info" ? html` · <strong>${a.priority === "urgent" ? t("Urgent") : t("Important")}</strong>` : ""}${about(a) ? ` · ${about(a)}` : ""}</p>
          <p>${a.text}</p></li>`)}</ul>` : html`<p class="muted">${t("No announcements yet.")}</p>`}`,
      );
    }
    draw();
    ctx.onBundle(draw);
  },
};
