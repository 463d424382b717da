// Signing in and out through allauth headless (app client). After a login the app goes where the
// attendee left off: onboarding once, then their events.
import { auth, setToken } from "./api.js";
import { loadMe, signOutLocally } from "./data.js";

let config = null;

export async function authConfig() {
  if (!config) {
    const response = await auth("config").catch(() => ({}));
    config = response.data || {};
  }
  return config;
}

export async function providers() {
  return (await authConfig()).socialaccount?.providers || [];
}

// What a 401 with pending flows asks for next.
export function pendingFlow(response) {
  return (response.data?.flows || []).find((flow) => flow.is_pending)?.id || null;
}

export async function afterLogin(go, { fresh = false } = {}) {
  const me = await loadMe({ fresh: true });
  const next = sessionStorage.getItem("eventhub.next");
  sessionStorage.removeItem("eventhub.next");
  if (fresh || (!me.full_name && !localStorage.getItem("eventhub.onboarded"))) go("/welcome");
  else go(next || "/");
}

export async function signOut(go) {
  await auth("auth/session", { method: "DELETE" }).catch(() => {});
  setToken(null);
  await signOutLocally();
  go("/login");
}
