import { auth } from "../lib/api.js";
import { $, html, mount, raw } from "../lib/dom.js";
import { busy, field, showErrors, values } from "../lib/forms.js";
import { t } from "../lib/i18n.js";
import { afterLogin } from "../lib/session.js";

// E-mail verification by code (ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED): the code arrives by
// e-mail; the pending signup or login continues once it is confirmed.
export default {
  auth: false,
  title: () => t("Confirm your e-mail"),
  async render(main, { go }) {
    mount(
      main,
      html`<h1>${t("Confirm your e-mail")}</h1>
      <form id="verify" class="card" novalidate>
        <p>${t("We sent you a code. Enter it here to finish.")}</p>
        <p class="form-error" role="alert"></p>
        ${raw(field({ name: "key", label: t("Code"), autocomplete: "one-time-code", required: true }))}
        <button type="submit">${t("Confirm")}</button>
      </form>
      <p><a href="#/login">${t("Back to log in")}</a></p>`,
    );
    const form = $("#verify", main);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      busy(form.querySelector("button"), async () => {
        const response = await auth("auth/email/verify", { method: "POST", body: values(form) });
        if (response.status === 200) return afterLogin(go, { fresh: true });
        if (response.status === 401) return go("/login");
        showErrors(form, response);
      });
    });
  },
};
