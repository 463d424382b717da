import { $, html, mount } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { loadMe } from "../lib/data.js";
import { bindProfileForm, profileForm } from "../lib/profile-form.js";

// Once after signing up: say who you are (all optional), or skip.
export default {
  title: () => t("Welcome"),
  async render(main, { go }) {
    const me = await loadMe({ fresh: true });
    const done = () => {
      localStorage.setItem("eventhub.onboarded", "1");
      go("/");
    };
    mount(
      main,
      html`<h1>${t("Welcome to EventHub")}</h1>
      <p>${t("Tell other attendees who you are. You can change this later, or skip it.")}</p>
      ${profileForm(me, { submitLabel: t("Save and continue"), extra: html`<button type="button" class="secondary" id="skip">${t("Skip")}</button>` })}`,
    );
    $("#skip", main).addEventListener("click", done);
    bindProfileForm(main, { onSaved: done });
  },
};
