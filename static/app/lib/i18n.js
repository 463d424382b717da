// Translations: Django's JavaScript catalogue (/app/jsi18n.js, from `makemessages -d djangojs`)
// defines window.gettext/ngettext/interpolate; without it the English text stands.
export function t(text, params) {
  const translated = typeof window.gettext === "function" ? window.gettext(text) : text;
  return params ? fill(translated, params) : translated;
}

// The language the server chose (the user's setting, the language cookie or the browser's):
// <html lang> of the shell, the same one /app/jsi18n.js was made for. Dates and numbers use it.
export const locale = () => document.documentElement.lang || undefined;

// The user's setting in their profile travels to the server as the language cookie (the
// catalogue is a plain <script>, sent no token): when it differs from what this page was made
// in, keep the cookie and load the page again, once.
export function followLanguage(language) {
  if (!language || language === locale()) return false;
  document.cookie = `django_language=${encodeURIComponent(language)}; path=/; max-age=31536000; samesite=lax`;
  if (sessionStorage.getItem("eventhub-language-reload") === language) return false;
  sessionStorage.setItem("eventhub-language-reload", language);
  location.reload();
  return true;
}

export function tn(singular, plural, count, params) {
  const translated =
    typeof window.ngettext === "function" ? window.ngettext(singular, plural, count) : count === 1 ? singular : plural;
  return fill(translated, { count, ...params });
}

function fill(text, params) {
  return text.replace(/%\((\w+)\)s/g, (_, name) => (name in params ? String(params[name]) : ""));
}
