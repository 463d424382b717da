import { auth } from "../lib/api.js";
import { $, html, mount, raw } from "../lib/dom.js";
import { busy, field, showErrors, values } from "../lib/forms.js";
import { t } from "../lib/i18n.js";
import { afterLogin } from "../lib/session.js";

// Password reset by code (ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED): ask for a code, then set a
// new password with it. The answer never says whether the address has an account.
export default {
  auth: false,
  title: () => t("Reset your password"),
  async render(main, { go }) {
    mount(
      main,
      html`<h1>${t("Reset your password")}</h1>
      <form id="reset-request" class="card" novalidate>
        <p class="form-error" role="alert"></p>
        ${raw(field({ name: "email", label: t("E-mail"), type: "email", autocomplete: "email", required: true }))}
        <button type="submit">${t("Send me a code")}</button>
      </form>
      <form id="reset-confirm" class="card" novalidate hidden>
        <p role="status">${t("If the address has an account, a code is on its way.")}</p>
        <p class="form-error" role="alert"></p>
        ${raw(field({ name: "key", label: t("Code"), autocomplete: "one-time-code", required: true }))}
        ${raw(field({ name: "password", label: t("New password"), type: "password", autocomplete: "new-password", required: true }))}
        <button type="submit">${t("Set password")}</button>
      </form>
      <p><a href="#/login">${t("Back to log in")}</a></p>`,
    );
    const ask = $("#reset-request", main);
    const confirm = $("#reset-confirm", main);
    ask.addEventListener("submit", (e) => {
      e.preventDefault();
      busy(ask.querySelector("button"), async () => {
        const response = await auth("auth/password/request", { method: "POST", body: values(ask) });
        if (response.status === 200 || response.status === 401) {
          ask.hidden = true;
          confirm.hidden = false;
          confirm.elements.key.focus();
        } else showErrors(ask, response);
      });
    });
    confirm.addEventListener("submit", (e) => {
      e.preventDefault();
      busy(confirm.querySelector("button"), async () => {
        const response = await auth("auth/password/reset", { method: "POST", body: values(confirm) });
        if (response.status === 200) return afterLogin(go);
        if (response.status === 401) return go("/login");
        showErrors(confirm, response);
      });
    });
  },
};
