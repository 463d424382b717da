// The only way the app talks to the server: /api/v1/ and /_allauth/app/v1/ with the session
// token in X-Session-Token (docs/app.md: where the token lives and why).
const TOKEN_KEY = "eventhub.sessionToken";

export function token() {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) localStorage.setItem(TOKEN_KEY, value);
  else localStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(status, body) {
    const error = body?.error || {};
    const first = body?.errors?.[0];
    super(error.detail || first?.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || first?.code || "";
    this.fields = error.fields || {};
    this.body = body;
  }
}

// A network failure (offline, server unreachable) is a TypeError from fetch: callers treat it
// as "try again later", never as an answer.
export function isNetworkError(error) {
  return error instanceof TypeError;
}

function headers(extra, json) {
  const out = { Accept: "application/json", ...extra };
  if (json) out["Content-Type"] = "application/json";
  const t = token();
  if (t) out["X-Session-Token"] = t;
  return out;
}

async function parse(response) {
  if (response.status === 204 || response.status === 304) return null;
  const type = response.headers.get("Content-Type") || "";
  return type.includes("json") ? response.json() : response.text();
}

export async function request(path, { method = "GET", body, key, form, etag } = {}) {
  const extra = {};
  if (key) extra["Idempotency-Key"] = key;
  if (etag) extra["If-None-Match"] = etag;
  const response = await fetch(path.startsWith("/") ? path : `/api/v1/${path}`, {
    method,
    headers: headers(extra, body !== undefined && !form),
    body: form ?? (body !== undefined ? JSON.stringify(body) : undefined),
    credentials: "omit", // the token is the credential; cookies of the portal never count here
    cache: "no-store",
  });
  const data = await parse(response);
  if (!response.ok && response.status !== 304) {
    if (response.status === 401 && token() && !path.startsWith("/_allauth/")) onSignedOut();
    throw new ApiError(response.status, data);
  }
  return { status: response.status, data, etag: response.headers.get("ETag") };
}

export async function api(path, options) {
  return (await request(path, options)).data;
}

// allauth headless, app client. Its answers are {status, data, meta}; a 401 with `flows` is a
// pending step (verify the e-mail, reset the password), not an error of the form.
export async function auth(path, { method = "GET", body } = {}) {
  const response = await fetch(`/_allauth/app/v1/${path}`, {
    method,
    headers: headers({}, body !== undefined),
    body: body !== undefined ? JSON.stringify(body) : undefined,
    credentials: "omit",
    cache: "no-store",
  });
  const data = await response.json().catch(() => ({}));
  if (data?.meta?.session_token) setToken(data.meta.session_token);
  return { status: response.status, ...data };
}

let signedOutHandler = () => {};
export function onSignedOutCall(handler) {
  signedOutHandler = handler;
}
function onSignedOut() {
  signedOutHandler();
}

export function newKey() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
