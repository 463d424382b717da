import { auth } from "../lib/api.js";
import { $, html, mount, raw } from "../lib/dom.js";
import { busy, field, showErrors, values } from "../lib/forms.js";
import { t } from "../lib/i18n.js";
import { afterLogin, pendingFlow, providers } from "../lib/session.js";

// Social providers, when configured (allauth's config endpoint lists them). A PWA cannot run a
// provider's native SDK for an id_token, so the buttons start allauth's web redirect flow.
export function socialButtons(list) {
  if (!list.length) return "";
  return html`<div class="social"><p>${t("Or continue with")}</p>
    ${list.map((p) => html`<a class="button secondary" href="/accounts/${p.id}/login/?process=login&amp;next=/app/">${p.name}</a>`)}
  </div>`;
}

export default {
  auth: false,
  title: () => t("Log in"),
  async render(main, { go }) {
    mount(
      main,
      html`<h1>${t("Log in")}</h1>
      <form id="login" class="card" novalidate>
        <p class="form-error" role="alert"></p>
        ${raw(field({ name: "email", label: t("E-mail"), type: "email", autocomplete: "email", required: true }))}
        ${raw(field({ name: "password", label: t("Password"), type: "password", autocomplete: "current-password", required: true }))}
        <button type="submit">${t("Log in")}</button>
      </form>
      <div id="social"></div>
      <p><a href="#/signup">${t("Create an account")}</a> · <a href="#/reset">${t("Forgot your password?")}</a></p>`,
    );
    providers().then((list) => mount($("#social", main), socialButtons(list)));
    const form = $("#login", main);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      busy(form.querySelector("button"), async () => {
        const response = await auth("auth/login", { method: "POST", body: values(form) });
        if (response.status === 200) return afterLogin(go);
        if (pendingFlow(response) === "verify_email") return go("/verify");
        showErrors(form, response);
      });
    });
  },
};
