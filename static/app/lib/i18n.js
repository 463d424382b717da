// Translations: Django's JavaScript catalogue (/app/jsi18n.js, from `makemessages -d djangojs`)
// defines window.gettext/ngettext/interpolate; without it the English text stands.
export function t(text, params) {
  const translated = typeof window.gettext === "function" ? window.gettext(text) : text;
  return params ? fill(translated, params) : translated;
}

export function tn(singular, plural, count, params) {
  const translated =
    typeof window.ngettext === "function" ? window.ngettext(singular, plural, count) : count === 1 ? singular : plural;
  return fill(translated, { count, ...params });
}

function fill(text, params) {
  return text.replace(/%\((\w+)\)s/g, (_, name) => (name in params ? String(params[name]) : ""));
}
