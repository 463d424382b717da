// The attendee app's entry point: the service worker, the online/offline indicator, the banner
// for changes to bookmarked sessions, and the router. Screens live in screens/ (docs/app.md).
import { onSignedOutCall, setToken, token } from "./lib/api.js";
import { flush, signOutLocally } from "./lib/data.js";
import { $ } from "./lib/dom.js";
import { followLanguage, t } from "./lib/i18n.js";
import { listen, state } from "./lib/state.js";
import { localTime } from "./lib/time.js";
import { go, start } from "./router.js";

function netIndicator() {
  const el = $("#net");
  const offline = !navigator.onLine || (state.socket !== "live" && state.bundle);
  let text = "";
  if (!navigator.onLine) {
    text = state.syncedAt ? t("Offline — last updated %(time)s", { time: localTime(state.syncedAt) }) : t("Offline");
  } else if (state.bundle && state.socket === "connecting") {
    text = t("Connecting…");
  } else if (state.bundle && state.socket === "live") {
    text = t("Live");
  }
  if (state.pending) text += ` · ${t("%(count)s to sync", { count: state.pending })}`;
  el.textContent = text;
  el.dataset.state = !navigator.onLine ? "offline" : state.socket;
  el.classList.toggle("offline", Boolean(offline && !navigator.onLine));
}

// "Room changed: … now in Hall B" for a session in my agenda that the organizers changed.
function banner({ entry, before }) {
  if (!entry || !before || !entry.type.startsWith("session.")) return;
  const after = entry.data.session;
  if (!state.bundle.bookmarks.includes(after.id)) return;
  const room = (id) => state.bundle.rooms.find((r) => r.id === id)?.name || t("no room");
  const messages = [];
  if (after.status === "cancelled" && before.status !== "cancelled") messages.push(t("Cancelled: %(title)s", { title: after.title }));
  if (after.room !== before.room) messages.push(t("Room changed: %(title)s is now in %(room)s", { title: after.title, room: room(after.room) }));
  if (after.start !== before.start || after.end !== before.end) messages.push(t("Time changed: %(title)s", { title: after.title }));
  if (!messages.length) return;
  const el = $("#banner");
  el.innerHTML = "";
  const text = document.createElement("p");
  text.textContent = messages.join(" · ");
  const link = document.createElement("a");
  link.href = `#/e/${state.bundle.event.id}/sessions/${after.id}`;
  link.textContent = t("View");
  const close = document.createElement("button");
  close.type = "button";
  close.className = "link";
  close.textContent = t("Dismiss");
  close.addEventListener("click", () => (el.hidden = true));
  el.append(text, link, close);
  el.hidden = false;
}

async function boot() {
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch(() => {});
  onSignedOutCall(async () => {
    setToken(null);
    await signOutLocally();
    go("/login");
  });
  listen("net", netIndicator);
  listen("me", () => followLanguage(state.me?.language)); // the profile's language (docs/app.md)
  listen("bundle", (detail) => {
    netIndicator();
    banner(detail);
  });
  window.addEventListener("online", netIndicator);
  window.addEventListener("offline", netIndicator);
  if (token()) flush();
  await start(); // the router loads me (with the first screen's data)
  netIndicator();
  document.documentElement.dataset.ready = "1"; // for tests and the benchmark: interactive
}

boot();
