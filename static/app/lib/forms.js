// Form helpers shared by the screens: field errors from the API or allauth, a busy button.
import { $, $$, esc } from "./dom.js";
import { t } from "./i18n.js";

export function values(form) {
  return Object.fromEntries(new FormData(form).entries());
}

export function clearErrors(form) {
  for (const el of $$(".field-error", form)) el.remove();
  for (const el of $$("[aria-invalid]", form)) el.removeAttribute("aria-invalid");
  const summary = $(".form-error", form);
  if (summary) summary.textContent = "";
}

// allauth: {errors: [{param, message}]}; our API: {error: {detail, fields: {name: msg|[msg]}}}.
export function showErrors(form, error) {
  clearErrors(form);
  const list = error?.body?.errors || error?.errors || [];
  const fields = { ...(error?.fields || {}) };
  for (const item of list) if (item.param) fields[item.param] = item.message;
  let shown = false;
  for (const [name, message] of Object.entries(fields)) {
    const input = form.elements[name];
    if (!input) continue;
    shown = true;
    input.setAttribute("aria-invalid", "true");
    const note = document.createElement("p");
    note.className = "field-error";
    note.id = `${input.id}-error`;
    note.textContent = Array.isArray(message) ? message.join(" ") : String(message);
    input.setAttribute("aria-describedby", note.id);
    input.after(note);
  }
  const summary = $(".form-error", form);
  const general = list.filter((item) => !item.param || !form.elements[item.param]).map((item) => item.message);
  if (summary) {
    summary.textContent = general.join(" ") || (!shown ? error?.message || t("Something went wrong. Try again.") : "");
  }
}

export async function busy(button, action) {
  button.disabled = true;
  try {
    return await action();
  } finally {
    button.disabled = false;
  }
}

export function field({ name, label, type = "text", value = "", autocomplete = "", required = false, hint = "" }) {
  const id = `f-${name}`;
  return `<div class="field"><label for="${id}">${esc(label)}</label>${hint ? `<p class="hint" id="${id}-hint">${esc(hint)}</p>` : ""}<input id="${id}" name="${esc(name)}" type="${type}" value="${esc(value)}"${autocomplete ? ` autocomplete="${autocomplete}"` : ""}${required ? " required" : ""}${hint ? ` aria-describedby="${id}-hint"` : ""}></div>`;
}
