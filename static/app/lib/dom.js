// Small DOM helpers: every string goes through textContent or an escaped template, never raw HTML.
const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

// html`<p>${text}</p>`: interpolations are escaped unless wrapped in raw().
export function html(strings, ...values) {
  let out = strings[0];
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1];
  });
  return { __html: out };
}

function render(value) {
  if (value == null || value === false) return "";
  if (Array.isArray(value)) return value.map(render).join("");
  if (typeof value === "object" && "__html" in value) return value.__html;
  return esc(value);
}

export function raw(text) {
  return { __html: text };
}

export function mount(target, fragment) {
  target.innerHTML = render(fragment);
  return target;
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function $$(selector, root = document) {
  return [...root.querySelectorAll(selector)];
}

export function on(root, event, selector, handler) {
  root.addEventListener(event, (e) => {
    const target = e.target.closest(selector);
    if (target && root.contains(target)) handler(e, target);
  });
}

// Colours from data (track colours) go through CSSOM: the CSP has no 'unsafe-inline' styles.
export function applyColours(root) {
  for (const el of $$("[data-colour]", root)) {
    if (/^#[0-9a-fA-F]{3,8}$/.test(el.dataset.colour)) el.style.setProperty("--track", el.dataset.colour);
  }
}
