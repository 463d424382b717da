// The attendee app's service worker (served as /app/sw.js; the server writes VERSION and
// ASSETS above this line). The shell and the app's files come from the cache; the page itself
// is asked from the network first so a deploy shows at once, with the cache as the fallback
// offline. API answers are never cached here: the app keeps its data in IndexedDB.
const CACHE = `eventhub-app-${VERSION}`;
const SHELL = "/app/";
// The translation catalogue depends on the language (the profile's, the cookie's): from the
// network first like the page, so a change of language shows at once; the cache offline.
const CATALOGUE = "/app/jsi18n.js";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(ASSETS.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith("eventhub-app-") && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

const assets = new Set(ASSETS);

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if ((request.mode === "navigate" && url.pathname === SHELL) || url.pathname === CATALOGUE) {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
          }
          return response;
        })
        .catch(() => caches.match(url.pathname)),
    );
    return;
  }
  if (assets.has(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(request)));
  }
});
