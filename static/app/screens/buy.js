import { api, newKey } from "../lib/api.js";
import { $, html, mount } from "../lib/dom.js";
import { busy, showErrors } from "../lib/forms.js";
import { locale, t } from "../lib/i18n.js";
import { state } from "../lib/state.js";
import * as store from "../lib/store.js";

const money = (amount, currency) => new Intl.NumberFormat(locale(), { style: "currency", currency }).format(Number(amount));

// Buying goes through the existing web checkout: the order is created over the API; a free one
// is confirmed at once, a paid one continues on Stripe's checkout page and comes back here.
export default {
  title: () => t("Buy tickets"),
  async render(main, ctx) {
    mount(main, html`<h1>${t("Buy tickets")}</h1><p class="muted">${t("Loading…")}</p>`);
    const types = (await api(`events/${ctx.eventId}/ticket-types?page_size=100`)).results;
    const me = state.me;
    mount(
      main,
      html`<p><a href="#/e/${ctx.eventId}/tickets">← ${t("My tickets")}</a></p>
      <h1>${t("Buy tickets")}</h1>
      <form id="buy" class="card" novalidate>
        <p class="form-error" role="alert"></p>
        <fieldset><legend>${t("Ticket")}</legend>
        ${types.map((tt, i) => html`<label class="choice"><input type="radio" name="ticket_type" value="${tt.id}" ${i === 0 ? "checked" : ""} ${tt.available ? "" : "disabled"}>
          <span><strong>${tt.name}</strong> · ${tt.is_free ? t("Free") : money(tt.price, tt.currency)}${tt.available ? "" : html` · ${t("Sold out")}`}</span></label>`)}
        </fieldset>
        <div class="field"><label for="f-name">${t("Name on the ticket")}</label><input id="f-name" name="attendee_name" autocomplete="name" value="${me?.full_name || ""}" required></div>
        <button type="submit">${t("Continue")}</button>
      </form>`,
    );
    const form = $("#buy", main);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      busy(form.querySelector("button"), async () => {
        try {
          const order = await api(`events/${ctx.eventId}/orders`, {
            method: "POST",
            key: newKey(),
            body: { positions: [{ ticket_type: Number(form.ticket_type.value), attendee_name: form.attendee_name.value || me.email, attendee_email: me.email }] },
          });
          await store.del("kv", `tickets:${ctx.eventId}`);
          if (order.status === "paid") return ctx.go(`/e/${ctx.eventId}/tickets`);
          const back = `${location.origin}/app/#/e/${ctx.eventId}/tickets`;
          const checkout = await api(`events/${ctx.eventId}/orders/${order.code}/checkout-session`, { method: "POST", body: { return_url: back } });
          location.assign(checkout.url);
        } catch (error) {
          showErrors(form, error);
        }
      });
    });
  },
};
