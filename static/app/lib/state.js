// The app's state in memory and one event bus. Screens read `state` and listen on `bus`:
//   "bundle"  {eventId, entry?, before?}  the current event's data changed (stream, sync, refetch)
//   "net"     {}                          online/offline or socket state changed
//   "me"      {}                          the signed-in user changed
export const state = {
  me: null, // /api/v1/me
  eventId: null, // the event on screen
  bundle: null, // its offline bundle (docs/realtime.md), kept current by the stream
  syncedAt: null, // when the bundle was last confirmed current (ms)
  socket: "closed", // "live" | "connecting" | "closed"
  phoneZone: false, // show times in the phone's zone instead of the event's
  pending: 0, // writes waiting in the outbox
};

export const bus = new EventTarget();

export function emit(name, detail = {}) {
  bus.dispatchEvent(new CustomEvent(name, { detail }));
}

export function listen(name, handler) {
  const wrapped = (e) => handler(e.detail);
  bus.addEventListener(name, wrapped);
  return () => bus.removeEventListener(name, wrapped);
}

export function online() {
  return navigator.onLine;
}
