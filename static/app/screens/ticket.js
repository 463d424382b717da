import qrcode from "/static/vendor/qrcode-generator/qrcode.mjs";
import { $, html, mount } from "../lib/dom.js";
import { loadTickets } from "../lib/data.js";
import { t } from "../lib/i18n.js";
import { ticketStatus } from "./tickets.js";

// One ticket's QR code, drawn on the phone from the signed payload (works offline), full screen
// on request, with a hint to turn the brightness up (the web cannot set it).
export function qrDataUrl(payload) {
  const qr = qrcode(0, "M");
  qr.addData(payload);
  qr.make();
  return qr.createDataURL(8, 4);
}

export default {
  title: () => t("Ticket"),
  async render(main, ctx) {
    const id = Number(ctx.params.ticket);
    const tickets = await loadTickets(ctx.eventId).catch(() => []);
    const ticket = tickets.find((x) => x.id === id);
    if (!ticket) {
      mount(main, html`<h1>${t("Ticket not found")}</h1><p><a href="#/e/${ctx.eventId}/tickets">${t("My tickets")}</a></p>`);
      return;
    }
    mount(
      main,
      html`<p><a href="#/e/${ctx.eventId}/tickets">← ${t("My tickets")}</a></p>
      <h1>${ticket.ticket_type.name}</h1>
      <p class="muted">${ticket.attendee_name} · ${ticketStatus(ticket.status)} · ${t("Order %(code)s", { code: ticket.order })}</p>
      <div class="qr-box" id="qr-box">
        ${ticket.qr_payload ? html`<img id="qr" class="qr" src="${qrDataUrl(ticket.qr_payload)}" alt="${t("QR code of ticket %(id)s", { id: ticket.id })}">` : html`<p>${t("This ticket has no valid QR code.")}</p>`}
        <p class="hint">${t("Turn your screen brightness up at the entrance.")}</p>
      </div>
      ${ticket.qr_payload ? html`<button type="button" id="full">${t("Full screen")}</button>` : ""}`,
    );
    const full = $("#full", main);
    full?.addEventListener("click", () => {
      const box = $("#qr-box", main);
      if (document.fullscreenElement) document.exitFullscreen();
      else box.requestFullscreen?.().catch(() => box.classList.toggle("fullscreen"));
    });
    const exit = () => document.fullscreenElement && document.exitFullscreen().catch(() => {});
    ctx.cleanup(exit);
  },
};
