// Hash routes (#/e/12/agenda): the server serves one shell for every screen, and the service
// worker caches that one page. A screen is a module in screens/ registered in screens/index.js.
import { token } from "./lib/api.js";
import { $, html, mount } from "./lib/dom.js";
import { loadMe, openEvent } from "./lib/data.js";
import { t } from "./lib/i18n.js";
import { listen, state } from "./lib/state.js";
import { routes } from "./screens/index.js";

const compiled = routes.map((route) => ({
  ...route,
  regex: new RegExp(`^${route.path.replace(/:(\w+)/g, "(?<$1>[^/]+)")}$`),
}));

let current = null; // {route, cleanup}

export function go(path) {
  if (location.hash === `#${path}`) render();
  else location.hash = path;
}

function match(path) {
  for (const route of compiled) {
    const m = route.regex.exec(path);
    if (m) return { route, params: Object.fromEntries(Object.entries(m.groups || {}).map(([k, v]) => [k, decodeURIComponent(v)])) };
  }
  return null;
}

function tabs(eventId) {
  const nav = $("#tabs");
  if (!eventId) {
    nav.hidden = true;
    return;
  }
  const here = location.hash.slice(1);
  const items = [
    [`/e/${eventId}/agenda`, t("Agenda")],
    [`/e/${eventId}/mine`, t("My agenda")],
    [`/e/${eventId}/news`, t("News")],
    [`/e/${eventId}/tickets`, t("Tickets")],
    ["/profile", t("Profile")],
  ];
  mount(nav, html`${items.map(([href, label]) => html`<a href="#${href}" ${here.startsWith(href) ? html`aria-current="page"` : ""}>${label}</a>`)}`);
  nav.hidden = false;
}

export async function render() {
  const path = location.hash.slice(1).split("?")[0] || "/";
  const found = match(path) || match("/");
  const { route, params } = found;
  if (route.auth !== false && !token()) {
    if (path !== "/") sessionStorage.setItem("eventhub.next", path); // back here after the login
    go(`/login`);
    return;
  }
  current?.cleanup?.();
  current = null;
  const main = $("#main");
  const eventId = params.event ? Number(params.event) : null;
  // The change banner belongs to the event it is about.
  if (route.auth === false || (eventId && eventId !== state.eventId)) $("#banner").hidden = true;
  try {
    // Both at once: on a cold start each is a round trip.
    await Promise.all([!state.me && route.auth !== false ? loadMe() : null, eventId ? openEvent(eventId) : null]);
  } catch (error) {
    mount(main, html`<h1>${t("This event is not available")}</h1><p>${error.message}</p><p><a href="#/">${t("My events")}</a></p>`);
    return;
  }
  tabs(eventId || (route.keepTabs ? state.eventId : null));
  const title = route.screen.title(params);
  document.title = `${title} · EventHub`;
  const cleanups = [];
  const ctx = {
    params,
    eventId,
    go,
    onBundle: (handler) => cleanups.push(listen("bundle", handler)),
    on: (name, handler) => cleanups.push(listen(name, handler)),
    cleanup: (fn) => cleanups.push(fn),
  };
  current = { route, cleanup: () => cleanups.forEach((fn) => fn()) };
  await route.screen.render(main, ctx);
  // Move focus to the new screen's heading, as a page load would for a screen reader.
  const heading = main.querySelector("h1");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

export function start() {
  window.addEventListener("hashchange", render);
  return render();
}
