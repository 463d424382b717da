// The profile form of onboarding and of the profile screen: name, photo, interests, language.
import { api } from "./api.js";
import { $, html, mount, raw } from "./dom.js";
import { busy, field, showErrors } from "./forms.js";
import { followLanguage, t } from "./i18n.js";
import { loadMe } from "./data.js";
import { state } from "./state.js";

// Each language named in itself, as language pickers do; "" follows the browser.
const LANGUAGES = [["en", "English"], ["de", "Deutsch"]];

function languageField(current) {
  const options = [["", t("Same as my browser")], ...LANGUAGES]
    .map(([code, name]) => html`<option value="${code}"${raw(code === (current || "") ? " selected" : "")}>${name}</option>`);
  return html`<div class="field"><label for="f-language">${t("Language")}</label><select id="f-language" name="language">${options}</select></div>`;
}

export function profileForm(me, { submitLabel, extra = "" }) {
  return html`<form id="profile" class="card" novalidate>
    <p class="form-error" role="alert"></p>
    <div class="photo-row">
      ${me.photo ? html`<img class="avatar" src="${me.photo}" alt="${t("Your photo")}">` : html`<span class="avatar empty" aria-hidden="true">${(me.full_name || me.email || "?").slice(0, 1).toUpperCase()}</span>`}
      <div class="field"><label for="f-photo">${t("Photo")}</label><input id="f-photo" name="photo" type="file" accept="image/jpeg,image/png,image/webp"></div>
    </div>
    ${raw(field({ name: "full_name", label: t("Name"), value: me.full_name, autocomplete: "name" }))}
    ${raw(field({ name: "job_title", label: t("Job title"), value: me.job_title, autocomplete: "organization-title" }))}
    ${raw(field({ name: "company", label: t("Company"), value: me.company, autocomplete: "organization" }))}
    ${raw(field({ name: "interests", label: t("Interests"), value: (me.interests || []).join(", "), hint: t("Separate them with commas, e.g. Python, design, AI.") }))}
    <div class="field"><label for="f-bio">${t("About you")}</label><textarea id="f-bio" name="bio" rows="3">${me.bio}</textarea></div>
    ${languageField(me.language)}
    <div class="actions"><button type="submit">${submitLabel}</button>${extra}</div>
  </form>`;
}

export function bindProfileForm(root, { onSaved }) {
  const form = $("#profile", root);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    busy(form.querySelector("button[type=submit]"), async () => {
      const data = new FormData(form);
      const interests = String(data.get("interests") || "").split(",").map((s) => s.trim()).filter(Boolean);
      try {
        await api("me", {
          method: "PATCH",
          body: { full_name: data.get("full_name"), job_title: data.get("job_title"), company: data.get("company"), bio: data.get("bio"), interests, language: data.get("language") || "" },
        });
        const photo = data.get("photo");
        if (photo && photo.size) {
          const upload = new FormData();
          upload.append("photo", photo);
          await api("me", { method: "PATCH", form: upload });
        }
        await loadMe({ fresh: true });
        if (followLanguage(state.me.language)) return; // reloading in the new language
        onSaved(state.me);
      } catch (error) {
        showErrors(form, error);
      }
    });
  });
}

export { mount };
