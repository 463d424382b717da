// Reads over the current bundle shared by the agenda screens: lookups by id, conflicts among my
// bookmarks, "now / next", and one session row.
import { html } from "./dom.js";
import { t } from "./i18n.js";
import { state } from "./state.js";
import { span, zoneFor } from "./time.js";

export function lookup(bundle = state.bundle) {
  const index = (list) => new Map(list.map((item) => [item.id, item]));
  return { rooms: index(bundle.rooms), tracks: index(bundle.tracks), speakers: index(bundle.speakers), sessions: index(bundle.sessions) };
}

const live = (s) => s.status !== "cancelled";
const overlaps = (a, b) => a.start < b.end && b.start < a.end;

// session id -> ids of the other bookmarked sessions it overlaps (cancelled ones conflict with
// nothing), like the API's my-bookmarks list.
export function conflicts(bundle = state.bundle) {
  const marked = bundle.sessions.filter((s) => bundle.bookmarks.includes(s.id) && live(s));
  const out = new Map();
  for (const a of marked) {
    const others = marked.filter((b) => b.id !== a.id && overlaps({ start: Date.parse(a.start), end: Date.parse(a.end) }, { start: Date.parse(b.start), end: Date.parse(b.end) }));
    if (others.length) out.set(a.id, others.map((b) => b.id));
  }
  return out;
}

export function nowNext(bundle = state.bundle, at = Date.now()) {
  const sessions = bundle.sessions.filter(live);
  const now = sessions.filter((s) => Date.parse(s.start) <= at && at < Date.parse(s.end));
  const upcoming = sessions.filter((s) => Date.parse(s.start) > at);
  const nextStart = upcoming.length ? Math.min(...upcoming.map((s) => Date.parse(s.start))) : null;
  return { now, next: upcoming.filter((s) => Date.parse(s.start) === nextStart) };
}

export function statusLabel(status) {
  return { cancelled: t("Cancelled"), delayed: t("Delayed"), moved: t("Moved") }[status] || "";
}

export function sessionRow(session, { bundle = state.bundle, maps = lookup(bundle), conflict = null, anchor = true } = {}) {
  const zone = zoneFor(bundle.event);
  const room = maps.rooms.get(session.room);
  const track = maps.tracks.get(session.track);
  const marked = bundle.bookmarks.includes(session.id);
  const label = statusLabel(session.status);
  return html`<li class="session ${session.status}" ${anchor ? html`id="session-${session.id}"` : ""} data-session="${session.id}">
    <a href="#/e/${bundle.event.id}/sessions/${session.id}">
      <span class="when">${span(session, zone)}</span>
      <span class="title">${session.title}</span>
      <span class="meta">${room ? room.name : t("No room")}${track ? html` · <span class="chip" data-colour="${track.colour}">${track.name}</span>` : ""}${label ? html` · <strong class="status">${label}</strong>` : ""}</span>
      ${conflict ? html`<span class="conflict">${t("Conflicts with %(titles)s", { titles: conflict.map((id) => maps.sessions.get(id)?.title).join(", ") })}</span>` : ""}
    </a>
    <button type="button" class="star" data-bookmark="${session.id}" aria-pressed="${String(marked)}" aria-label="${marked ? t("Remove “%(title)s” from my agenda", { title: session.title }) : t("Add “%(title)s” to my agenda", { title: session.title })}">${marked ? "★" : "☆"}</button>
  </li>`;
}
