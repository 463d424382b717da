import { $, html, mount } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { loadMe } from "../lib/data.js";
import { bindProfileForm, profileForm } from "../lib/profile-form.js";
import { signOut } from "../lib/session.js";

export default {
  title: () => t("Profile"),
  async render(main, { go }) {
    const me = await loadMe({ fresh: true });
    mount(
      main,
      html`<h1>${t("Profile")}</h1>
      <p class="muted">${me.email}</p>
      <p class="saved" role="status" id="saved"></p>
      ${profileForm(me, { submitLabel: t("Save") })}
      <button type="button" class="secondary" id="logout">${t("Log out")}</button>`,
    );
    bindProfileForm(main, { onSaved: () => { $("#saved", main).textContent = t("Saved."); } });
    $("#logout", main).addEventListener("click", () => signOut(go));
  },
};
