import { html, mount } from "../lib/dom.js";
import { loadTickets } from "../lib/data.js";
import { t } from "../lib/i18n.js";

export const ticketStatus = (s) => ({ valid: t("Valid"), revoked: t("Revoked"), unpaid: t("Unpaid") })[s] || s;

// My tickets for this event (kept on the phone with their QR payloads for offline use).
export default {
  title: () => t("My tickets"),
  async render(main, ctx) {
    mount(main, html`<h1>${t("My tickets")}</h1><p class="muted">${t("Loading…")}</p>`);
    let tickets = [];
    let failed = false;
    try {
      tickets = await loadTickets(ctx.eventId);
    } catch {
      failed = true;
    }
    mount(
      main,
      html`<h1>${t("My tickets")}</h1>
      ${failed ? html`<p class="muted">${t("Your tickets show here once you have been online.")}</p>` : ""}
      ${tickets.length ? html`<ul class="cards">${tickets.map((ticket) => html`<li class="event-card">
          <div><strong>${ticket.ticket_type.name}</strong><br><span class="muted">${ticket.attendee_name} · ${ticketStatus(ticket.status)}</span></div>
          <a class="button" href="#/e/${ctx.eventId}/tickets/${ticket.id}" aria-label="${t("Show QR code of %(name)s", { name: ticket.ticket_type.name })}">${t("Show QR")}</a></li>`)}</ul>` : !failed ? html`<p class="muted">${t("You have no tickets for this event yet.")}</p>` : ""}
      <p><a class="button secondary" href="#/e/${ctx.eventId}/buy">${t("Buy tickets")}</a></p>`,
    );
  },
};
