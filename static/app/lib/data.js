// The current event's data: the offline bundle from IndexedDB, refreshed from the API, kept
// current by the stream (lib/reducer.js), and the outbox that replays writes made offline with
// their Idempotency-Key so each lands once.
import { api, isNetworkError, newKey, request, token } from "./api.js";
import * as live from "./live.js";
import { applyEntry, setBookmark, setNote } from "./reducer.js";
import { emit, listen, state } from "./state.js";
import * as store from "./store.js";

const userStream = () => (state.me ? `user:${state.me.id}` : null);
const eventStream = (id) => `event:${id}`;

function streams() {
  return [state.eventId && eventStream(state.eventId), userStream()].filter(Boolean);
}

async function persist() {
  if (!state.bundle) return;
  await store.put("bundles", { id: state.bundle.event.id, bundle: state.bundle, etag: state.etag, syncedAt: state.syncedAt });
}

function changed(detail = {}) {
  emit("bundle", { eventId: state.eventId, ...detail });
}

// --- loading ------------------------------------------------------------------------------------

export async function openEvent(eventId) {
  if (state.eventId === eventId && state.bundle) return state.bundle;
  state.eventId = eventId;
  const saved = await store.get("bundles", eventId);
  state.bundle = saved?.bundle ?? null;
  state.etag = saved?.etag ?? null;
  state.syncedAt = saved?.syncedAt ?? null;
  if (state.bundle) {
    await reapplyOutbox();
    live.follow(streams());
    refresh().catch(() => {}); // in the background: the cached bundle is on screen already
    return state.bundle;
  }
  await refresh();
  return state.bundle;
}

// Fetch the bundle (a 304 when nothing changed), then resume the streams from its heads.
export async function refresh() {
  const eventId = state.eventId;
  let response;
  try {
    response = await request(`events/${eventId}/bundle`, { etag: state.bundle ? state.etag : null });
  } catch (error) {
    if (isNetworkError(error) && state.bundle) return;
    throw error;
  }
  if (eventId !== state.eventId) return;
  if (response.status === 200) {
    state.bundle = response.data;
    state.etag = response.etag;
    await reapplyOutbox();
  }
  state.syncedAt = Date.now();
  await persist();
  live.follow(streams());
  for (const stream of streams()) live.resubscribe(stream);
  changed({ refetched: response.status === 200 });
}

// Me may arrive after the bundle (both load at once): then follow my stream too.
listen("me", () => {
  if (state.bundle && state.me) live.follow(streams());
});

live.configure({
  head: (stream) => state.bundle?.heads?.[stream] ?? null,
  reset: () => {
    state.etag = null;
    refresh().catch(() => {});
  },
  entry: (frame) => onEntry(frame),
});

let queue = Promise.resolve();
function onEntry(frame) {
  // In order, one at a time: persisting is asynchronous.
  queue = queue.then(() => applyFrame(frame)).catch(() => {});
}

async function applyFrame(frame) {
  const bundle = state.bundle;
  if (!bundle || !streams().includes(frame.stream)) return;
  const head = bundle.heads[frame.stream] ?? 0;
  if (frame.seq <= head) return; // already in the bundle (a replay after a refetch)
  const before = frame.data?.session ? bundle.sessions.find((s) => s.id === frame.data.session.id) : undefined;
  const outcome = applyEntry(bundle, frame);
  bundle.heads[frame.stream] = frame.seq;
  state.syncedAt = Date.now();
  await persist();
  if (outcome === "refetch") {
    state.etag = null;
    await refresh();
    return;
  }
  changed({ entry: frame, before: before ? { ...before } : undefined });
}

// --- writes: the outbox --------------------------------------------------------------------------

async function outbox() {
  return (await store.all("outbox")).sort((a, b) => a.seq - b.seq);
}

function applyLocally(bundle, item) {
  if (bundle.event.id !== item.event) return;
  if (item.kind === "bookmark") setBookmark(bundle, item.session, item.method === "PUT");
  if (item.kind === "note") setNote(bundle, item.session, (item.body?.text || "").trim());
}

async function reapplyOutbox() {
  const items = await outbox();
  state.pending = items.length;
  if (state.bundle) for (const item of items) applyLocally(state.bundle, item);
}

async function enqueue(item) {
  // A newer write to the same thing replaces one still waiting (the latest note wins).
  for (const old of await outbox()) {
    if (old.kind === item.kind && old.session === item.session && old.event === item.event && !old.sending) {
      await store.del("outbox", old.seq);
    }
  }
  await store.put("outbox", { ...item, key: newKey() });
  applyLocally(state.bundle, item);
  await persist();
  state.pending = (await outbox()).length;
  changed();
  emit("net");
  flush();
}

export function setBookmarked(sessionId, on) {
  return enqueue({ kind: "bookmark", event: state.eventId, session: sessionId, method: on ? "PUT" : "DELETE" });
}

export function saveNote(sessionId, text) {
  return enqueue({ kind: "note", event: state.eventId, session: sessionId, method: "PUT", body: { text } });
}

let flushing = false;
let retry = null;

export async function flush() {
  if (flushing || !token()) return;
  flushing = true;
  clearTimeout(retry);
  try {
    for (const item of await outbox()) {
      const path =
        item.kind === "bookmark"
          ? `events/${item.event}/sessions/${item.session}/bookmark`
          : `events/${item.event}/sessions/${item.session}/note`;
      try {
        await request(path, { method: item.method, body: item.body, key: item.key });
      } catch (error) {
        if (isNetworkError(error) || error.status >= 500 || error.status === 429 || error.status === 409) {
          // 409: the same key is still being answered; the next try gets the first answer.
          retry = setTimeout(flush, 3000);
          return;
        }
        // Any other refusal (the session is gone, the text too long) will not change on retry.
      }
      await store.del("outbox", item.seq);
    }
  } finally {
    state.pending = (await outbox()).length;
    flushing = false;
    emit("net");
  }
}

window.addEventListener("online", () => {
  flush();
  if (state.eventId) refresh().catch(() => {});
});

// --- small caches for offline: me, my events, my tickets ------------------------------------------

export async function cached(key, load) {
  try {
    const value = await load();
    await store.put("kv", value, key);
    return value;
  } catch (error) {
    if (!isNetworkError(error)) throw error;
    const value = await store.get("kv", key);
    if (value === undefined) throw error;
    return value;
  }
}

// Me: from the phone at once when known (a profile edit refreshes it), else from the API.
export async function loadMe({ fresh = false } = {}) {
  const known = fresh ? undefined : await store.get("kv", "me");
  if (known) {
    state.me = known;
    cached("me", () => api("me"))
      .then((me) => {
        state.me = me;
        emit("me");
      })
      .catch(() => {});
  } else state.me = await cached("me", () => api("me"));
  emit("me");
  return state.me;
}

export async function loadTickets(eventId) {
  return cached(`tickets:${eventId}`, async () => {
    const list = await api(`events/${eventId}/tickets?page_size=200`);
    return Promise.all(list.results.map((ticket) => api(`events/${eventId}/tickets/${ticket.id}`)));
  });
}

export async function signOutLocally() {
  live.disconnect();
  await store.clearAll();
  Object.assign(state, { me: null, eventId: null, bundle: null, etag: null, syncedAt: null, pending: 0 });
}

export { live };
