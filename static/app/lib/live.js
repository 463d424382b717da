// One WebSocket for the whole app (docs/realtime.md): authenticate by a first frame with the
// session token (browsers cannot set headers on a socket, and a token never goes in the URL),
// subscribe to event:<id> and user:<me> from the bundle's heads, resume with `since` after any
// drop, reconnect with backoff, ping, and resubscribe when heartbeats show we trail.
import { token } from "./api.js";
import { emit, state } from "./state.js";

const PING_MS = 25_000;
const MAX_BACKOFF_MS = 30_000;

let socket = null;
let attempts = 0;
let timer = null;
let pinger = null;
let wanted = new Set(); // the streams to follow; `since` is read from handlers.head at subscribe time
let subscribed = new Set();
let trailing = new Map(); // stream -> heartbeats in a row with a head above our seq
let handlers = { entry: () => {}, reset: () => {}, head: () => 0 };
let ref = 0;

export function configure(callbacks) {
  handlers = { ...handlers, ...callbacks };
}

function setState(value) {
  if (state.socket !== value) {
    state.socket = value;
    emit("net");
  }
}

function send(frame) {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ ...frame, ref: ++ref }));
}

function subscribe(stream) {
  const since = handlers.head(stream);
  send(since == null ? { op: "subscribe", stream } : { op: "subscribe", stream, since });
  subscribed.add(stream);
}

// The streams to follow now; the socket (re)subscribes as needed.
export function follow(streams) {
  const next = new Set(streams);
  for (const stream of subscribed) {
    if (!next.has(stream)) {
      send({ op: "unsubscribe", stream });
      subscribed.delete(stream);
    }
  }
  wanted = next;
  if (socket?.readyState === WebSocket.OPEN && socket.authenticated) {
    for (const stream of wanted) if (!subscribed.has(stream)) subscribe(stream);
  } else connect();
}

export function resubscribe(stream) {
  if (!wanted.has(stream)) return;
  send({ op: "unsubscribe", stream });
  subscribed.delete(stream);
  if (socket?.authenticated) subscribe(stream);
}

export function connect() {
  if (socket && socket.readyState <= WebSocket.OPEN) return;
  if (!token() || !wanted.size) return;
  clearTimeout(timer);
  setState("connecting");
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/ws/v1/`);
  socket = ws;
  subscribed = new Set();
  ws.onopen = () => ws.send(JSON.stringify({ op: "auth", token: token() }));
  ws.onmessage = (message) => receive(ws, JSON.parse(message.data));
  ws.onclose = (close) => {
    if (socket !== ws) return;
    clearInterval(pinger);
    socket = null;
    setState("closed");
    if (close.code === 4001) return; // the session ended: sign in again
    schedule();
  };
  ws.onerror = () => ws.close();
}

function schedule() {
  clearTimeout(timer);
  if (!navigator.onLine) return; // the "online" event reconnects
  const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempts) * (0.5 + Math.random() / 2);
  attempts += 1;
  timer = setTimeout(connect, delay);
}

function receive(ws, frame) {
  if (frame.op === "authenticated") {
    ws.authenticated = true;
    attempts = 0;
    for (const stream of wanted) subscribe(stream);
    clearInterval(pinger);
    pinger = setInterval(() => send({ op: "ping" }), PING_MS);
    return;
  }
  if (frame.op === "subscribed") {
    setState("live");
    return;
  }
  if (frame.op === "reset") {
    handlers.reset(frame.stream, frame.head);
    return;
  }
  if (frame.op === "heartbeat") {
    for (const [stream, head] of Object.entries(frame.heads || {})) {
      const behind = head > (handlers.head(stream) ?? head);
      const count = behind ? (trailing.get(stream) || 0) + 1 : 0;
      trailing.set(stream, count);
      if (count >= 2) {
        trailing.set(stream, 0);
        resubscribe(stream);
      }
    }
    return;
  }
  if (frame.op === "error") {
    if (frame.code === "rate_limited") ws.close();
    return;
  }
  if (frame.stream && typeof frame.seq === "number") handlers.entry(frame);
}

export function disconnect() {
  wanted = new Set();
  clearTimeout(timer);
  clearInterval(pinger);
  const ws = socket;
  socket = null;
  ws?.close();
  setState("closed");
}

window.addEventListener("online", () => {
  attempts = 0;
  connect();
});
window.addEventListener("offline", () => {
  socket?.close();
});
