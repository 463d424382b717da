import { api, isNetworkError, newKey } from "../lib/api.js";
import { $, html, mount, on } from "../lib/dom.js";
import { cached } from "../lib/data.js";
import { t } from "../lib/i18n.js";
import { dateRange } from "../lib/time.js";

function card(event, action) {
  return html`<li class="event-card">
    <div><strong>${event.name}</strong><br><span class="muted">${dateRange(event.start, event.end, event.timezone)}${event.venue_name ? ` · ${event.venue_name}` : ""}</span></div>
    ${action}
  </li>`;
}

// My events (those I take part in), and the listed events open to join.
export default {
  title: () => t("My events"),
  async render(main, { go }) {
    mount(main, html`<h1>${t("My events")}</h1><ul class="cards" id="mine"><li class="muted">${t("Loading…")}</li></ul>
      <h2>${t("Open events to join")}</h2><ul class="cards" id="open"><li class="muted">${t("Loading…")}</li></ul>`);
    const mine = await cached("my-events", async () => (await api("me/events?page_size=100")).results);
    const mineIds = new Set(mine.map((e) => e.id));
    mount(
      $("#mine", main),
      mine.length
        ? html`${mine.map((e) => card(e, html`<a class="button" href="#/e/${e.id}/agenda" aria-label="${t("Open %(name)s", { name: e.name })}">${t("Open")}</a>`))}`
        : html`<li class="muted">${t("You have not joined an event yet.")}</li>`,
    );
    let open = [];
    try {
      open = (await api("events/open?page_size=100")).results.filter((e) => !mineIds.has(e.id));
    } catch (error) {
      if (!isNetworkError(error)) throw error;
      mount($("#open", main), html`<li class="muted">${t("Offline: open events show when you are back online.")}</li>`);
      return;
    }
    mount(
      $("#open", main),
      open.length
        ? html`${open.map((e) => card(e, html`<button type="button" data-join="${e.id}" aria-label="${t("Join %(name)s", { name: e.name })}">${t("Join")}</button>`))}`
        : html`<li class="muted">${t("No open events right now.")}</li>`,
    );
    on($("#open", main), "click", "[data-join]", async (e, button) => {
      button.disabled = true;
      await api(`events/${button.dataset.join}/join`, { method: "POST", key: newKey() });
      go(`/e/${button.dataset.join}/agenda`);
    });
  },
};
