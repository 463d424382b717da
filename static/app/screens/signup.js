import { auth } from "../lib/api.js";
import { $, html, mount, raw } from "../lib/dom.js";
import { busy, field, showErrors, values } from "../lib/forms.js";
import { t } from "../lib/i18n.js";
import { afterLogin, pendingFlow, providers } from "../lib/session.js";
import { socialButtons } from "./login.js";

export default {
  auth: false,
  title: () => t("Create an account"),
  async render(main, { go }) {
    mount(
      main,
      html`<h1>${t("Create an account")}</h1>
      <form id="signup" class="card" novalidate>
        <p class="form-error" role="alert"></p>
        ${raw(field({ name: "email", label: t("E-mail"), type: "email", autocomplete: "email", required: true }))}
        ${raw(field({ name: "password", label: t("Password"), type: "password", autocomplete: "new-password", required: true, hint: t("At least 8 characters, not only digits.") }))}
        <button type="submit">${t("Sign up")}</button>
      </form>
      <div id="social"></div>
      <p>${t("Already have an account?")} <a href="#/login">${t("Log in")}</a></p>`,
    );
    providers().then((list) => mount($("#social", main), socialButtons(list)));
    const form = $("#signup", main);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      busy(form.querySelector("button"), async () => {
        const body = values(form);
        const response = await auth("auth/signup", { method: "POST", body: { ...body, password2: body.password } });
        if (response.status === 200) return afterLogin(go, { fresh: true });
        if (pendingFlow(response) === "verify_email") return go("/verify");
        showErrors(form, response);
      });
    });
  },
};
